"""The analysts' views: the standard questions of media analysis, answered in SQL.

The SQL lives in `warehouse/views.sql`, each view introduced by a comment line
`-- <name>: <description>`; this module reads that file so the description shown
by `creditlens sql --help` and docs/schema.md is the one written next to the SQL.
Views are re-created (CREATE OR REPLACE) on every read-write open, so an improved
view reaches existing databases without a migration, and a view never stores data
that could go stale while cron jobs keep loading.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the connection is only annotated here: `--help` needs VIEWS, not DuckDB
    import duckdb

_VIEW_BLOCK = re.compile(
    r"^-- (?P<name>\w+): (?P<description>.+)\n"
    r"(?P<sql>CREATE OR REPLACE VIEW (?P=name) AS\n.*?;)$",
    re.MULTILINE | re.DOTALL,
)


def _read(name: str) -> str:
    return (resources.files("warehouse") / name).read_text(encoding="utf-8")


def _stopwords_sql() -> str:
    """The stop-word list (warehouse/stopwords_en.txt) as a SQL list of string literals."""
    words = [
        line.strip() for line in _read("stopwords_en.txt").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return ", ".join("'" + word.replace("'", "''") + "'" for word in words)


def _parse(text: str) -> list[tuple[str, str, str]]:
    blocks = [(m["name"], m["description"].strip(), m["sql"]) for m in _VIEW_BLOCK.finditer(text)]
    declared = re.findall(r"^CREATE OR REPLACE VIEW (\w+)", text, re.MULTILINE)
    if [name for name, _, _ in blocks] != declared:
        raise ValueError("warehouse/views.sql: every view needs a '-- name: description' line right above it")
    return blocks


_BLOCKS = _parse(_read("views.sql"))

VIEWS: dict[str, str] = {name: description for name, description, _ in _BLOCKS}


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create every view in one transaction, in the dependency order of views.sql."""
    stopwords = _stopwords_sql()
    con.execute("BEGIN")
    try:
        for _, _, sql in _BLOCKS:
            con.execute(sql.replace("$STOPWORDS", stopwords))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
