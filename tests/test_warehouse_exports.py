"""Exports of the small newsroom of test_warehouse_views open in pandas, polars and
DuckDB, honour the filters, carry no personal data, and summarise the current topic
model in a form a researcher can paste into a paper."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pandas as pd
import polars as pl
import pytest

import warehouse.exports as exports
from test_warehouse_views import build_warehouse
from warehouse.exports import ExportError, export
from warehouse.search import refresh_index
from warehouse.store import Warehouse


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    """Shared by the tests of this module, which only read it."""
    wh = build_warehouse(tmp_path_factory.mktemp("warehouse") / "exports.duckdb")
    refresh_index(wh.con)
    yield wh.con
    wh.close()


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "parquet"])
def test_articles_open_in_pandas_polars_and_duckdb(con, tmp_path, fmt):
    out = export(con, "articles", fmt, tmp_path / f"articles.{fmt}")
    if fmt == "csv":
        frames = [pd.read_csv(out), pl.read_csv(out).to_pandas()]
    elif fmt == "json":  # one JSON document
        assert len(json.loads(out.read_text(encoding="utf-8"))) == 9
        frames = [pd.read_json(out), pl.read_json(out).to_pandas()]
    elif fmt == "jsonl":
        frames = [pd.read_json(out, lines=True), pl.read_ndjson(out).to_pandas()]
    else:
        frames = [pd.read_parquet(out), pl.read_parquet(out).to_pandas()]
    in_duckdb = duckdb.sql(f"SELECT article_id FROM '{out}'").fetchall()
    assert len(in_duckdb) == 9 and ("laolai",) in in_duckdb
    for frame in frames:
        assert len(frame) == 9
        assert set(frame["article_id"]) >= {"rail1", "cooking", "laolai"}
    themes = frames[0].set_index("article_id").loc["rail1", "themes"]
    if fmt == "csv":
        assert themes == "TRAVEL_BAN_TRAINS; COURT_DEBTOR_BLACKLIST"
    else:
        assert list(themes) == ["TRAVEL_BAN_TRAINS", "COURT_DEBTOR_BLACKLIST"]


def test_filters_and_query_narrow_the_export(con, tmp_path):
    out = export(con, "articles", "jsonl", tmp_path / "a.jsonl", since=date(2024, 1, 1), until=date(2024, 1, 31),
                 theme="TRAVEL_BAN_TRAINS")
    assert sorted(json.loads(line)["article_id"] for line in out.read_text().splitlines()) == ["rail1", "rail1-copy"]
    out = export(con, "articles", "csv", tmp_path / "b.csv", source="beacon", query='"travel ban"')
    assert sorted(pd.read_csv(out)["article_id"]) == ["rail1", "rail2"]


def test_exports_never_carry_resident_ids_or_phone_numbers(con, tmp_path):
    for fmt in ("csv", "json", "parquet"):
        out = export(con, "articles", fmt, tmp_path / f"p.{fmt}", query="privacy law")
        raw = out.read_bytes()
        assert b"110101199003074578" not in raw and b"13812345678" not in raw
    text = pd.read_csv(tmp_path / "p.csv").set_index("article_id").loc["privacy", "text"]
    assert "Call [redacted] or ID [redacted] were redacted" in text


def test_entities_export(con, tmp_path):
    out = export(con, "entities", "parquet", tmp_path / "entities.parquet", theme="PRIVACY_DATA_PROTECTION")
    frame = pd.read_parquet(out)
    assert sorted(set(frame["entity_id"])) == ["company.ant_group", "person.wang_fang"]
    assert set(frame.columns) >= {"article_id", "entity_id", "name", "label", "text", "start_char", "source"}


def test_large_articles_parquet_is_partitioned_by_month(con, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "PARTITION_ROWS", 3)
    out = export(con, "articles", "parquet", tmp_path / "big")
    assert sorted(p.name for p in out.iterdir()) == ["month=2024-01", "month=2024-02", "month=2024-03", "month=undated"]
    assert len(pd.read_parquet(out)) == 9
    assert len(pl.read_parquet(out / "**" / "*.parquet", hive_partitioning=True)) == 9
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/**/*.parquet', hive_partitioning = true)").fetchone() == (9,)
    export(con, "articles", "parquet", out, theme="TRAVEL_BAN_TRAINS")  # a re-run replaces the earlier export
    assert sorted(p.name for p in out.iterdir()) == ["month=2024-01", "month=2024-03", "month=undated"]
    assert len(pd.read_parquet(out)) == 4


def test_topics_summary_covers_the_current_model_only(con, tmp_path):
    out = export(con, "topics", "jsonl", tmp_path / "topics.jsonl")
    topics = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    document = json.loads(export(con, "topics", "json", tmp_path / "topics.json").read_text(encoding="utf-8"))
    assert document["model"]["model_id"] == "m1" and document["filters"] == "all articles"
    assert [{"model_id": "m1", **t} for t in document["topics"]] == topics
    assert [t["label"] for t in topics] == ["rail travel bans", "credit scores and privacy", "court lists"]
    rail = topics[0]
    assert rail["model_id"] == "m1" and rail["terms"][:2] == ["rail", "ban"] and rail["weights"][0] == 0.9
    assert rail["size"] == 4 and rail["share"] == 0.5
    assert rail["articles"] == 4  # rail1, its copy, flight and rail2 have it as their main topic
    assert rail["by_month"] == [{"month": "2024-01", "articles": 3}, {"month": "2024-03", "articles": 1}]
    assert {"source": "beacon", "articles": 2} in rail["by_source"]
    assert rail["representative"][0] == {"title": "Spring festival rail ban figures", "url": "https://beacon.example/rail2",
                                         "source": "beacon", "weight": 0.9}
    assert all(r["url"] != "https://harbour.example/rail1-copy" for r in rail["representative"])
    assert "stale topic" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_topics_summary_as_a_table(con, tmp_path, fmt):
    out = export(con, "topics", fmt, tmp_path / f"topics.{fmt}")
    frame = pd.read_csv(out) if fmt == "csv" else pd.read_parquet(out)
    assert list(frame["topic_id"]) == [0, 1, 2]
    assert len(frame) == 3


def test_topics_markdown_reads_like_an_appendix(con, tmp_path):
    out = export(con, "topics", "md", tmp_path / "topics.md", theme="TRAVEL_BAN_TRAINS")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Topic model summary")
    assert "NMF with k = 3 topics" in text and "theme TRAVEL_BAN_TRAINS" in text
    assert "## Topic 0: rail travel bans" in text
    assert "rail (0.900), ban (0.800)" in text
    assert "[Spring festival rail ban figures](https://beacon.example/rail2) — beacon, weight 0.90" in text
    assert "| 2024-01 | 2 |" in text


def test_bad_requests_get_one_line_errors(con, tmp_path):
    with pytest.raises(ExportError, match="cannot export 'pages'"):
        export(con, "pages", "csv", tmp_path / "x.csv")
    with pytest.raises(ExportError, match="articles cannot be exported as 'md'"):
        export(con, "articles", "md", tmp_path / "x.md")
    (tmp_path / "folder" / "articles.csv").mkdir(parents=True)
    (tmp_path / "folder" / "articles.csv" / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="not an earlier creditlens export"):
        export(con, "articles", "csv", tmp_path / "folder")


def test_out_naming_a_folder_writes_a_named_file_in_it(con, tmp_path, monkeypatch):
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "notes.txt").write_text("mine")
    out = export(con, "articles", "parquet", tmp_path / "exports")
    assert out == tmp_path / "exports" / "articles.parquet" and len(pd.read_parquet(out)) == 9
    monkeypatch.setattr(exports, "PARTITION_ROWS", 3)
    big = export(con, "articles", "parquet", tmp_path / "exports")
    assert big == tmp_path / "exports" / "articles.parquet" and big.is_dir()
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{big}/*/*.parquet')").fetchone() == (9,)
    assert (tmp_path / "exports" / "notes.txt").read_text() == "mine"


def test_topics_need_a_current_model(tmp_path):
    with build_warehouse(tmp_path / "no-model.duckdb") as wh:
        wh.con.execute("UPDATE topic_models SET is_current = false")
        with pytest.raises(ExportError, match="no current topic model"):
            export(wh.con, "topics", "md", tmp_path / "t.md")


def test_exports_work_on_a_read_only_connection(tmp_path):
    """The CLI exports from a read-only connection, so a scheduled load is never blocked."""
    with build_warehouse(tmp_path / "ro.duckdb") as wh:
        refresh_index(wh.con)
    with Warehouse(tmp_path / "ro.duckdb", read_only=True) as ro:
        out = export(ro.con, "articles", "csv", tmp_path / "ro.csv", query='"travel ban"', theme="TRAVEL_BAN_TRAINS")
        assert sorted(pd.read_csv(out)["article_id"]) == ["rail1", "rail1-copy", "rail2", "undated"]
        assert export(ro.con, "topics", "md", tmp_path / "ro.md").read_text(encoding="utf-8").startswith("# Topic")
