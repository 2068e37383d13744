"""Untrusted text made safe for the format it is written into: a terminal, a CSV cell,
Markdown.

Titles, URLs and texts come from web pages and researchers' corpora, so any of them
may hold an escape sequence that rewrites the terminal, rich markup (`[/]`) that
would be parsed as style, a spreadsheet formula (`=HYPERLINK(...)`) or raw HTML that
a Markdown viewer renders.  Each writer passes its cells through the one function
for its format.
"""

from __future__ import annotations

import html
import re

from rich.text import Text

# C0 and C1 control characters but tab and newline (ESC starts every terminal escape
# sequence; C1's CSI does the same on some terminals), and the bidirectional
# overrides and isolates that make a terminal show text in another order than it is.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_LINE_BREAK = re.compile("[\r\n\v\f\x85\u2028\u2029]+")

# What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def for_terminal(value) -> Text:
    """A cell for a rich table: control characters removed, and a `Text`, which rich never
    parses as markup, so `[/]` in a title is printed as it is."""
    return Text(_CONTROL.sub("", "" if value is None else str(value)))


def for_csv(value):
    """A CSV cell a spreadsheet shows as text: a string starting like a formula gets a
    leading `'`; other values are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_sql(column: str) -> str:
    """SQL for a VARCHAR `column` with the same rule as `for_csv`, for exports DuckDB writes."""
    return f"CASE WHEN regexp_matches({column}, '^[=+\\-@\\t\\r]') THEN '''' || {column} ELSE {column} END"


def for_markdown(value) -> str:
    """Text for a Markdown table cell or link label: HTML escaped (Markdown passes raw HTML
    through to the page), line breaks made spaces, control characters removed, and the
    characters that end a cell or a link escaped."""
    text = _CONTROL.sub("", _LINE_BREAK.sub(" ", html.escape("" if value is None else str(value), quote=False)))
    return text.replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")
