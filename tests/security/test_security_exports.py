"""Exports and printed tables under hostile data (issue 12, low findings): Markdown
escapes HTML, CSV cells never start a spreadsheet formula unless asked for raw, rich
markup and escape sequences in data reach no terminal, and no writer follows a link
planted beside its output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest

from cli_helpers import creditlens
from test_security_report import HOSTILE_TITLE, JAVASCRIPT_URL, hostile_warehouse
from warehouse.exports import export
from warehouse.search import refresh_index

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "hostile.duckdb"
    with hostile_warehouse(path) as wh:
        for article_id, formula in zip(("rail1", "flight", "sesame", "privacy", "laolai", "undated"), FORMULAS):
            wh.con.execute("UPDATE articles SET source = ? WHERE article_id = ?", [formula, article_id])
        wh.con.execute("UPDATE topics SET label = '=1+2' WHERE model_id = 'm1' AND topic_id = 0")
        refresh_index(wh.con)
    return path


def test_markdown_export_escapes_html_and_links_only_http(tmp_path, db):
    out = tmp_path / "topics.md"
    result = creditlens("export", "topics", "--format", "md", "--out", out, "--db", db)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=" in text
    assert "<img" not in text and "<script" not in text
    assert "](javascript:" not in text and "](data:" not in text and JAVASCRIPT_URL not in text
    assert "](https://" in text  # real links stay links
    assert "\r" not in text and "|  cmd | 1 |" in text  # a line break in data never ends a table row


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_csv_cells_never_start_a_formula(tmp_path, db):
    for what in ("articles", "entities", "topics"):
        out = tmp_path / f"{what}.csv"
        result = creditlens("export", what, "--format", "csv", "--out", out, "--db", db)
        assert result.returncode == 0, result.stderr
        cells = [cell for row in csv.reader(out.open(encoding="utf-8", newline="")) for cell in row]
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], what
    sources = {row["source"] for row in csv.DictReader((tmp_path / "articles.csv").open(encoding="utf-8", newline=""))}
    assert {"'" + formula for formula in FORMULAS} <= sources  # kept, as text
    labels = [row["label"] for row in csv.DictReader((tmp_path / "topics.csv").open(encoding="utf-8", newline=""))]
    assert "'=1+2" in labels


def test_raw_csv_keeps_cells_as_they_are_for_programs(tmp_path, db):
    out = tmp_path / "articles.csv"
    assert creditlens("export", "articles", "--format", "csv", "--out", out, "--db", db, "--raw-csv").returncode == 0
    sources = {row["source"] for row in csv.DictReader(out.open(encoding="utf-8", newline=""))}
    assert set(FORMULAS) <= sources


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_sql_csv_output_is_spreadsheet_safe_unless_raw(db):
    query = "SELECT source, word_count FROM articles ORDER BY article_id"
    safe = creditlens("sql", query, "--db", db, "--format", "csv")
    assert safe.returncode == 0, safe.stderr
    rows = list(csv.reader(io.StringIO(safe.stdout, newline="")))
    assert not [c for row in rows for c in row if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in [row[0] for row in rows]
    raw = creditlens("sql", query, "--db", db, "--format", "csv", "--raw-csv")
    assert FORMULAS[0] in [row[0] for row in csv.reader(io.StringIO(raw.stdout, newline=""))]
    negative = creditlens("sql", "SELECT -5 AS n", "--db", db, "--format", "csv")
    assert negative.stdout.split() == ["n", "-5"]  # numbers are not text: never prefixed


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_markup_and_escape_sequences_in_data_reach_no_terminal(db):
    for command in (("sql", "SELECT title, url FROM articles WHERE article_id = 'rail2'"),
                    ("search", "ticket purchases")):
        result = creditlens(*command, "--db", db)
        assert result.returncode == 0, result.stderr
        assert "[/]" in result.stdout  # printed as it is, not parsed as markup
        assert "\x1b" not in result.stdout and "\x1b" not in result.stderr
    title = creditlens("sql", "SELECT title FROM articles WHERE article_id = 'rail2'", "--db", db, "--format", "json")
    assert json.loads(title.stdout)["title"] == HOSTILE_TITLE  # the data itself is kept


def test_export_writers_do_not_follow_a_planted_link(tmp_path, db):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    with duckdb.connect(str(db), read_only=True) as con:
        for what, fmt in (("topics", "md"), ("topics", "csv"), ("topics", "json"), ("articles", "csv"),
                          ("articles", "parquet")):
            out = tmp_path / f"{what}.{fmt}"
            Path(f"{out}.part").symlink_to(victim)
            export(con, what, fmt, out)
            assert victim.read_text() == "precious", (what, fmt)
            assert out.is_file() and not out.is_symlink() and out.stat().st_size > 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".") and p.name.endswith(".part")]
