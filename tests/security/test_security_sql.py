"""Read-only `creditlens sql`: the warehouse and nothing else on the machine (issue 12,
finding 5), with the attack queries an analyst might paste from anywhere."""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.cli_helpers import creditlens, one_line_error
from warehouse.records import Article
from warehouse.search import refresh_index
from warehouse.store import Warehouse


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "c.duckdb"
    with Warehouse(path) as wh:
        wh.load_articles([
            Article(article_id="a1", url="https://news.example/a1", title="Court blacklist grows",
                    text="The court added debtors to the blacklist.", word_count=7),
            Article(article_id="a2", url="https://news.example/a2", title="Weather",
                    text="Sunny skies over the harbour.", word_count=5),
        ])
        refresh_index(wh.con)
    return path


def attacks(tmp_path, db) -> dict[str, str]:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret\n")
    return {
        "copy to a file": f"COPY (SELECT 1) TO '{tmp_path / 'out.csv'}'",
        "copy over the warehouse": f"COPY (SELECT 1) TO '{db}'",
        "copy into the spool": f"COPY (SELECT 1 AS x) TO '{tmp_path / 'c.state' / 'spool' / 'x.jsonl'}'",
        "export database": f"EXPORT DATABASE '{tmp_path / 'dump'}'",
        "read a file": f"SELECT * FROM read_text('{secret}')",
        "read a csv": f"SELECT * FROM read_csv('{secret}')",
        "list a folder": f"SELECT * FROM glob('{tmp_path}/*')",
        "attach": f"ATTACH '{tmp_path / 'other.duckdb'}' AS other",
        "unlock": "SET enable_external_access = true",
        "install": "INSTALL httpfs",
    }


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_read_only_sql_touches_no_file(tmp_path, db):
    (tmp_path / "c.state" / "spool").mkdir(parents=True)
    before = db.read_bytes()
    for name, query in attacks(tmp_path, db).items():
        result = creditlens("sql", query, "--db", db)
        assert result.returncode == 1, (name, result.stdout)
        # DuckDB's whole message is shown (issue 16): the first line says what failed and what to do
        assert "Traceback" not in result.stderr, result.stderr
        line = result.stderr.splitlines()[0]
        assert line.startswith("error: query failed:"), (name, line)
        assert "export" in line and "--write" in line, (name, line)  # says what to do instead
        assert "top secret" not in result.stdout + result.stderr
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "dump").exists()
    assert not (tmp_path / "other.duckdb").exists()
    assert list((tmp_path / "c.state" / "spool").iterdir()) == []
    assert db.read_bytes() == before
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (2,)


def test_full_text_search_macros_work_from_read_only_sql(db):
    query = ("SELECT article_id FROM (SELECT article_id, fts_main_articles.match_bm25(article_id, ?) AS score "
             "FROM articles) WHERE score IS NOT NULL ORDER BY score DESC")
    result = creditlens("sql", query, "--db", db, "--param", "debtors", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["article_id"] for line in result.stdout.splitlines()] == ["a1"]


def test_write_is_the_only_way_out(tmp_path, db):
    out = tmp_path / "out.csv"
    result = creditlens("sql", f"COPY (SELECT 42 AS answer) TO '{out}'", "--db", db, "--write")
    assert result.returncode == 0, result.stderr
    assert out.read_text().split() == ["answer", "42"]


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_a_parameter_value_with_an_equals_sign_is_a_value(db):
    result = creditlens("sql", "SELECT ? AS v", "--db", db, "--param", "a=b", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"v": "a=b"}
    named = creditlens("sql", "SELECT $who AS v, $n AS n", "--db", db, "--named", "who=x=y", "--named", "n=1",
                       "--format", "json")
    assert named.returncode == 0, named.stderr
    assert json.loads(named.stdout) == {"v": "x=y", "n": "1"}
    for bad in (["--named", "no equals"], ["--named", "1x=2"], ["--param", "1", "--named", "n=1"]):
        refused = creditlens("sql", "SELECT 1", "--db", db, *bad)
        assert refused.returncode == 1
        assert "--named" in one_line_error(refused)
