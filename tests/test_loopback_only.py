"""The suite's network guard: no test, and no process a test starts, reaches beyond loopback."""

import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.cli_helpers import creditlens

OUTSIDE = "192.0.2.1"  # TEST-NET-1: never routed; the guard must refuse it before any packet leaves

PROBE = f"""
import socket, sys
try:
    socket.create_connection(({OUTSIDE!r}, 80), timeout=5)
except ConnectionRefusedError as exc:
    print("refused", exc)
try:
    socket.getaddrinfo("example.org", 443)
except socket.gaierror:
    print("not resolved")
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5) as sock:
    sock.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
    print(sock.recv(100).split(b"\\r\\n")[0].decode())
"""


@pytest.fixture
def loopback_server():
    class Hello(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("host", [OUTSIDE, "::ffff:192.0.2.1", "10.0.0.1"])
def test_this_process_cannot_connect_beyond_loopback(network_attempts, host):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        with pytest.raises(ConnectionRefusedError, match="loopback only"):
            sock.connect((host, 80))
        assert sock.connect_ex((host, 80)) != 0
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.org", 80)
    assert len(network_attempts.lines()) == 3


def test_a_child_python_is_guarded_but_reaches_loopback(network_attempts, loopback_server):
    done = subprocess.run([sys.executable, "-c", PROBE, str(loopback_server)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("refused")
    assert done.stdout.splitlines()[1:] == ["not resolved", "HTTP/1.0 200 OK"]
    assert [line.split()[2] for line in network_attempts.lines()] == ["connect", "resolve"]


@pytest.mark.slow
def test_a_crawl_of_an_outside_site_fetches_nothing_and_is_reported(network_attempts, tmp_path):
    config = tmp_path / "outside.toml"
    config.write_text(
        'include_bundled_sources = false\n[crawl]\ndownload_delay = 0.0\nautothrottle = false\ntimeout = 2.0\n'
        'allow_private_networks = true\n\n'  # TEST-NET is not public: the crawl itself would refuse it first
        f'[[source]]\nid = "outside"\nname = "Outside"\nhomepage = "http://{OUTSIDE}/"\n'
        f'start_urls = ["http://{OUTSIDE}/news/"]\nallowed_domains = ["{OUTSIDE}"]\n', encoding="utf-8")
    result = creditlens("crawl", "--config", config, "--db", tmp_path / "c.duckdb")
    assert result.returncode == 4, result.stdout + result.stderr
    assert any(OUTSIDE in line for line in network_attempts.lines())


def test_the_guard_allows_loopback_names():
    import importlib.util

    from loopback_network import GUARD

    spec = importlib.util.spec_from_file_location("guard_under_test", GUARD / "sitecustomize.py")
    guard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guard)
    assert all(guard.is_loopback(h) for h in ["127.0.0.1", "127.8.9.1", "::1", "localhost", "[::1]", None])
    assert not any(guard.is_loopback(h) for h in ["0.0.0.0", "192.0.2.1", "example.org", "localhost.example.org"])
