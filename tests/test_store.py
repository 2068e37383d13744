"""The warehouse's loading contract: idempotent upserts, nothing lost, spool survives crashes."""

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import duckdb
import pytest

from warehouse.records import Annotations, Article, CrawlRun, Entity, Page, ThemeHit, utcnow
from warehouse.spool import Spool
from warehouse.store import Warehouse, WarehouseBusy, WarehouseError, migrate, migrations


@pytest.fixture
def warehouse(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        yield wh


def count(wh, table):
    return wh.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_migrations_are_recorded_and_rerunnable(warehouse):
    version = warehouse.con.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    assert version >= 1
    assert migrate(warehouse.con) == version  # a second open applies nothing
    tables = {r[0] for r in warehouse.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"sources", "crawl_runs", "pages", "articles", "entities", "entity_catalog", "themes",
            "topic_models", "topics", "article_topics", "quotes", "figures"} <= tables


def test_an_older_database_migrates_forward_with_its_entity_summary_filled(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ DEFAULT now())")
    version, first = migrations()[0]
    con.execute(first)
    con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
    con.execute("INSERT INTO entities VALUES ('a1', 0, 3, 'SPC', 'ORG', 'court.spc'), "
                "('a1', 9, 13, 'NDRC', 'ORG', 'gov.ndrc'), ('a1', 20, 27, 'the SPC', 'ORG', 'court.spc')")
    assert migrate(con) == migrations()[-1][0]
    assert con.execute("SELECT entity_id, text, mentions FROM article_entities ORDER BY 1").fetchall() == [
        ("court.spc", "SPC", 2), ("gov.ndrc", "NDRC", 1)]


def test_page_upsert_is_idempotent_and_a_failed_refetch_keeps_the_page(warehouse):
    page = Page.from_html("https://a.example/1", "<html><p>story</p></html>", status=200, source="a")
    warehouse.load_pages([page, page])
    warehouse.load_pages([page])
    assert count(warehouse, "pages") == 1
    warehouse.load_pages([Page(url="https://a.example/1", status=503, error="http 503", error_kind="http_5xx")])
    status, error, html = warehouse.con.execute("SELECT status, error, html FROM pages").fetchone()
    assert (status, error) == (200, "http 503")
    assert Page(url="x", status=200, html=html).text() == "<html><p>story</p></html>"


def test_changed_page_is_marked_for_extraction_again(warehouse):
    warehouse.load_pages([Page.from_html("https://a.example/1", "v1", status=200)])
    warehouse.mark_extracted([{"url": "https://a.example/1", "page_kind": "article", "extract_error": None,
                               "extracted_at": utcnow()}])
    warehouse.load_pages([Page.from_html("https://a.example/1", "v1", status=200)])
    assert warehouse.con.execute("SELECT page_kind FROM pages").fetchone()[0] == "article"
    warehouse.load_pages([Page.from_html("https://a.example/1", "v2", status=200)])
    assert warehouse.con.execute("SELECT page_kind, extracted_at FROM pages").fetchone() == (None, None)


def test_annotations_replace_per_article(warehouse):
    warehouse.load_articles([Article(article_id="a1", url="u1", text="The SPC said.")])
    first = Annotations("a1", "The SPC said.", entities=[Entity("a1", 4, 7, "SPC", "ORG", "court.spc")],
                        themes=[ThemeHit("a1", "COURT", 5.0, "v1")])
    warehouse.load_annotations([first], utcnow())
    warehouse.load_annotations([first], utcnow())
    assert count(warehouse, "entities") == 1 and count(warehouse, "themes") == 1
    assert warehouse.con.execute("SELECT annotated_at IS NOT NULL FROM articles").fetchone()[0]


def test_spool_round_trip_and_damaged_last_line(tmp_path, warehouse):
    spool = Spool(tmp_path / "spool")
    spool.write_all("t", [Page.from_html("https://a.example/%d" % i, "x%d" % i, status=200) for i in range(3)])
    # a writer killed mid-line leaves a .part file with a cut-off last record
    part = tmp_path / "spool" / "dead.jsonl.part"
    good = (tmp_path / "spool").glob("*.jsonl").__next__().read_text().splitlines()[0]
    part.write_text(good.replace("/0", "/9") + "\n" + good[:40])
    totals = warehouse.drain_spool(spool)
    assert totals["pages"] == 4 and totals["damaged_lines"] == 1
    assert count(warehouse, "pages") == 4
    assert len(spool) == 0


def test_spool_files_load_in_the_order_written_and_a_run_keeps_its_closing_record(tmp_path, warehouse):
    spool = Spool(tmp_path / "spool")
    opened = CrawlRun(run_id="r1", command="crawl", started_at=utcnow())
    closed = CrawlRun(run_id="r1", command="crawl", started_at=opened.started_at, status="finished", pages_fetched=5)
    spool.write_all("run", [opened])
    spool.write_all("crawl", [Page(url="https://a.example/", status=200)])  # a prefix sorting before "run"
    spool.write_all("run", [closed])
    assert [p.name.split("-")[1] for p in spool.pending()] == ["run", "crawl", "run"]
    warehouse.drain_spool(spool)
    warehouse.load_records([opened])  # a late copy of the opening record changes nothing
    assert warehouse.con.execute("SELECT status, pages_fetched FROM crawl_runs").fetchall() == [("finished", 5)]


def test_spool_skips_files_a_live_writer_holds(tmp_path):
    spool = Spool(tmp_path / "spool")
    with spool.writer("live") as writer:
        writer.write(Page(url="u", status=200))
        assert spool.pending() == []
    assert len(spool.pending()) == 1


def test_busy_database_is_reported_as_busy(tmp_path):
    db = tmp_path / "held.duckdb"
    Warehouse(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(db)!r})
            print("ready", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseBusy):
            Warehouse(db)
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


def test_unreadable_database_is_one_clear_error(tmp_path):
    db = tmp_path / "garbage.duckdb"
    db.write_bytes(os.urandom(4096))
    with pytest.raises(WarehouseError) as caught:
        Warehouse(db)
    assert str(caught.value).startswith("cannot open database") and "\n" not in str(caught.value)
    with pytest.raises(WarehouseError, match="no database"):
        Warehouse(tmp_path / "missing.duckdb", read_only=True)


def test_the_installed_duckdb_is_the_pinned_one():
    """The FTS extension file is loaded by path and must match the engine's version exactly."""
    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    pins = dict(pin.split("==") for pin in project["project"]["dependencies"] if "==" in pin)
    assert duckdb.__version__ == pins["duckdb"] == pins["duckdb-extension-fts"]


def test_reloaded_article_keeps_annotations_only_while_its_text_is_unchanged(warehouse):
    def annotate():
        mentions = [Entity("a1", 0, 3, "SPC", "ORG", "court.spc"), Entity("a1", 8, 11, "NDRC", "ORG", "gov.ndrc"),
                    Entity("a1", 20, 23, "the SPC", "ORG", "court.spc")]
        warehouse.load_annotations([Annotations("a1", "SPC and NDRC", entities=mentions)], utcnow())

    def annotation_counts():
        return [count(warehouse, table) for table in ("entities", "article_entities")]

    warehouse.load_articles([Article(article_id="a1", url="u1", text="SPC", content_hash="h1")])
    annotate()
    warehouse.load_articles([Article(article_id="a1", url="u1", text="SPC", content_hash="h1")])
    assert annotation_counts() == [3, 2]
    assert warehouse.con.execute("SELECT annotated_at IS NOT NULL FROM articles").fetchone()[0]
    assert warehouse.con.execute(
        "SELECT text, mentions FROM article_entities WHERE entity_id = 'court.spc'").fetchone() == ("SPC", 2)
    warehouse.load_articles([Article(article_id="a1", url="u1", text="SPC again", content_hash="h2")])
    assert annotation_counts() == [0, 0]
    assert warehouse.con.execute("SELECT annotated_at FROM articles").fetchone()[0] is None
    annotate()
    annotate()
    assert annotation_counts() == [3, 2]


def test_entity_pair_counts_are_rebuilt_from_relevant_articles_only(warehouse):
    def named(article_id, *entity_ids):
        return Annotations(article_id, "", entities=[
            Entity(article_id, n, n + 1, entity_id, "ORG", entity_id) for n, entity_id in enumerate(entity_ids)])

    warehouse.load_articles([Article(article_id=a, url=a, text="t", is_relevant=a != "off")
                             for a in ("one", "two", "off")])
    warehouse.load_annotations([named("one", "b", "a", "c", "a"), named("two", "a", "b"), named("off", "a", "b")],
                               utcnow())
    warehouse.refresh_entity_pairs()
    warehouse.refresh_entity_pairs()
    pairs = warehouse.con.execute("SELECT entity_a, entity_b, articles FROM entity_cooccurrence").fetchall()
    assert pairs == [("a", "b", 2), ("a", "c", 1), ("b", "c", 1)]
