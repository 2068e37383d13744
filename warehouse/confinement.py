"""A query connection that can read the warehouse and nothing else on the machine.

Analysts are trusted with the warehouse, not with the machine it runs on, and a
query may be pasted from anywhere.  DuckDB can read and write any file the process
can (`COPY ... TO`, `EXPORT DATABASE`, `read_text`, `glob`, `ATTACH`, `INSTALL`), so
a read-only `creditlens sql` turns external access off and locks the configuration,
after loading the bundled full-text-search extension from its file, which the lock
would otherwise forbid.  `--write` is the only way out; exports go through
`creditlens export`.
"""

from __future__ import annotations

import duckdb

from warehouse.backends import readable_directories
from warehouse.search import load_fts

FORBIDDEN_HINT = "a read-only query cannot touch files or other databases; use `creditlens export`, or --write"


def confine(con: duckdb.DuckDBPyConnection) -> None:
    """Load fts (so `match_bm25` and `stem` work), then allow nothing outside the warehouse
    (a lake's data files are part of it)."""
    load_fts(con)
    allowed = readable_directories(con)
    if allowed:
        con.execute("SET allowed_directories = ?", [allowed])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def is_forbidden(error: duckdb.Error) -> bool:
    """Whether DuckDB refused a query because of the confinement."""
    message = str(error)
    return isinstance(error, duckdb.PermissionException) or "disabled by configuration" in message \
        or "configuration has been locked" in message
