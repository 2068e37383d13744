"""`creditlens export` formats and destinations from the command line (issue 16)."""

import json

import duckdb
import pytest

from test_warehouse_views import build_indexed_warehouse_file
from tests.cli_helpers import creditlens, one_line_error


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_indexed_warehouse_file(tmp_path_factory.mktemp("exports") / "e.duckdb")


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_json_is_one_document_and_jsonl_is_lines(db, tmp_path):
    for what in ("articles", "entities", "topics"):
        document = creditlens("export", what, "--format", "json", "--out", tmp_path / f"{what}.json", "--db", db)
        assert document.returncode == 0, document.stderr
        with open(tmp_path / f"{what}.json", encoding="utf-8") as handle:
            assert json.load(handle)
        lines = creditlens("export", what, "--format", "jsonl", "--out", tmp_path / f"{what}.jsonl", "--db", db)
        assert lines.returncode == 0, lines.stderr
        rows = [json.loads(line) for line in (tmp_path / f"{what}.jsonl").read_text(encoding="utf-8").splitlines()]
        assert rows and all(isinstance(row, dict) for row in rows)


def test_out_naming_a_folder_writes_a_parquet_file_in_it(db, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    result = creditlens("export", "articles", "--format", "parquet", "--out", folder, "--db", db)
    assert result.returncode == 0, result.stderr
    assert f"wrote {folder / 'articles.parquet'}" in result.stdout
    assert duckdb.sql(f"SELECT count(*) FROM '{folder / 'articles.parquet'}'").fetchone() == (9,)


def test_unknown_theme_is_an_error_not_an_empty_file(db, tmp_path):
    result = creditlens("export", "articles", "--format", "csv", "--out", tmp_path / "a.csv", "--theme", "TRAVEL_BANS",
                        "--db", db)
    assert result.returncode == 1 and not (tmp_path / "a.csv").exists()
    assert "unknown --theme 'TRAVEL_BANS'; known: COURT_DEBTOR_BLACKLIST" in one_line_error(result)


def test_report_of_a_brought_corpus_from_the_command_line(db, tmp_path):
    result = creditlens("report", "--out", tmp_path / "r.html", "--db", db)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<h2>Who is quoted</h2>" in page and "<h2>Topic terms</h2>" in page
    assert "Articles in the corpus" in page and "share of everything crawled" not in page
