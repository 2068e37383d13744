"""Every Python the test suite starts may reach loopback only.

tests/conftest.py puts this folder first on PYTHONPATH, so each child Python (`creditlens …`,
the crawl subprocesses, helper scripts) imports this module at start-up, and the pytest process
installs it too.  Connecting or sending to an address that is not loopback, or resolving a name
other than a loopback name (IP literals resolve locally), is refused: `connect` raises `NonLoopbackAccess` (a
ConnectionRefusedError, which is what an offline machine answers), `connect_ex` returns
ECONNREFUSED, name lookups raise `socket.gaierror`.  Each refusal is also appended to the file
named by $CREDITLENS_TEST_NETWORK_LOG, which the suite reads after every test to fail the test
that tried: a broken lock or setting turns into a failing test, never into traffic.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_GUARDED_FAMILIES = {socket.AF_INET, socket.AF_INET6}


class NonLoopbackAccess(ConnectionRefusedError):
    """A test process tried to reach something other than loopback."""


def _address(host) -> str:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return str(host).strip("[]").split("%", 1)[0].rstrip(".").lower()


def is_ip_literal(host) -> bool:
    try:
        ipaddress.ip_address(_address(host))
    except ValueError:
        return False
    return True


def is_loopback(host) -> bool:
    """True for loopback IP literals and loopback names; None (a passive lookup) counts as local."""
    if host is None:
        return True
    host = _address(host)
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def _record(what: str, target) -> str:
    line = f"pid {os.getpid()} {what} {target!r}"
    log = os.environ.get("CREDITLENS_TEST_NETWORK_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    return line


def _refused(sock: socket.socket, address) -> bool:
    if sock.family not in _GUARDED_FAMILIES or not isinstance(address, tuple) or not address:
        return False
    return not is_loopback(address[0])


def install() -> None:
    """Patch the socket module of this process (idempotent)."""
    if getattr(socket, "_creditlens_loopback_only", False):
        return
    socket._creditlens_loopback_only = True
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_sendto, real_getaddrinfo = socket.socket.sendto, socket.getaddrinfo
    real_gethostbyname, real_gethostbyname_ex = socket.gethostbyname, socket.gethostbyname_ex

    def connect(self, address):
        if _refused(self, address):
            raise NonLoopbackAccess(errno.ECONNREFUSED, "tests reach loopback only: " + _record("connect", address))
        return real_connect(self, address)

    def connect_ex(self, address):
        if _refused(self, address):
            _record("connect", address)
            return errno.ECONNREFUSED
        return real_connect_ex(self, address)

    def sendto(self, data, *args):
        address = args[-1] if args else None
        if _refused(self, address):
            raise NonLoopbackAccess(errno.ECONNREFUSED, "tests reach loopback only: " + _record("sendto", address))
        return real_sendto(self, data, *args)

    def lookup(real):
        def guarded(host, *args, **kwargs):
            if not (is_loopback(host) or is_ip_literal(host)):  # a literal needs no lookup; connect decides
                _record("resolve", host)
                raise socket.gaierror(socket.EAI_NONAME, f"tests reach loopback only: {host!r} not resolved")
            return real(host, *args, **kwargs)
        return guarded

    socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
    socket.getaddrinfo = lookup(real_getaddrinfo)
    socket.gethostbyname = lookup(real_gethostbyname)
    socket.gethostbyname_ex = lookup(real_gethostbyname_ex)


install()
