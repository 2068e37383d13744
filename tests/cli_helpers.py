"""Running the real `creditlens` command in a subprocess, as a user or cron would."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def creditlens(*args, cwd=None, timeout=600, env=None, input=None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "COLUMNS": "200", **(env or {})}
    environment.pop("CREDITLENS_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "creditlens", *map(str, args)],
        cwd=cwd or REPO, capture_output=True, text=True, timeout=timeout, env=environment, input=input,
    )


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The promise: a failure prints exactly one line on stderr and no traceback."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1, result.stderr
    return lines[0]
