"""Writing an output file whole or not at all, without following planted links.

A report or export is written to a new temporary file in the target's own folder and
renamed onto the target, so a cron job never leaves half a file where a reader
expects a whole one.  The temporary file is created by `tempfile` (O_EXCL, a random
name): a symlink someone planted at a predictable name such as `<out>.part` is never
followed, and nothing but the target is ever replaced.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def replacing(out: Path, folder: bool = False) -> Iterator[Path]:
    """A fresh, empty temporary file (or folder) beside `out`, renamed onto `out` when the
    block succeeds and removed when it fails (a folder can only replace an empty folder:
    the caller removes an older one first).  The file gets the permissions a plain
    `open()` would give, not `tempfile`'s owner-only ones."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if folder:
        temporary = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    else:
        handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
        os.close(handle)
        temporary = Path(name)
    os.chmod(temporary, (0o777 if folder else 0o666) & ~_umask())
    try:
        yield temporary
        os.replace(temporary, out)
    except BaseException:
        if temporary.is_dir():
            shutil.rmtree(temporary, ignore_errors=True)
        else:
            temporary.unlink(missing_ok=True)
        raise
