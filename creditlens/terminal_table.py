"""Query results as a table that fits the terminal.

A wide result (`SELECT * FROM articles`) squeezed into 80 columns turns every header
into "…".  Instead, columns keep a readable width: the leftmost columns that fit are
shown, long cells are cut to a few lines, and the caller names the columns left out
so the user can select them or ask for CSV or JSON, which are never cut.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from rich.table import Table

from warehouse.escaping import for_terminal

MIN_COLUMN = 12  # no column is squeezed below this (or its header, or its widest cell if narrower)
MAX_COLUMN = 40  # a column wider than this wraps
CELL_LINES = 3  # a cell longer than this many lines of its width is cut
BORDER = 3  # rich's padding and rule per column


def cell_text(value) -> str:
    """How one value reads in a table or CSV cell: lists and objects as JSON, None as empty."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def fit_table(columns: list[str], rows: list[tuple], width: int) -> tuple[Table, list[str]]:
    """A rich Table of the leftmost columns that fit in `width`, and the names of the columns left out."""
    cells = [[cell_text(v) for v in row] for row in rows]
    widths = []
    for index, name in enumerate(columns):
        longest = max([len(name)] + [len(row[index]) for row in cells[:200]])
        widths.append(max(min(longest, MAX_COLUMN), min(len(name), MAX_COLUMN), 1))
    shown, used = [], 1
    for index, needed in enumerate(widths):
        need = _least_width(columns[index], needed) + BORDER
        if shown and used + need > width:
            break
        shown.append(index)
        used += need
    table = Table()
    for index in shown:
        table.add_column(for_terminal(columns[index]), overflow="fold", max_width=widths[index],
                         min_width=_least_width(columns[index], widths[index]))
    for row in cells:
        table.add_row(*(for_terminal(_cut(row[i], widths[i] * CELL_LINES)) for i in shown))
    return table, [columns[i] for i in range(len(columns)) if i not in shown]


def _least_width(header: str, natural: int) -> int:
    """The narrowest a column may become: its header whole (up to MAX_COLUMN), at least MIN_COLUMN."""
    return min(natural, max(MIN_COLUMN, min(len(header), MAX_COLUMN)))


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= limit else text[:limit - 1] + "…"
