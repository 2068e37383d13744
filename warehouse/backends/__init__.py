"""Where the warehouse lives, chosen by its address, and the SQL that differs between the two places.

A path (`creditlens.duckdb`) is one DuckDB file, written by one process at a time.  An address
starting with `ducklake:` (`ducklake:postgres:dbname=creditlens host=... user=...`) is a DuckLake:
its catalog in PostgreSQL, its rows in Parquet files under a data path that several machines share.
Everything above this package talks to `warehouse.store.Warehouse` and never learns which one runs;
each backend module (`file`, `ducklake`) offers the same few functions:

    connect(address, read_only, data_path, as_of) -> a DuckDB connection whose default catalog is the warehouse
    table_sql(sql)                         -> a migration's DDL as this backend can run it
    upsert_sql(table, source, changes)     -> replace rows of `table` by the rows of `source` with the same key
    refresh_search_index(con, address)     -> bring the full-text index up to date with the articles
    maintain(con)                          -> housekeeping after a process run
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from types import ModuleType

LAKE_PREFIX = "ducklake:"


def is_lake(address: str | Path) -> bool:
    return str(address).startswith(LAKE_PREFIX)


def backend_for(address: str | Path) -> ModuleType:
    if is_lake(address):
        from warehouse.backends import ducklake
        return ducklake
    from warehouse.backends import file
    return file


@cache
def primary_keys() -> dict[str, tuple[str, ...]]:
    """Each table's key as the migrations declare it (`col TYPE PRIMARY KEY` or `PRIMARY KEY (a, b)`):
    the file enforces it, the lake (which has no constraints) upserts on it."""
    from warehouse.store import migrations

    keys: dict[str, tuple[str, ...]] = {}
    for _, sql in migrations():
        for table, body in re.findall(r"CREATE TABLE (\w+) \((.*?)\n\);", sql, re.DOTALL):
            inline = re.findall(r"^\s*(\w+)\s+\w+(?:\[\])?\s+PRIMARY KEY", body, re.MULTILINE)
            composite = re.search(r"PRIMARY KEY \(([^)]*)\)", body)
            if inline:
                keys[table] = tuple(inline)
            elif composite:
                keys[table] = tuple(name.strip() for name in composite[1].split(","))
    keys["schema_version"] = ("version",)
    return keys


def state_dir(address: str | Path) -> Path:
    """The folder of local state (spool, crawl frontier, locks): beside a file, or `./<dbname>.state`
    in the working folder for a lake."""
    if is_lake(address):
        dbname = re.search(r"dbname=(\S+)", str(address))
        name = re.sub(r"[^\w.-]", "_", dbname[1] if dbname else "creditlens-lake")
        return Path(f"{name}.state")
    path = Path(address)
    return path.with_name(path.stem + ".state")


def readable_directories(con) -> list[str]:
    """The data folders of the lakes attached to `con`: a confined query must still read their files."""
    lakes = con.execute("SELECT database_name FROM duckdb_databases() WHERE type = 'ducklake'").fetchall()
    return [con.execute(f"SELECT value FROM {name}.options() WHERE option_name = 'data_path'").fetchone()[0]
            for (name,) in lakes]
