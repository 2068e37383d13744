"""`creditlens sql` and `creditlens schema` as an analyst meets them (issue 16)."""

import csv
import json
import re

import pytest

from tests.cli_helpers import creditlens, one_line_error
from warehouse.store import Warehouse


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "c.duckdb"
    with Warehouse(path) as wh:
        wh.con.execute(
            "INSERT INTO articles (article_id, url, text, title, tags, content_hash, extracted_at) "
            "SELECT 'a' || i, 'https://example.org/' || i, 'Text ' || i, 'Title ' || i, ['east-wire', 'x'], 'h', now() "
            "FROM range(100) t(i)"
        )
    return path


def test_sql_shows_duckdbs_whole_error_without_a_traceback(db):
    result = creditlens("sql", "SELECT * FROM attention_month", "--db", db)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: query failed: Catalog Error")
    assert 'Did you mean "attention_monthly"?' in result.stderr
    binding = creditlens("sql", "SELECT mont FROM attention_monthly", "--db", db)
    assert 'Candidate bindings: "month"' in binding.stderr


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_sql_caps_rows_in_a_table_and_says_how_many_more(db):
    capped = creditlens("sql", "SELECT article_id FROM articles ORDER BY article_id", "--db", db)
    assert capped.returncode == 0
    assert len(re.findall(r"│ a\d+", capped.stdout)) == 40
    assert "60 more row(s) not shown (--limit 40; --limit 0 shows all)" in capped.stdout
    five = creditlens("sql", "SELECT article_id FROM articles", "--db", db, "--limit", "5")
    assert len(re.findall(r"│ a\d+", five.stdout)) == 5 and "95 more row(s)" in five.stdout
    everything = creditlens("sql", "SELECT article_id FROM articles", "--db", db, "--limit", "0")
    assert len(re.findall(r"│ a\d+", everything.stdout)) == 100 and "more row" not in everything.stdout
    # csv and json are data: never cut unless asked
    as_csv = creditlens("sql", "SELECT article_id FROM articles", "--db", db, "--format", "csv")
    assert len(as_csv.stdout.splitlines()) == 101 and as_csv.stderr == ""
    cut_json = creditlens("sql", "SELECT article_id FROM articles", "--db", db, "--format", "json", "--limit", "3")
    assert len(cut_json.stdout.splitlines()) == 3 and "97 more row(s)" in cut_json.stderr


def test_a_wide_table_at_80_columns_keeps_readable_headers_and_names_what_it_left_out(db):
    result = creditlens("sql", "SELECT * FROM articles", "--db", db, "--limit", "2", env={"COLUMNS": "80"})
    assert result.returncode == 0
    assert max(len(line) for line in result.stdout.splitlines() if line.startswith(("┃", "│"))) <= 80
    header = next(line for line in result.stdout.splitlines() if line.startswith("┃"))
    assert "article_id" in header and "…" not in header
    assert re.search(r"more column\(s\) not shown at this width: .*\btext\b", result.stdout)


def test_csv_writes_lists_as_json_arrays(db):
    result = creditlens("sql", "SELECT tags, {'n': 1} AS s FROM articles LIMIT 1", "--db", db, "--format", "csv")
    assert result.stdout.splitlines()[1] == '"[""east-wire"", ""x""]","{""n"": 1}"'
    row = next(csv.reader(result.stdout.splitlines()[1:]))
    assert json.loads(row[0]) == ["east-wire", "x"] and json.loads(row[1]) == {"n": 1}


def test_top_entities_mentions_is_bigint(db):
    result = creditlens("sql", "SELECT data_type FROM duckdb_columns() WHERE table_name = 'top_entities' "
                        "AND column_name = 'mentions'", "--db", db, "--format", "csv")
    assert result.stdout.splitlines()[1] == "BIGINT"


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_schema_lists_tables_and_views_with_descriptions_from_the_doc(db):
    result = creditlens("schema", "--db", db)
    assert result.returncode == 0, result.stderr
    assert re.search(r"│ articles +│ table +│ 100 +│ The clean stories", result.stdout)
    assert re.search(r"│ attention_monthly +│ view +│ +│ relevant articles and stories per month", result.stdout)
    one = creditlens("schema", "articles", "--db", db)
    assert re.search(r"│ duplicate_of +│ VARCHAR +│ the article_id this article is a near-verbatim", one.stdout)
    view = creditlens("schema", "attention_monthly", "--db", db)
    assert re.search(r"│ all_articles +│ BIGINT +│ everything crawled", view.stdout)


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_schema_of_an_unknown_name_lists_the_known_ones_and_works_without_a_database(tmp_path):
    result = creditlens("schema", "artciles", "--db", tmp_path / "none.duckdb")
    assert result.returncode == 1
    line = one_line_error(result)
    assert "no table or view 'artciles'; known: article_entities" in line and "top_entities" in line
    fresh = creditlens("schema", "topic_models", "--db", tmp_path / "none.duckdb")
    assert fresh.returncode == 0 and "the schema a new one gets" in fresh.stdout
    assert not (tmp_path / "none.duckdb").exists()


def test_no_database_error_suggests_ingest(tmp_path):
    line = one_line_error(creditlens("sql", "SELECT 1", "--db", tmp_path / "none.duckdb"))
    assert "creditlens ingest" in line
