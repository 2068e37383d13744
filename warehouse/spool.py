"""A spool of records on disk, waiting to be loaded into the warehouse.

DuckDB admits one writing process.  Everything that produces records (the crawler,
`ingest`, a command that found the database held by an analyst) writes them here
first, one JSON line per record, flushed as it goes; the next command that gets the
database loads the spool and deletes each file only after its transaction commits.
So a crash, a `kill -9` or a busy database never loses what was fetched, and because
every load is an idempotent upsert, loading a file twice never doubles a row.

A file is written as `NAME.jsonl.part` under an exclusive `flock` and renamed to
`NAME.jsonl` when closed.  A `.part` file whose lock can be taken belongs to a
process that died: it is loaded too (its last line may be cut off and is skipped).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterator

from warehouse.records import Article, CrawlRun, Entity, Figure, Page, Quote, Record, ThemeHit

RECORD_CLASSES: dict[str, type[Record]] = {
    cls.table: cls for cls in (Page, Article, CrawlRun, Entity, ThemeHit, Quote, Figure)
}


def _encode(value):
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    return value


def _decode(value):
    if isinstance(value, dict):
        if "$b64" in value:
            return base64.b64decode(value["$b64"])
        if "$dt" in value:
            return datetime.fromisoformat(value["$dt"])
    return value


def encode_record(record: Record) -> str:
    row = {k: _encode(v) for k, v in record.as_row().items()}
    return json.dumps({"table": record.table, "row": row}, ensure_ascii=False)


def decode_line(line: str) -> Record:
    data = json.loads(line)
    cls = RECORD_CLASSES[data["table"]]
    return cls.from_row({k: _decode(v) for k, v in data["row"].items()})


class SpoolWriter:
    """Appends records to one spool file; use as a context manager."""

    def __init__(self, directory: Path, prefix: str):
        directory.mkdir(parents=True, exist_ok=True)
        # the time leads the name, to the microsecond, so files load in the order they were
        # written whatever wrote them (a crawl's closing run record after its opening one)
        name = f"{datetime.now():%Y%m%dT%H%M%S%f}-{prefix}-{uuid.uuid4().hex[:8]}.jsonl"
        self.final_path = directory / name
        self.path = directory / (name + ".part")
        self._file = open(self.path, "a", encoding="utf-8")
        fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.count = 0

    def write(self, record: Record) -> None:
        self._file.write(encode_record(record) + "\n")
        self._file.flush()
        self.count += 1

    def close(self) -> None:
        if self._file.closed:
            return
        self._file.close()
        if self.count:
            os.replace(self.path, self.final_path)
        else:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> "SpoolWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class SpoolFile:
    path: Path
    records: list[Record] = field(default_factory=list)
    damaged_lines: int = 0


class Spool:
    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def writer(self, prefix: str) -> SpoolWriter:
        return SpoolWriter(self.directory, prefix)

    def write_all(self, prefix: str, records) -> int:
        with self.writer(prefix) as writer:
            for record in records:
                writer.write(record)
            return writer.count

    def _is_abandoned(self, part: Path) -> bool:
        with open(part, "a", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # a live writer holds it
            fcntl.flock(handle, fcntl.LOCK_UN)
            return True

    def pending(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        files = sorted(self.directory.glob("*.jsonl"))
        files += [p for p in sorted(self.directory.glob("*.jsonl.part")) if self._is_abandoned(p)]
        return files

    def read(self) -> Iterator[SpoolFile]:
        """Each pending file with its records, oldest first; unreadable lines are counted, not fatal."""
        for path in self.pending():
            spooled = SpoolFile(path)
            with open(path, encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    try:
                        spooled.records.append(decode_line(line))
                    except (ValueError, KeyError, TypeError):
                        spooled.damaged_lines += 1
            yield spooled

    def __len__(self) -> int:
        return len(self.pending())
