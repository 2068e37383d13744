"""`creditlens search` as an analyst uses it: formats, boolean queries, stemmed phrases,
counts over time and unknown filter values (issue 16)."""

import csv
import io
import json

import pytest

from test_warehouse_views import build_indexed_warehouse_file
from tests.cli_helpers import creditlens, one_line_error


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_indexed_warehouse_file(tmp_path_factory.mktemp("search") / "s.duckdb")


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_csv_and_json_carry_whole_urls_snippets_and_the_matched_words(db):
    as_csv = creditlens("search", '"flight ban"', "--db", db, "--format", "csv", env={"COLUMNS": "40"})
    assert as_csv.returncode == 0, as_csv.stderr
    [row] = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert row["url"] == "https://harbour.example/flight" and row["published_at"].startswith("2024-01-20")
    assert json.loads(row["matched"]) == ["ban", "flights"] and "travel ban covers flights" in row["snippet"]
    as_json = creditlens("search", "travel ban", "--db", db, "--format", "json", "--limit", "3")
    hits = json.loads(as_json.stdout)  # one JSON document
    assert len(hits) == 3 and all(h["url"].startswith("https://") for h in hits)
    assert hits[0]["published_at"] is None or "T" in hits[0]["published_at"]


def test_table_shows_snippets(db):
    result = creditlens("search", "sesame", "--db", db)
    assert result.returncode == 0 and "snippet" in result.stdout and "Sesame Credit scores users" in result.stdout


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_boolean_queries_and_stemmed_phrases(db):
    def found(query):
        result = creditlens("search", query, "--db", db, "--format", "csv")
        assert result.returncode == 0, result.stderr
        return sorted(row["article_id"] for row in csv.DictReader(io.StringIO(result.stdout)))

    assert found("privacy -sesame") == ["privacy"]
    assert found("privacy NOT sesame") == ["privacy"]
    assert found("travel AND flights") == ["flight"]
    assert found("sesame OR dumplings") == ["cooking", "sesame"]
    assert found('"travel bans"') == ["flight", "rail1", "rail1-copy", "rail2", "undated"]
    bad = creditlens("search", "privacy AND", "--db", db)
    assert bad.returncode == 1 and "needs a word" in one_line_error(bad)


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_counts_by_month_with_share_of_all_articles(db):
    table = creditlens("search", '"travel ban"', "--db", db, "--by", "month")
    assert table.returncode == 0, table.stderr
    assert "│ 2024-02-01 │ 0       │ 1        │ 0.0%" in table.stdout
    assert "│ 2024-03-01 │ 1       │ 4        │ 25.0%" in table.stdout
    assert "1 matching article(s) have no publication date" in table.stdout
    as_csv = creditlens("search", '"travel ban"', "--db", db, "--by", "month", "--format", "csv")
    assert as_csv.stdout.splitlines() == ["period,matches,articles,share", "2024-01-01,3,3,1.0",
                                          "2024-02-01,0,1,0.0", "2024-03-01,1,4,0.25"]
    weeks = json.loads(creditlens("search", "sesame", "--db", db, "--by", "week", "--format", "json").stdout)
    assert weeks == [{"period": "2024-02-05", "matches": 1, "articles": 1, "share": 1.0}]
    days = creditlens("search", "sesame", "--db", db, "--by", "day", "--source", "ledger", "--format", "csv")
    assert days.stdout.splitlines()[1:] == ["2024-02-10,1,1,1.0"]


@pytest.mark.parametrize("option, value, known", [
    ("--theme", "TRAVEL_BANS", "TRAVEL_BAN_FLIGHTS, TRAVEL_BAN_TRAINS"),
    ("--source", "the-beacon", "beacon, dongfang, harbour, ledger"),
    ("--language", "english", "en, zh"),
])
def test_unknown_filter_values_are_errors_listing_the_known_ones(db, option, value, known):
    result = creditlens("search", "ban", "--db", db, option, value, "--format", "csv")
    assert result.returncode == 1 and result.stdout == ""
    line = one_line_error(result)
    assert f"unknown {option} {value!r}; known:" in line and known in line
