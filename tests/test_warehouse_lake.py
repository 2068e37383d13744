"""The DuckLake backend against a real PostgreSQL catalog: the same schema, loads and answers as a file.

Every test gets its own catalog database and data folder.  The commands run with the test's
folder as working directory, where a lake keeps its local state (`<dbname>.state/`).
"""

from __future__ import annotations

import itertools
import json
import time
from datetime import datetime, timezone

import duckdb
import pytest

from cli_helpers import creditlens, one_line_error
from postgres_server import PostgresServer, free_port, start_postgres
from test_cli import CORPUS, write_corpus
from warehouse.records import CrawlRun, Page
from warehouse.store import Warehouse

pytestmark = pytest.mark.slow  # a PostgreSQL server per session

_names = itertools.count()


@pytest.fixture(scope="session")
def postgres():
    yield from start_postgres()


@pytest.fixture
def lake(postgres):
    """A new, empty catalog database; the lake is created by the first command that writes."""
    dbname = f"lake{next(_names)}"
    postgres.create_database(dbname)
    return postgres.address(dbname)


def run(tmp_path, *args, data_path=None):
    env = {"CREDITLENS_DATA_PATH": str(data_path)} if data_path else {}
    return creditlens(*args, cwd=tmp_path, env=env)


def sql_json(tmp_path, db, query):
    result = run(tmp_path, "sql", query, "--db", db, "--format", "json")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_a_new_lake_needs_a_data_path_and_an_absent_one_cannot_be_read(tmp_path, lake):
    corpus = write_corpus(tmp_path / "corpus.jsonl", CORPUS)
    refused = run(tmp_path, "ingest", "jsonl", corpus, "--db", lake)
    assert refused.returncode == 1
    assert "[warehouse] data_path or $CREDITLENS_DATA_PATH" in one_line_error(refused)
    absent = run(tmp_path, "sql", "SELECT 1", "--db", lake)
    assert absent.returncode == 1 and "no lake at" in one_line_error(absent)
    # the refused ingest kept its records in the spool: the first command that can open the lake loads them
    created = run(tmp_path, "ingest", "jsonl", corpus, "--db", lake, data_path=tmp_path / "data")
    assert created.returncode == 0, created.stderr
    assert "loaded 2 spool file(s): 4 articles" in created.stdout  # the refused run's and its own
    assert sql_json(tmp_path, lake, "SELECT count(*) AS n FROM articles") == [{"n": 2}]
    assert list((tmp_path / "data").rglob("*")), "the lake's files live under its data path"
    # afterwards the catalog knows the data path: no setting needed, and another one is ignored
    again = run(tmp_path, "ingest", "jsonl", corpus, "--db", lake, data_path=tmp_path / "elsewhere")
    assert again.returncode == 0, again.stderr
    assert not (tmp_path / "elsewhere").exists()
    assert sql_json(tmp_path, lake, "SELECT count(*) AS n FROM articles") == [{"n": 2}]


def _columns(warehouse: Warehouse) -> list[tuple]:
    return warehouse.con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema = 'main' ORDER BY ALL"
    ).fetchall()


def test_the_lake_has_the_same_tables_columns_views_and_version(tmp_path, lake):
    with Warehouse(tmp_path / "file.duckdb") as file, Warehouse(lake, data_path=str(tmp_path / "data")) as on_lake:
        assert _columns(on_lake) == _columns(file)
        version = "SELECT max(version) FROM schema_version"
        assert on_lake.con.execute(version).fetchone() == file.con.execute(version).fetchone()
    with Warehouse(lake) as reopened:  # a second open applies nothing and finds its data path
        assert reopened.con.execute("SELECT count(*) FROM schema_version").fetchone()[0] == \
            len(reopened.con.execute("SELECT DISTINCT version FROM schema_version").fetchall())


def _page(url, html, fetched_at, sha):
    return Page(url=url, status=200 if html else 503, fetched_at=fetched_at, html=html, sha256=sha,
                source="demo", run_id="r1", origin="crawl")


def _load_the_same_history(warehouse: Warehouse) -> None:
    first = datetime(2026, 1, 1, tzinfo=timezone.utc)
    later = datetime(2026, 1, 2, tzinfo=timezone.utc)
    warehouse.load_pages([_page("https://a.example/1", b"one", first, "h1"), _page("https://a.example/2", b"two", first, "h2")])
    # a failed re-fetch keeps the stored page; a second copy of a key in one batch counts once
    warehouse.load_pages([_page("https://a.example/1", None, later, None),
                          _page("https://a.example/3", b"three", later, "h3"),
                          _page("https://a.example/3", b"three!", later, "h3b")])
    run = CrawlRun(run_id="r1", command="crawl", started_at=first, status="running")
    warehouse.load_records([run])
    warehouse.load_records([CrawlRun(run_id="r1", command="crawl", started_at=first, ended_at=later, status="finished")])
    catalog = [{"theme": "T1", "taxonomy_version": v, "name": f"T1 {v}", "description": None} for v in ("1", "2")]
    warehouse.upsert_rows("theme_catalog", catalog, key="theme")
    warehouse.upsert_rows("theme_catalog", [{**catalog[1], "name": "renamed"}], key="theme")


def _contents(warehouse: Warehouse) -> dict[str, list]:
    return {
        "pages": warehouse.con.execute(
            "SELECT url, status, fetched_at, html, sha256 FROM pages ORDER BY url").fetchall(),
        "crawl_runs": warehouse.con.execute("SELECT run_id, status, ended_at FROM crawl_runs").fetchall(),
        "theme_catalog": warehouse.con.execute(
            "SELECT theme, taxonomy_version, name FROM theme_catalog ORDER BY ALL").fetchall(),
    }


def test_upserts_on_the_lake_leave_the_rows_the_file_keeps(tmp_path, lake):
    with Warehouse(tmp_path / "file.duckdb") as file, Warehouse(lake, data_path=str(tmp_path / "data")) as on_lake:
        _load_the_same_history(file)
        _load_the_same_history(on_lake)
        expected = _contents(file)
        assert _contents(on_lake) == expected
    assert [row[:2] for row in expected["pages"]] == [
        ("https://a.example/1", 200), ("https://a.example/2", 200), ("https://a.example/3", 200)]
    assert expected["pages"][0][3] == b"one" and expected["pages"][2][3] == b"three!"
    assert expected["crawl_runs"][0][1] == "finished"
    assert expected["theme_catalog"] == [("T1", "1", "T1 1"), ("T1", "2", "renamed")]


TABLES = ("pages", "articles", "entities", "article_entities", "themes", "quotes", "figures",
          "entity_catalog", "theme_catalog", "entity_pair_counts")


def test_ingest_process_sql_export_and_report_give_the_file_answers_on_the_lake(tmp_path, lake):
    corpus = write_corpus(tmp_path / "corpus.jsonl", CORPUS)
    file = tmp_path / "file.duckdb"
    for db in (file, lake):
        for args in (("ingest", "jsonl", corpus), ("ingest", "jsonl", corpus), ("process",)):
            result = run(tmp_path, *args, "--db", db, data_path=tmp_path / "data")
            assert result.returncode == 0, result.stderr
    for table in TABLES:
        query = f"SELECT * EXCLUDE ({_timestamps(file, table)}) FROM {table} ORDER BY ALL" \
            if _timestamps(file, table) else f"SELECT * FROM {table} ORDER BY ALL"
        assert sql_json(tmp_path, lake, query) == sql_json(tmp_path, file, query), table
    assert sql_json(tmp_path, lake, "SELECT count(*) AS n FROM articles") == [{"n": 2}]
    for view in ("top_entities", "theme_trends", "stories"):
        assert sql_json(tmp_path, lake, f"SELECT * FROM {view}") == sql_json(tmp_path, file, f"SELECT * FROM {view}")

    # the local search index: the articles of the snapshot `process` ended with, indexed by fts
    (index,) = (tmp_path / f"{lake.split('dbname=')[1].split()[0]}.state" / "search-index").glob("snapshot-*.duckdb")
    with duckdb.connect(str(index), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM fts_main_articles.docs").fetchone()[0] == 2
        assert con.execute("SELECT version FROM lake_snapshot").fetchone()[0] == int(index.stem.split("-")[1])

    confined = run(tmp_path, "sql", "SELECT * FROM read_text('/etc/passwd')", "--db", lake)
    assert confined.returncode == 1 and "disabled by configuration" in confined.stderr

    for db, out in ((file, tmp_path / "file.csv"), (lake, tmp_path / "lake.csv")):
        exported = run(tmp_path, "export", "articles", "--format", "csv", "--out", out, "--db", db)
        assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "lake.csv").read_text(encoding="utf-8") == (tmp_path / "file.csv").read_text(encoding="utf-8")
    assert "Court adds debtors" in (tmp_path / "lake.csv").read_text(encoding="utf-8")
    reported = run(tmp_path, "report", "--out", tmp_path / "report.html", "--db", lake)
    assert reported.returncode == 0, reported.stderr
    assert "Court adds debtors" in (tmp_path / "report.html").read_text(encoding="utf-8")


def _timestamps(db, table) -> str:
    """Columns set to the time of the run (they differ between two runs by design)."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = [row[0] for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND data_type LIKE 'TIMESTAMP%' AND column_name <> 'published_at'", [table]).fetchall()]
    return ", ".join(names)


def test_an_unreachable_catalog_is_a_one_line_error(tmp_path, postgres):
    unreachable = PostgresServer(postgres.host, free_port(), postgres.user).address("creditlens")
    result = run(tmp_path, "sql", "SELECT 1", "--db", unreachable)
    assert result.returncode == 1
    assert one_line_error(result).startswith("error: cannot open lake ducklake:postgres:dbname=creditlens")


def test_the_demo_on_the_lake_stores_what_it_stores_in_a_file(tmp_path, lake):
    """crawl, process and topics of the demo, run by `creditlens demo`, on both backends."""
    file = tmp_path / "demo.duckdb"
    for db, out in ((file, "file-out"), (lake, "lake-out")):
        result = run(tmp_path, "demo", "--db", db, "--out", tmp_path / out, data_path=tmp_path / "data")
        assert result.returncode == 0, result.stderr
    counts = " UNION ALL ".join(f"SELECT '{table}' AS name, count(*) AS n FROM {table}"
                                for table in (*TABLES, "crawl_runs", "sources", "topics", "article_topics"))
    assert sql_json(tmp_path, lake, counts) == sql_json(tmp_path, file, counts)
    assert sql_json(tmp_path, lake, "SELECT count(*) AS n FROM articles")[0]["n"] > 10
    assert sql_json(tmp_path, lake, "SELECT * FROM top_sources") == \
        sql_json(tmp_path, file, "SELECT * FROM top_sources")


def test_sql_as_of_reads_the_lake_as_it_was(tmp_path, lake):
    data = tmp_path / "data"
    assert run(tmp_path, "ingest", "jsonl", write_corpus(tmp_path / "one.jsonl", CORPUS[:1]), "--db", lake,
               data_path=data).returncode == 0
    between = datetime.now(timezone.utc)
    time.sleep(0.1)
    assert run(tmp_path, "ingest", "jsonl", write_corpus(tmp_path / "two.jsonl", CORPUS[1:]), "--db", lake).returncode == 0
    count = "SELECT count(*) AS n FROM articles"
    assert sql_json(tmp_path, lake, count) == [{"n": 2}]
    past = run(tmp_path, "sql", count, "--db", lake, "--as-of", between.isoformat(), "--format", "json")
    assert past.returncode == 0, past.stderr
    assert json.loads(past.stdout) == {"n": 1}
    too_early = run(tmp_path, "sql", count, "--db", lake, "--as-of", "2001-01-01")
    assert too_early.returncode == 1 and "no snapshot as of 2001-01-01" in one_line_error(too_early)
    on_a_file = run(tmp_path, "sql", "SELECT 1", "--db", tmp_path / "x.duckdb", "--as-of", "2026-01-01")
    assert on_a_file.returncode == 1 and "keeps no history" in one_line_error(on_a_file)
