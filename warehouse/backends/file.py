"""The single-file backend: one DuckDB database file, its constraints enforcing the keys."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from warehouse.store import WarehouseBusy, WarehouseError, _first_line as first_line


def connect(address: str | Path, read_only: bool = False, data_path: str | None = None,
            as_of: datetime | None = None) -> duckdb.DuckDBPyConnection:
    path = Path(address)
    if as_of is not None:
        raise WarehouseError(f"database {path} is one DuckDB file, which keeps no history: "
                             "querying it as of a date needs a DuckLake warehouse (docs/warehouse.md)")
    if read_only and not path.exists():
        raise WarehouseError(f"no database at {path} (run `creditlens demo`, `creditlens ingest` or `creditlens run` first)")
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        message = str(exc)
        if "lock" in message.lower():
            raise WarehouseBusy(f"database {path} is in use by another process") from exc
        raise WarehouseError(f"cannot open database {path}: {first_line(exc)}") from exc
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot open database {path}: {first_line(exc)}") from exc


def maintain(con: duckdb.DuckDBPyConnection) -> None:
    """Nothing to compact: DuckDB reuses the file's free blocks itself."""


def table_sql(sql: str) -> str:
    return sql


def upsert_sql(table: str, source: str, changes: str | None = None) -> str:
    """`changes` (a SET list over `excluded` and `table`) merges into the stored row; without it the row is replaced."""
    if changes is None:
        return f"INSERT OR REPLACE INTO {table} BY NAME SELECT * FROM {source}"
    from warehouse.backends import primary_keys

    keys = ", ".join(primary_keys()[table])
    return f"INSERT INTO {table} BY NAME SELECT * FROM {source}\nON CONFLICT ({keys}) DO UPDATE SET\n{changes}"


def refresh_search_index(con: duckdb.DuckDBPyConnection, address: str | Path) -> None:
    """The fts index lives in the database file itself."""
    from warehouse.search import refresh_index

    refresh_index(con)
