"""A researcher's corpus file (JSON lines or CSV) read into articles, with nothing lost unseen.

Corpora name their fields many ways (`body`, `content`, `publish_date`, Media Cloud's
`stories_id` and `media_name`).  Each article field is read from the column the user
names (`--text-field` ...) or else from the first of its usual names the file has; the
choice is reported, and a file without a text or id/URL field fails with one error that
lists the fields it does have.  Every row that is not kept, and every date that is not
understood, is reported with its line number (see creditlens/ingest_dates.py).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from creditlens.ingest_dates import DateError, DateOrder, detect_order, parse_date
from nlp.language import detect_language
from warehouse.records import Article, stable_id

# article field -> the names corpora commonly give it, the canonical name first
USUAL_NAMES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "full_text", "fulltext", "article", "story_text"),
    "id": ("id", "doc_id", "document_id", "stories_id", "guid"),
    "url": ("url", "link", "canonical_url", "permalink"),
    "published_at": ("published_at", "date", "publish_date", "published", "pubdate", "pub_date", "datetime", "timestamp"),
    "title": ("title", "headline"),
    "source": ("source", "media_name", "outlet", "publisher", "media", "site"),
    "language": ("language", "lang"),
}
# the options that name each field
FIELD_OPTIONS = {"text": "--text-field", "id": "--id-field", "date": "--date-field",
                 "title": "--title-field", "source": "--source-field"}


class CorpusError(ValueError):
    """A whole file cannot be read as a corpus; one line for the user."""


@dataclass
class CorpusFile:
    """What one file gave: articles with their line numbers, and everything not kept."""

    path: Path
    fields: dict[str, str]  # article field -> the file's column
    date_order: DateOrder
    articles: list[tuple[int, Article]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    bad_dates: list[tuple[int, str, str]] = field(default_factory=list)  # (line, value, reason)
    repeated: list[tuple[int, str]] = field(default_factory=list)  # (line, article_id) seen earlier in the file


def read_corpus(kind: str, path: Path, chosen: dict[str, str | None], date_order: str = "auto",
                max_field: int = 2**31 - 1) -> CorpusFile:
    """Read a JSONL or CSV file; `chosen` maps article fields (text, id, date, title, source)
    to column names given by the user (None: use the usual names); a CSV field longer than
    `max_field` (`[process] max_record_bytes`) skips its row."""
    rows, skipped = _rows(kind, path, max_field)
    found = _fields_found(rows)
    fields = _resolve_fields(path, found, chosen, any_rows=bool(rows))
    date_column = fields.get("published_at")
    date_values = [str(row[date_column]) for _, row in rows if date_column and row.get(date_column) not in (None, "")]
    try:
        order = detect_order(date_values, date_order)
    except ValueError as exc:
        raise CorpusError(f"{path}: {exc}") from None
    corpus = CorpusFile(path, fields, order, skipped=skipped)
    seen: set[str] = set()
    for number, row in rows:
        try:
            article = _article(row, fields)
        except ValueError as exc:
            corpus.skipped.append((number, str(exc)))
            continue
        if date_column and row.get(date_column) not in (None, ""):
            try:
                article.published_at = parse_date(row[date_column], order)
            except DateError as exc:
                corpus.bad_dates.append((number, str(row[date_column]), str(exc)))
        if article.article_id in seen:
            corpus.repeated.append((number, article.article_id))
        seen.add(article.article_id)
        corpus.articles.append((number, article))
    return corpus


def _rows(kind: str, path: Path, max_field: int) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """(line, row) for every object row, and (line, reason) for every line that is not one;
    a bad row is one reason, never the end of the file."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        text = handle.read()
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if kind == "csv":
        if first.startswith(("{", "[")):
            raise CorpusError(f"{path} holds JSON, not CSV: use `creditlens ingest jsonl {path}`")
        return _csv_rows(text, max_field)
    if first.startswith("[") and _is_json_array(text):
        raise CorpusError(f"{path} is one JSON array, not JSON lines (one object per line): "
                          f"convert it, e.g. `jq -c '.[]' {path}`")
    if first and not first.startswith(("{", "[")) and "," in first:
        raise CorpusError(f"{path} does not hold JSON lines (it looks like CSV): use `creditlens ingest csv {path}`")
    rows, skipped = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            skipped.append((number, f"invalid JSON ({exc.msg})"))
            continue
        except RecursionError:
            skipped.append((number, "invalid JSON (nested too deeply)"))
            continue
        if not isinstance(row, dict):
            skipped.append((number, "row is not a JSON object"))
            continue
        rows.append((number, row))
    return rows, skipped


def _csv_rows(text: str, max_field: int) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """Rows numbered by the line they start on; a field longer than `max_field` makes its row
    a skipped one and reading goes on with the next."""
    csv.field_size_limit(max_field)
    reader = csv.DictReader(text.splitlines(keepends=True))
    rows, skipped = [], []
    while True:
        number = reader.line_num + 1  # the line the record starts on
        try:
            row = next(reader)
        except StopIteration:
            return rows, skipped
        except csv.Error as exc:
            skipped.append((number, f"{exc} ([process] max_record_bytes)" if "field limit" in str(exc) else str(exc)))
            continue
        if None in row:
            skipped.append((number, f"{len(row[None])} more value(s) than the header has columns"))
        elif any((value or "").strip() for value in row.values()):
            rows.append((number, row))


def _is_json_array(text: str) -> bool:
    try:
        return isinstance(json.loads(text), list)
    except json.JSONDecodeError:
        return False


def _fields_found(rows: list[tuple[int, dict]]) -> list[str]:
    found: dict[str, None] = {}
    for _, row in rows:
        found.update(dict.fromkeys(k for k in row if isinstance(k, str)))
    return list(found)


def _resolve_fields(path: Path, found: list[str], chosen: dict[str, str | None], any_rows: bool) -> dict[str, str]:
    """Article field -> column: the user's choice, else the first usual name present."""
    present = set(found)
    listing = ", ".join(found) or "none"
    resolved: dict[str, str] = {}
    for article_field, names in USUAL_NAMES.items():
        option_key = "date" if article_field == "published_at" else article_field
        given = chosen.get(option_key)
        if given:
            if any_rows and given not in present:
                raise CorpusError(f"{path}: no field {given!r} ({FIELD_OPTIONS[option_key]}); fields found: {listing}")
            resolved[article_field] = given
            continue
        match = next((name for name in names if name in present), None)
        if match:
            resolved[article_field] = match
    if not any_rows:
        return resolved
    if "text" not in resolved:
        raise CorpusError(f"{path}: no text field (looked for {', '.join(USUAL_NAMES['text'])}); "
                          f"fields found: {listing}; name it with --text-field")
    if "id" not in resolved and "url" not in resolved:
        raise CorpusError(f"{path}: no id or url field; fields found: {listing}; name one with --id-field")
    return resolved


def _value(row: dict, fields: dict[str, str], name: str) -> str | None:
    column = fields.get(name)
    value = row.get(column) if column else None
    if value is None:
        return None
    value = str(value).strip() if not isinstance(value, str) else value.strip()
    return value or None


def _article(row: dict, fields: dict[str, str]) -> Article:
    text = row.get(fields["text"])
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"no text ({fields['text']!r} missing or empty)")
    given_id, url = _value(row, fields, "id"), _value(row, fields, "url")
    if not given_id and not url:
        raise ValueError(f"no id or url ({' or '.join(repr(fields[k]) for k in ('id', 'url') if k in fields)} empty)")
    article_id = given_id or stable_id(url)
    return Article(
        article_id=article_id,
        url=url or f"urn:creditlens:{article_id}",
        text=text,
        title=_value(row, fields, "title"),
        source=_value(row, fields, "source"),
        language=_value(row, fields, "language") or detect_language(text),
        word_count=len(text.split()),
    )
