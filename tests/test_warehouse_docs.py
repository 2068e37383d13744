"""docs/schema.md cannot rot: every ```sql block in it runs against a small warehouse
and returns rows, every view has its section, and every table and column of the
schema is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_warehouse_views import build_warehouse
from warehouse.views import VIEWS

DOC = Path(__file__).resolve().parent.parent / "docs" / "schema.md"


def sql_blocks() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    wh = build_warehouse(tmp_path_factory.mktemp("docs") / "docs.duckdb")
    yield wh.con
    wh.close()


def test_the_doc_has_examples():
    assert len(sql_blocks()) >= len(VIEWS)


@pytest.mark.parametrize("sql", sql_blocks(), ids=lambda sql: sql.strip().splitlines()[0][:60])
def test_every_example_query_runs_and_answers(con, sql):
    assert con.execute(sql).fetchall(), "the example returns no rows on the test warehouse"


def test_every_view_is_documented_with_an_example():
    text = DOC.read_text(encoding="utf-8")
    headings = {name for line in re.findall(r"^### (.+)$", text, re.MULTILINE) for name in line.split(", ")}
    examples = "\n".join(sql_blocks())
    for view in VIEWS:
        assert view in headings, f"docs/schema.md has no section for view {view}"
        assert re.search(rf"\b{view}\b", examples), f"docs/schema.md has no example query using {view}"


def test_every_table_and_column_is_documented(con):
    text = DOC.read_text(encoding="utf-8")
    columns = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' "
        "AND table_name IN (SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main')"
    ).fetchall()
    assert columns
    for table in {t for t, _ in columns}:
        section = re.search(rf"^### {table}\n(.*?)(?=^##)", text, re.MULTILINE | re.DOTALL)
        assert section, f"docs/schema.md has no section for table {table}"
        for column in [c for t, c in columns if t == table]:
            assert f"| {column} |" in section.group(1), f"{table}.{column} is not documented"
