"""What docs/schema.md says about each table and column, for `creditlens schema`.

The page is the one place the schema is described (tests/test_warehouse_docs.py keeps
it matching the database), so the command reads it rather than a second copy: each
`### name` section's first paragraph describes the table or view, and its
`| column | type | meaning |` rows (for views: a backticked name followed by a
parenthesis in the prose) describe the columns.  View descriptions written
next to their SQL (warehouse/views.sql) come first for views.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.views import VIEWS

SCHEMA_DOC = Path(__file__).resolve().parent.parent / "docs" / "schema.md"

_SECTION = re.compile(r"^### (?P<names>[^\n]+)\n(?P<body>.*?)(?=^##|\Z)", re.MULTILINE | re.DOTALL)
# in a view's prose: "`all_articles` (everything crawled that day, week or month)"
_PROSE_COLUMN = re.compile(r"`(?P<column>\w+)`\s+\((?P<meaning>[^()]+)\)")
_COLUMN_ROW = re.compile(r"^\| (?P<column>\w+) \| (?P<type>[^|]+) \| (?P<meaning>.+?) \|$", re.MULTILINE)


@dataclass
class Described:
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # column -> meaning


def schema_descriptions(doc: Path = SCHEMA_DOC) -> dict[str, Described]:
    """Table or view name -> its description and column meanings ({} when the page is not installed)."""
    try:
        text = doc.read_text(encoding="utf-8")
    except OSError:
        text = ""
    found: dict[str, Described] = {}
    for section in _SECTION.finditer(text):
        body = section["body"]
        paragraph = next((p for p in re.split(r"\n\s*\n", body.strip()) if p and not p.startswith(("|", "```"))), "")
        columns = {m["column"]: " ".join(m["meaning"].split()) for m in _PROSE_COLUMN.finditer(body)}
        columns |= {m["column"]: _plain(m["meaning"]) for m in _COLUMN_ROW.finditer(body) if m["column"] != "column"}
        for name in section["names"].split(", "):
            name = name.split(" ")[0]
            found[name] = Described(_plain(" ".join(paragraph.split())), columns)
    for name, description in VIEWS.items():
        found.setdefault(name, Described()).description = description
    return found


def _plain(markdown: str) -> str:
    """Markdown inline code marks dropped: the terminal shows them as noise."""
    return markdown.replace("`", "")
