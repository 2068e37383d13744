"""Tools and servers a test needs: skipped on a developer's machine without them, a failure on CI.

A test that needs Chromium (PostgreSQL, Redis, ...) calls `executable(...)`, or `missing(...)` when
its own probe finds no server.  Without `CI` set to a true value the test is skipped with the
install hint; with it (`.ci/run`, any CI service) the test fails, so CI never goes green with the
browser or database tests silently skipped.
"""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest

TRUE = {"1", "true", "yes", "on"}


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in TRUE


def missing(tool: str, hint: str) -> NoReturn:
    message = f"{tool} not found: {hint}"
    if on_ci():
        pytest.fail(f"{message} (CI is set, so a missing tool fails the test instead of skipping it)", pytrace=False)
    pytest.skip(message)


def executable(*names: str, hint: str) -> str:
    """The path of the first of `names` on PATH, else skip (or fail on CI) with `hint`."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    missing(names[0], hint)
