"""The SQL each backend speaks, checked without a server: the lake's DDL and MERGEs run on plain
DuckDB tables without constraints, which is what DuckLake gives them (tests/test_warehouse_lake.py
runs them on a real lake)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.backends import backend_for, ducklake, file, is_lake, primary_keys, state_dir
from warehouse.store import migrations

LAKE = "ducklake:postgres:dbname=news host=127.0.0.1 port=5432 user=creditlens"


def test_the_address_chooses_the_backend_and_the_state_folder():
    assert backend_for("creditlens.duckdb") is file and backend_for(Path("/data/x.duckdb")) is file
    assert backend_for(LAKE) is ducklake and is_lake(Path(LAKE))
    assert state_dir(Path("/data/x.duckdb")) == Path("/data/x.state")
    assert state_dir(LAKE) == Path("news.state")


def test_keys_come_from_the_migrations():
    keys = primary_keys()
    assert keys["pages"] == ("url",) and keys["articles"] == ("article_id",)
    assert keys["theme_catalog"] == ("theme", "taxonomy_version")
    assert "entities" not in keys  # replaced per article, never upserted


def _schema(con) -> list[tuple]:
    return con.execute("SELECT table_name, column_name, data_type FROM information_schema.columns ORDER BY ALL").fetchall()


def test_the_lake_ddl_is_the_schema_without_constraints():
    with duckdb.connect() as plain, duckdb.connect() as lake_like:
        for _, sql in migrations():
            plain.execute(sql)
            lake_like.execute(ducklake.table_sql(sql))
        assert _schema(lake_like) == _schema(plain)
        assert lake_like.execute("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type IN "
                                 "('PRIMARY KEY', 'UNIQUE')").fetchone()[0] == 0


def test_a_lake_upsert_replaces_by_the_whole_key_and_inserts_new_keys():
    with duckdb.connect() as con:
        for _, sql in migrations():
            con.execute(ducklake.table_sql(sql))
        rows = [{"theme": "T", "taxonomy_version": v, "name": v, "description": None} for v in ("1", "2")]
        for batch in (rows, [{**rows[1], "name": "renamed"}]):
            con.register("incoming", pa.Table.from_pylist(batch))
            con.execute(ducklake.upsert_sql("theme_catalog", "incoming"))
        assert con.execute("SELECT taxonomy_version, name FROM theme_catalog ORDER BY 1").fetchall() == [
            ("1", "1"), ("2", "renamed")]
