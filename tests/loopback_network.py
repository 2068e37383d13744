"""The environment that keeps a test's child processes on loopback: the guard first on PYTHONPATH, no proxy."""

from __future__ import annotations

import os
from pathlib import Path

GUARD = Path(__file__).resolve().parent / "loopback_only"  # holds the sitecustomize.py every child imports
LOOPBACK_HOSTS = "127.0.0.1,localhost,::1"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy")


def python_path(*paths) -> str:
    """A PYTHONPATH that puts the loopback guard first, then `paths`."""
    rest = [str(p) for p in paths if p and str(p) != str(GUARD)]
    return os.pathsep.join([str(GUARD), *rest])


def child_env(*paths, **extra: str) -> dict[str, str]:
    """os.environ for a child Python: guarded, `paths` importable, no proxy, loopback named in no_proxy."""
    environment = {key: value for key, value in os.environ.items() if key.lower() not in PROXY_VARIABLES}
    inherited = environment.get("PYTHONPATH", "").split(os.pathsep)
    return {**environment, "PYTHONPATH": python_path(*paths, *inherited),
            "no_proxy": LOOPBACK_HOSTS, "NO_PROXY": LOOPBACK_HOSTS, **extra}
