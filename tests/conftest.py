"""Suite-wide guards: loopback-only networking for the tests and for every process they start.

`tests/loopback_only/sitecustomize.py` refuses any connection or name lookup that is not
loopback.  It is installed here for the pytest process, and its folder goes first on
PYTHONPATH so every child Python installs it at start-up.  Proxies are switched off for
the whole suite (no_proxy names loopback), so no request to 127.0.0.1 detours through an
`http_proxy` from the environment.  A test that attempts to reach anything else fails, even
when the attempt was refused and the code under test carried on.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

import pytest

from loopback_network import GUARD, child_env


def _install_guard() -> None:
    """Run the children's sitecustomize here too (by path: a system sitecustomize may hold the name)."""
    spec = importlib.util.spec_from_file_location("creditlens_loopback_only", GUARD / "sitecustomize.py")
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


def pytest_configure(config):
    _install_guard()
    guarded = child_env()
    os.environ.clear()
    os.environ.update(guarded)
    handle, log = tempfile.mkstemp(prefix="creditlens-network-", suffix=".log")
    os.close(handle)
    os.environ["CREDITLENS_TEST_NETWORK_LOG"] = log
    config.stash[NETWORK_LOG] = Path(log)
    config.stash[ACCOUNTED] = [0]


NETWORK_LOG = pytest.StashKey[Path]()
ACCOUNTED = pytest.StashKey[list]()  # refused attempts already reported by (or allowed to) a test


def pytest_sessionfinish(session, exitstatus):
    """Attempts made outside any test (module or session fixtures) fail the run too."""
    log = session.config.stash.get(NETWORK_LOG, None)
    if log is None or not log.exists():
        return
    refused = log.read_text(encoding="utf-8").splitlines()
    if len(refused) > session.config.stash[ACCOUNTED][0]:
        session.config.get_terminal_writer().line(
            "a fixture tried to reach beyond loopback (all refused attempts follow):\n" + "\n".join(refused[:40]),
            red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config):
    if NETWORK_LOG in config.stash:
        config.stash[NETWORK_LOG].unlink(missing_ok=True)


class NetworkAttempts:
    """What processes refused since the test began (one line per attempt)."""

    def __init__(self, log: Path):
        self.log = log
        self.start = log.stat().st_size

    def lines(self) -> list[str]:
        with open(self.log, encoding="utf-8") as handle:
            handle.seek(self.start)
            return handle.read().splitlines()


@pytest.fixture
def network_attempts(request) -> NetworkAttempts:
    """For tests of the guard itself: the refused attempts, which then do not fail the test."""
    return NetworkAttempts(request.config.stash[NETWORK_LOG])


@pytest.fixture(autouse=True)
def _loopback_only(request):
    attempts = NetworkAttempts(request.config.stash[NETWORK_LOG])
    yield
    refused = attempts.lines()
    request.config.stash[ACCOUNTED][0] += len(refused)
    if "network_attempts" not in request.fixturenames:
        if refused:
            pytest.fail("the test tried to reach beyond loopback:\n" + "\n".join(refused[:20]), pytrace=False)
