"""The DuckLake backend: a PostgreSQL catalog and Parquet data files that several machines share.

The address is DuckLake's own (`ducklake:postgres:dbname=creditlens host=... port=... user=...`),
so an analyst attaches the same string in the DuckDB CLI.  DuckDB loads the `ducklake` and
`postgres_scanner` extensions from the files their wheels install (never INSTALL: no network).
The data path is given once, when the lake is created; afterwards the catalog holds it.

The fts extension cannot index lake tables, so full-text search is to read a local index file
built from one snapshot of the lake (`refresh_search_index`; docs/warehouse.md, "Search on a lake").

DuckLake has no PRIMARY KEY or UNIQUE constraints, so the migrations' constraints are dropped
here and every upsert is a MERGE INTO on the key the migrations declare (`primary_keys`).  A
MERGE does not lock its keys: two writers merging the same key at once can both insert it.  One
loader per lake keeps every key single-written (docs/warehouse.md, "Several writers").
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import datetime
from pathlib import Path

import duckdb

from warehouse.backends import primary_keys, state_dir
from warehouse.store import WarehouseBusy, WarehouseError, _first_line

ALIAS = "lake"
_EXTENSIONS = (("duckdb_extension_postgres_scanner", "postgres_scanner"), ("duckdb_extension_ducklake", "ducklake"))


def extension_file(package: str, name: str) -> Path:
    """The extension file a `duckdb-extension-*` wheel installs (the fts one is found the same way in search.py)."""
    try:
        module = __import__(package)
    except ImportError as exc:
        dist = package.replace("_", "-")
        raise WarehouseError(f"a DuckLake warehouse needs the package {dist}==1.5.5 (pip install it)") from exc
    folder = Path(module.__path__[0]) / "extensions"
    found = sorted(folder.glob(f"**/{name}.duckdb_extension"))
    if not found:
        raise WarehouseError(f"no {name}.duckdb_extension file in {folder}; reinstall {package.replace('_', '-')}")
    return found[-1]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def describe(address: str) -> str:
    """The address without a password, for messages."""
    return re.sub(r"password=\S+", "password=…", str(address))


def connect(address: str | Path, read_only: bool = False, data_path: str | None = None,
            as_of: datetime | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached as `lake` and made the default catalog
    (read-only as it was at `as_of`, when given)."""
    address = str(address)
    con = duckdb.connect()
    try:
        for package, name in _EXTENSIONS:
            con.execute(f"LOAD {_quote(extension_file(package, name).as_posix())}")
        _attach(con, address, read_only or as_of is not None, data_path, as_of)
        con.execute(f"USE {ALIAS}")
    except duckdb.Error as exc:
        con.close()
        message = _first_line(exc)
        if "lock" in message.lower():
            raise WarehouseBusy(f"lake {describe(address)} is busy: {message}") from exc
        raise WarehouseError(f"cannot open lake {describe(address)}: {message}") from exc
    except BaseException:
        con.close()
        raise
    return con


def _attach(con: duckdb.DuckDBPyConnection, address: str, read_only: bool, data_path: str | None,
            as_of: datetime | None = None) -> None:
    """Attach an existing lake (its data path comes from the catalog), or create it with `data_path`."""
    options = ["READ_ONLY"] if read_only else []
    if as_of is not None:
        options.append(f"SNAPSHOT_TIME {_quote(as_of.isoformat())}")
    try:
        con.execute(f"ATTACH {_quote(address)} AS {ALIAS}" + (f" ({', '.join(options)})" if options else ""))
        return
    except duckdb.Error as exc:
        if as_of is not None and "No snapshot found" in str(exc):
            raise WarehouseError(f"the lake has no snapshot as of {as_of:%Y-%m-%d %H:%M} UTC "
                                 f"(it is younger, or that snapshot expired)") from exc
        if "data_path is not set" not in str(exc) and "creating a new DuckLake is explicitly disabled" not in str(exc):
            raise
    if read_only:
        raise WarehouseError(f"no lake at {describe(address)} yet (run `creditlens run` or `creditlens ingest` first)")
    if not data_path:
        raise WarehouseError(
            f"the lake {describe(address)} does not exist yet: give its data path (a shared folder or s3://...) "
            "in [warehouse] data_path or $CREDITLENS_DATA_PATH"
        )
    if "://" not in data_path:
        Path(data_path).mkdir(parents=True, exist_ok=True)
        data_path = str(Path(data_path).resolve())
    con.execute(f"ATTACH {_quote(address)} AS {ALIAS} (DATA_PATH {_quote(data_path)})")


# Maintenance policy (docs/warehouse.md, "Maintenance"): snapshots stay queryable (`sql --as-of`)
# for this long, and files no snapshot needs any more are deleted this long after they were dropped,
# so that a query that started before then still finds its files.
KEEP_SNAPSHOTS = "90 days"
KEEP_DROPPED_FILES = "1 day"


def maintain(con: duckdb.DuckDBPyConnection) -> None:
    """Compact the small Parquet files every commit leaves, expire old snapshots, delete unneeded files."""
    con.execute(f"CALL ducklake_merge_adjacent_files({_quote(ALIAS)})")
    con.execute(f"CALL ducklake_expire_snapshots({_quote(ALIAS)}, older_than => now() - INTERVAL '{KEEP_SNAPSHOTS}')")
    con.execute(f"CALL ducklake_cleanup_old_files({_quote(ALIAS)}, older_than => now() - INTERVAL '{KEEP_DROPPED_FILES}')")


def table_sql(sql: str) -> str:
    """A migration without the constraints DuckLake lacks (PRIMARY KEY, UNIQUE); the keys stay
    declared in the migration, where `primary_keys` reads them for the MERGEs."""
    sql = re.sub(r",\s*\n\s*PRIMARY KEY \([^)]*\)", "", sql)
    return re.sub(r"\s+(?:PRIMARY KEY|UNIQUE)\b", "", sql)


def upsert_sql(table: str, source: str, changes: str | None = None) -> str:
    """MERGE the rows of `source` (one per key) into `table`: `changes` (a SET list over `excluded`
    and `table`) updates a stored row, else the stored row is replaced whole; new keys are inserted."""
    keys = primary_keys()[table]
    match = " AND ".join(f"{table}.{key} = excluded.{key}" for key in keys)
    update = f"UPDATE SET\n{changes}" if changes else "UPDATE"
    return (f"MERGE INTO {table} USING (SELECT * FROM {source}) AS excluded ON {match}\n"
            f"WHEN MATCHED THEN {update}\nWHEN NOT MATCHED THEN INSERT BY NAME")


def snapshot(con: duckdb.DuckDBPyConnection) -> int:
    """The lake's current snapshot version (every commit makes one)."""
    return con.execute(f"SELECT id FROM ducklake_current_snapshot({_quote(ALIAS)})").fetchone()[0]


def _index_folder(address: str | Path) -> Path:
    return state_dir(address) / "search-index"


def _built_indexes(address: str | Path) -> list[tuple[int, Path]]:
    """The local index files (`snapshot-<version>.duckdb`), oldest first."""
    found = []
    for path in _index_folder(address).glob("snapshot-*.duckdb"):
        version = path.stem.removeprefix("snapshot-")
        if version.isdigit():
            found.append((int(version), path))
    return sorted(found)


def _newest_index(address: str | Path) -> tuple[int, Path] | None:
    built = _built_indexes(address)
    return built[-1] if built else None


def refresh_search_index(con: duckdb.DuckDBPyConnection, address: str | Path) -> None:
    """Build the local search index from the lake's current snapshot, unless the newest index covers it.

    The articles of that snapshot are copied into a new file (a copy of the newest index, so that
    the fts index is rebuilt only when titles or texts changed: see search.refresh_index), which
    is renamed into place when complete; a `search` running meanwhile keeps the file it attached."""
    from warehouse.search import refresh_index

    version = snapshot(con)
    newest = _newest_index(address)
    if newest and newest[0] == version:
        return
    folder = _index_folder(address)
    folder.mkdir(parents=True, exist_ok=True)
    building = folder / f"building-{os.getpid()}.duckdb"
    building.unlink(missing_ok=True)
    try:
        if newest:
            shutil.copyfile(newest[1], building)
        articles = con.execute(
            "SELECT article_id, title, text FROM articles AT (VERSION => ?)", [version]
        ).fetch_record_batch()
        with duckdb.connect(str(building)) as local:
            local.register("articles_at_snapshot", articles)
            local.execute("CREATE OR REPLACE TABLE articles AS SELECT * FROM articles_at_snapshot")
            local.unregister("articles_at_snapshot")
            refresh_index(local)
            local.execute("CREATE OR REPLACE TABLE lake_snapshot AS SELECT ?::BIGINT AS version", [version])
        os.replace(building, folder / f"snapshot-{version}.duckdb")
    finally:
        building.unlink(missing_ok=True)
    for older, path in _built_indexes(address):
        if older < version:
            path.unlink(missing_ok=True)
