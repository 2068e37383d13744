"""How `creditlens search` prints: hits or counts over time, as a table, CSV or JSON.

The table is for reading (matched words in bold, long URLs folded); CSV and JSON are
for other tools and carry every field whole: full URLs, the matched words as a JSON
list, dates in ISO 8601.
"""

from __future__ import annotations

import csv
import json
import re
import sys

from rich.console import Console
from rich.table import Table

from creditlens.terminal_table import cell_text
from warehouse.escaping import for_csv, for_terminal

HIT_FIELDS = ("article_id", "score", "published_at", "source", "title", "url", "matched", "snippet")
PERIOD_FIELDS = ("period", "matches", "articles", "share")


def print_hits(hits: list[dict], fmt: str, console: Console) -> None:
    if fmt == "table":
        if not hits:
            console.print("no matches")
            return
        table = Table("score", "date", "source", "title", "snippet", "url")
        for hit in hits:
            published = hit["published_at"].date().isoformat() if hit.get("published_at") else ""
            url = for_terminal(hit["url"])
            url.overflow = "fold"
            table.add_row(f"{hit['score']:.2f}", published, for_terminal(hit.get("source")), for_terminal(hit.get("title")),
                          _highlighted(hit["snippet"], hit["matched"]), url)
        console.print(table)
        return
    rows = [{name: hit.get(name) for name in HIT_FIELDS} for hit in hits]
    _write(rows, HIT_FIELDS, fmt)


def print_periods(periods: list[tuple], undated: int, by: str, fmt: str, console: Console, errors: Console) -> None:
    rows = [dict(zip(PERIOD_FIELDS, (period, matches, articles, round(share, 4))))
            for period, matches, articles, share in periods]
    note = f"{undated} matching article(s) have no publication date and are in no {by}" if undated else ""
    if fmt != "table":
        _write(rows, PERIOD_FIELDS, fmt)
        if note:
            errors.print(note, highlight=False, markup=False)
        return
    if not rows:
        console.print("no dated matches" + (f" ({note})" if note else ""), highlight=False, markup=False)
        return
    table = Table(by, "matches", "articles", "share of articles")
    for row in rows:
        table.add_row(row["period"].isoformat(), str(row["matches"]), str(row["articles"]), f"{row['share']:.1%}")
    console.print(table)
    if note:
        console.print(note, highlight=False, markup=False)


def _highlighted(snippet: str, matched: list[str]) -> Text:
    text = for_terminal(snippet)
    for word in matched:
        text.highlight_regex(re.compile(rf"(?<!\w){re.escape(word)}(?!\w)"), "bold")
    return text


def _write(rows: list[dict], fields: tuple[str, ...], fmt: str) -> None:
    """JSON as it is; CSV with lists as JSON and formula-like cells made text (warehouse/escaping.py)."""
    if fmt == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1,
                  default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))
        sys.stdout.write("\n")
        return
    writer = csv.writer(sys.stdout)
    writer.writerow(fields)
    writer.writerows([for_csv(cell_text(row[name])) for name in fields] for row in rows)
