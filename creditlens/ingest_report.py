"""The summary every `ingest` prints: what became of every row, so nothing is lost unseen.

The counts go to standard output; each row behind a count that needs the user's eye
(a skipped row, a date not understood, a repeated id, an article judged off-topic) is
named on standard error with its file and line, as one line each.
"""

from __future__ import annotations

from collections import Counter

from rich.console import Console

from creditlens.jobs import IngestOutcome
from warehouse.escaping import for_terminal

OFF_TOPIC_SHOWN = 20


def print_ingest_summary(outcome: IngestOutcome, what: str, console: Console, errors: Console) -> None:
    def detail(line: str) -> None:  # lines name titles and values from the corpus: printed as plain text
        errors.print(for_terminal(line), highlight=False, soft_wrap=True)

    for note in outcome.notes:
        console.print(for_terminal(f"read {note}"), highlight=False, soft_wrap=True)
    for line in outcome.skipped:
        detail(f"skipped {line}")
    for line in outcome.cut:
        detail(f"cut {line}")
    for line in outcome.bad_dates:
        detail(f"date not understood, stored without a date: {line}")
    for line in outcome.repeated:
        detail(f"repeated: {line}; the last one is kept")
    for title in outcome.off_topic[:OFF_TOPIC_SHOWN]:
        detail(f"judged off-topic: {title}")
    if len(outcome.off_topic) > OFF_TOPIC_SHOWN:
        detail(f"... and {len(outcome.off_topic) - OFF_TOPIC_SHOWN} more judged off-topic "
               "(SELECT title FROM articles WHERE NOT is_relevant)")

    console.print(f"ingested {outcome.records} {what}", highlight=False)
    rows = []
    if what == "articles":
        if outcome.database_known:
            rows += [("new", outcome.new, ""), ("updated (text changed)", outcome.updated, ""),
                     ("already stored, same text", outcome.unchanged, "")]
        else:
            rows.append(("new or updated", outcome.records, "the database was busy: not told apart"))
        rows += [
            ("repeated ids", len(outcome.repeated), "the last row of each is kept"),
            ("near-verbatim copies", outcome.copies, "kept, pointing at the earlier copy (duplicate_of)"),
            ("judged off-topic", len(outcome.off_topic),
             "kept, not annotated; --all-relevant treats every row as on-topic" if outcome.off_topic else ""),
            ("dates not understood", len(outcome.bad_dates),
             "stored without a date; see --date-order" if outcome.bad_dates else ""),
        ]
    rows.append(("skipped", len(outcome.skipped), _reasons(outcome.skipped)))
    rows.append(("texts cut", len(outcome.cut), "to [process] max_text_chars"))
    width = max(len(label) for label, _, _ in rows)
    for label, count, note in rows:
        console.print(f"  {label:<{width}} {count:>6}" + (f"  ({note})" if note and count else ""),
                      highlight=False, markup=False, soft_wrap=True)
    if outcome.records:
        console.print("next: creditlens process", highlight=False)


def _reasons(skipped: list[str]) -> str:
    """'3 empty text, 1 invalid JSON': the reasons without file and line."""
    reasons = Counter(line.rsplit(": ", 1)[-1] if line.count(": ") else line for line in skipped)
    return ", ".join(f"{n} {reason}" for reason, n in reasons.most_common())
