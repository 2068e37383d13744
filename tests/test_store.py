"""The warehouse's loading contract: idempotent upserts, nothing lost, spool survives crashes."""

import os
import subprocess
import sys
import textwrap

import duckdb
import pytest

from warehouse.records import Annotations, Article, Entity, Page, ThemeHit, utcnow
from warehouse.spool import Spool
from warehouse.store import Warehouse, WarehouseBusy, WarehouseError, migrate


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
    assert isinstance(duckdb.__version__, str)


def test_reloaded_article_keeps_annotations_only_while_its_text_is_unchanged(warehouse):
    def annotate():
        ann = Annotations("a1", "SPC", entities=[Entity("a1", 0, 3, "SPC", "ORG", "court.spc")])
        warehouse.load_annotations([ann], utcnow())

    warehouse.load_articles([Article(article_id="a1", url="u1", text="SPC", content_hash="h1")])
    annotate()
    warehouse.load_articles([Article(article_id="a1", url="u1", text="SPC", content_hash="h1")])
    assert count(warehouse, "entities") == 1 and count(warehouse, "article_entities") == 1
    assert warehouse.con.execute("SELECT annotated_at IS NOT NULL FROM articles").fetchone()[0]
    warehouse.load_articles([Article(article_id="a1", url="u1", text="SPC again", content_hash="h2")])
    assert count(warehouse, "entities") == 0
    assert warehouse.con.execute("SELECT annotated_at FROM articles").fetchone()[0] is None
    annotate()
    annotate()
    assert count(warehouse, "entities") == 1 and count(warehouse, "article_entities") == 1
