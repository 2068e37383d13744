"""Exports for researchers: articles, entity mentions, the topic model summary and the
reported figures with their provenance, as CSV, one JSON document, JSON lines, Parquet or
(topics, figures) Markdown, narrowed by date, source, theme and a search query.

Files open as they are in pandas, polars and DuckDB: lists become "; "-joined text
in CSV only.  A large articles export to Parquet is written as a folder partitioned
by month (`month=2024-03/…`), which every one of those readers takes as one table.
Each export is written beside its target and renamed into place, so a cron job
never leaves a half-written file where a researcher expects a whole one.

The stored text is redacted upstream; as a second line of defence exports mask
anything still shaped like a Chinese resident ID number or a mobile number, and
raw HTML is never exported.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.atomic_files import replacing
from warehouse.escaping import csv_sql, for_csv, for_markdown
from warehouse.search import ParsedQuery, filter_sql, matching_sql

FORMATS = {
    "articles": ("csv", "json", "jsonl", "parquet"),
    "entities": ("csv", "json", "jsonl", "parquet"),
    "topics": ("csv", "json", "jsonl", "parquet", "md"),
    "figures": ("csv", "json", "jsonl", "parquet", "md"),
}
EXTENSIONS = {"csv": "csv", "json": "json", "jsonl": "jsonl", "parquet": "parquet", "md": "md"}

# An articles export to Parquet with more rows than this is partitioned by month.
PARTITION_ROWS = 200_000
REPRESENTATIVE_ARTICLES = 5

# RE2 patterns (no look-around): the digit run is masked, its neighbours kept.
_RESIDENT_ID = r"(^|[^0-9])[1-9][0-9]{16}[0-9Xx]([^0-9A-Za-z]|$)"
_MOBILE = r"(^|[^0-9])(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}([^0-9]|$)"


class ExportError(ValueError):
    """The export cannot be written as asked; the message is one line for the user."""


def masked(column: str) -> str:
    """SQL for `column` with resident ID numbers and mobile numbers masked."""
    inner = f"regexp_replace({column}, '{_RESIDENT_ID}', '\\1[redacted]\\2', 'g')"
    return f"regexp_replace({inner}, '{_MOBILE}', '\\1[redacted]\\2', 'g')"


def selection_sql(
    con: duckdb.DuckDBPyConnection, since=None, until=None, source=None, theme=None, query=None
) -> tuple[str, list]:
    """A SELECT of the article ids the filters (and the search query, if any) pick."""
    if query:
        return matching_sql(con, ParsedQuery(query), since=since, until=until, source=source, theme=theme)
    conditions, params = filter_sql(since=since, until=until, source=source, theme=theme)
    return f"SELECT article_id FROM articles WHERE {' AND '.join(conditions) or 'true'}", params


_ARTICLES_SQL = """
WITH selected AS ({selection}),
article_themes AS (
    SELECT article_id, list(theme ORDER BY score DESC) AS themes FROM themes GROUP BY article_id
)
SELECT a.article_id, a.url, a.source, {title} AS title, a.author, a.published_at,
       coalesce(strftime(timezone('UTC', a.published_at), '%Y-%m'), 'undated') AS month,
       a.language, a.word_count, a.is_relevant, a.relevance, a.duplicate_of,
       {themes} AS themes, main.topic_id, current_topics.label AS topic,
       {text} AS text
FROM articles a
JOIN selected USING (article_id)
LEFT JOIN article_themes USING (article_id)
LEFT JOIN article_main_topic main USING (article_id)
LEFT JOIN current_topics USING (topic_id)
ORDER BY a.published_at NULLS LAST, a.article_id
"""

_ENTITIES_SQL = """
WITH selected AS ({selection})
SELECT e.article_id, a.source, a.published_at, a.url, e.entity_id,
       coalesce(c.name, e.text) AS name, c.type, e.label, {text} AS text, e.start_char, e.end_char
FROM entities e
JOIN selected USING (article_id)
JOIN articles a USING (article_id)
LEFT JOIN entity_catalog c USING (entity_id)
ORDER BY a.published_at NULLS LAST, e.article_id, e.start_char
"""


def export(
    con: duckdb.DuckDBPyConnection,
    what: str,
    fmt: str,
    out: Path,
    since: date | None = None,
    until: date | None = None,
    source: str | None = None,
    theme: str | None = None,
    query: str | None = None,
    raw_csv: bool = False,
) -> Path:
    """Write the export and return where it went (a folder for a partitioned export).
    CSV cells that a spreadsheet would run as a formula get a leading `'` unless `raw_csv`;
    `out` naming an existing folder (not an earlier partitioned export) puts `<what>.<format>` in it."""
    if what not in FORMATS:
        raise ExportError(f"cannot export {what!r}: choose one of {', '.join(FORMATS)}")
    if fmt not in FORMATS[what]:
        raise ExportError(f"{what} cannot be exported as {fmt!r}: choose one of {', '.join(FORMATS[what])}")
    out = Path(out)
    if out.is_dir() and not _is_partitioned_export(out):
        out = out / f"{what}.{EXTENSIONS[fmt]}"
        if out.is_dir() and not _is_partitioned_export(out):
            raise ExportError(f"{out} is a folder that is not an earlier creditlens export; give a file path")
    out.parent.mkdir(parents=True, exist_ok=True)
    selection, params = selection_sql(con, since=since, until=until, source=source, theme=theme, query=query)
    if what == "topics":
        return _export_topics(con, fmt, out, selection, params, _describe_filters(since, until, source, theme, query),
                              raw_csv)
    if what == "figures" and fmt == "md":
        with replacing(out) as part:
            filters = _describe_filters(since, until, source, theme, query)
            part.write_text(figures_markdown(con, selection, params, filters), encoding="utf-8")
        return out
    if what == "figures":
        sql = _FIGURES_SQL.format(selection=selection, title=masked("f.title"), sentence=masked("f.sentence"),
                                  changed_by="array_to_string(p.changed_by, '; ')" if fmt == "csv" else "p.changed_by")
    elif what == "articles":
        sql = _ARTICLES_SQL.format(
            selection=selection, title=masked("a.title"), text=masked("a.text"),
            themes="array_to_string(coalesce(article_themes.themes, []), '; ')" if fmt == "csv"
            else "coalesce(article_themes.themes, [])",
        )
    else:
        sql = _ENTITIES_SQL.format(selection=selection, text=masked("e.text"))
    if fmt == "csv" and not raw_csv:
        sql = _spreadsheet_safe(con, sql, params)
    if what == "articles" and fmt == "parquet":
        if con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0] > PARTITION_ROWS:
            return _write_partitioned(con, sql, params, out)
    _copy(con, sql, params, fmt, out)
    return out


def _copy(con, sql: str, params: list, fmt: str, out: Path) -> None:
    options = {"csv": "FORMAT csv, HEADER true", "json": "FORMAT json, ARRAY true", "jsonl": "FORMAT json",
               "parquet": "FORMAT parquet"}[fmt]
    with replacing(out) as part:
        con.execute(f"COPY ({sql}) TO '{_quote(part)}' ({options})", params)
        if out.is_dir() and not out.is_symlink():  # an earlier partitioned export of the same name
            shutil.rmtree(out)


def _write_partitioned(con, sql: str, params: list, out: Path) -> Path:
    with replacing(out, folder=True) as part:
        con.execute(f"COPY ({sql}) TO '{_quote(part)}' (FORMAT parquet, PARTITION_BY (month), OVERWRITE_OR_IGNORE)",
                    params)
        if out.is_dir() and not out.is_symlink():
            shutil.rmtree(out)
        elif out.exists() or out.is_symlink():
            out.unlink()
    return out


def _spreadsheet_safe(con, sql: str, params: list) -> str:
    """`sql` with every text column passed through the CSV formula rule (see warehouse/escaping.py)."""
    described = con.execute(f"DESCRIBE ({sql})", params).fetchall()
    columns = [
        csv_sql(f'"{name}"') + f' AS "{name}"' if kind == "VARCHAR" else f'"{name}"'
        for name, kind, *_ in described
    ]
    return f"SELECT {', '.join(columns)} FROM ({sql})"


def _is_partitioned_export(folder: Path) -> bool:
    entries = list(folder.iterdir())
    return bool(entries) and all(e.is_dir() and e.name.startswith("month=") for e in entries)


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _describe_filters(since, until, source, theme, query) -> str:
    parts = []
    if since or until:
        parts.append(f"published {since or '…'} to {until or '…'}")
    if source:
        parts.append(f"source {source}")
    if theme:
        parts.append(f"theme {theme}")
    if query:
        parts.append(f"matching {query!r}")
    return ", ".join(parts) or "all articles"


# -- topics -------------------------------------------------------------------------


def topic_summary(con: duckdb.DuckDBPyConnection, selection: str, params: list) -> tuple[dict, list[dict]]:
    """The current model and, per topic, its terms, size and the selected articles'
    counts by month and source, with its representative articles: those it dominates
    with the highest weight (syndicated copies left out)."""
    model = con.execute(
        "SELECT model_id, method, k, fitted_at, n_docs, npmi FROM topic_models WHERE is_current "
        "ORDER BY fitted_at DESC NULLS LAST LIMIT 1"
    ).fetchone()
    if model is None:
        raise ExportError("no current topic model: run `creditlens topics fit` first")
    model_info = dict(zip(("model_id", "method", "k", "fitted_at", "n_docs", "npmi"), model))
    topics = [
        dict(zip(("topic_id", "label", "terms", "weights", "size", "share", "npmi"), row))
        for row in con.execute(
            "SELECT topic_id, label, terms, weights, size, share, npmi FROM current_topics ORDER BY topic_id"
        ).fetchall()
    ]
    main = f"""
        WITH selected AS ({selection})
        SELECT m.topic_id, a.source,
               coalesce(strftime(timezone('UTC', a.published_at), '%Y-%m'), 'undated') AS month
        FROM article_main_topic m JOIN selected USING (article_id) JOIN articles a USING (article_id)
    """
    counts = {}
    for key in ("month", "source"):
        for topic_id, value, n in con.execute(
            f"SELECT topic_id, {key}, count(*) FROM ({main}) GROUP BY ALL ORDER BY 1, 3 DESC, 2", params
        ).fetchall():
            counts.setdefault((topic_id, key), []).append({key: value, "articles": n})
    representative = {}
    for topic_id, title, url, source, weight in con.execute(
        f"""
        WITH selected AS ({selection}), ranked AS (
            SELECT t.topic_id, {masked('a.title')} AS title, a.url, a.source, t.weight,
                   row_number() OVER (PARTITION BY t.topic_id ORDER BY t.weight DESC, a.article_id) AS rank
            FROM article_main_topic t
            JOIN selected USING (article_id)
            JOIN articles a USING (article_id)
            WHERE a.duplicate_of IS NULL
        )
        SELECT topic_id, title, url, source, weight FROM ranked WHERE rank <= {REPRESENTATIVE_ARTICLES}
        ORDER BY topic_id, rank
        """,
        params,
    ).fetchall():
        representative.setdefault(topic_id, []).append(
            {"title": title, "url": url, "source": source, "weight": round(weight, 4)}
        )
    for topic in topics:
        tid = topic["topic_id"]
        topic["terms"] = topic["terms"] or []
        topic["weights"] = [round(w, 4) for w in (topic["weights"] or [])]
        topic["by_month"] = sorted(counts.get((tid, "month"), []), key=lambda r: r["month"])
        topic["by_source"] = counts.get((tid, "source"), [])
        topic["articles"] = sum(r["articles"] for r in topic["by_month"])
        topic["representative"] = representative.get(tid, [])
    return model_info, topics


def _export_topics(con, fmt: str, out: Path, selection: str, params: list, filters: str, raw_csv: bool) -> Path:
    model, topics = topic_summary(con, selection, params)
    with replacing(out) as part:
        _write_topics(model, topics, fmt, part, filters, raw_csv)
    return out


def _write_topics(model: dict, topics: list[dict], fmt: str, part: Path, filters: str, raw_csv: bool) -> None:
    if fmt == "json":
        with open(part, "w", encoding="utf-8") as handle:
            json.dump({"model": model, "filters": filters, "topics": topics}, handle, ensure_ascii=False, indent=1,
                      default=_json_value)
            handle.write("\n")
    elif fmt == "jsonl":
        with open(part, "w", encoding="utf-8") as handle:
            for topic in topics:
                handle.write(json.dumps({"model_id": model["model_id"], **topic}, ensure_ascii=False,
                                        default=_json_value) + "\n")
    elif fmt == "parquet":
        pq.write_table(pa.Table.from_pylist([{"model_id": model["model_id"], **t} for t in topics]), part)
    elif fmt == "csv":
        with open(part, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            cell = (lambda value: value) if raw_csv else for_csv
            writer.writerow(["model_id", "topic_id", "label", "size", "share", "npmi", "articles",
                             "top_terms", "representative", "by_month", "by_source"])
            for t in topics:
                writer.writerow([cell(value) for value in [
                    model["model_id"], t["topic_id"], t["label"], t["size"], t["share"], t["npmi"], t["articles"],
                    "; ".join(f"{term} ({w:.3f})" for term, w in zip(t["terms"], t["weights"])),
                    "; ".join(f"{r['title']} <{r['url']}>" for r in t["representative"]),
                    "; ".join(f"{r['month']}: {r['articles']}" for r in t["by_month"]),
                    "; ".join(f"{r['source']}: {r['articles']}" for r in t["by_source"]),
                ]])
    else:
        part.write_text(topics_markdown(model, topics, filters), encoding="utf-8")


def _markdown_link(label, url) -> str:
    """A link only to an http(s) URL; any other scheme (`javascript:`, `data:`) stays text."""
    if urlsplit(str(url or "")).scheme.lower() not in ("http", "https"):
        return for_markdown(label)
    target = str(url).replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return f"[{for_markdown(label)}]({target})"


def _json_value(value) -> str:
    """Dates and times as ISO 8601."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _percent(share) -> str:
    return f"{share * 100:.1f}%" if share is not None else "–"


def topics_markdown(model: dict, topics: list[dict], filters: str) -> str:
    """A topic-model appendix a researcher can paste into a paper."""
    fitted = model["fitted_at"].strftime("%Y-%m-%d") if model["fitted_at"] else "an unknown date"
    npmi = f"{model['npmi']:.3f}" if model["npmi"] is not None else "not measured"
    lines = [
        "# Topic model summary",
        "",
        f"Model `{model['model_id']}`: {str(model['method'] or '').upper()} with k = {model['k']} topics, "
        f"fitted on {fitted} over {model['n_docs']} documents; mean NPMI coherence {npmi}.",
        f"Article counts below cover: {filters}; each article counts once, under its dominant topic.",
        "",
        "| Topic | Label | Top terms | Documents (share) | Articles |",
        "|---:|---|---|---:|---:|",
    ]
    for t in topics:
        lines.append(
            f"| {t['topic_id']} | {for_markdown(t['label'])} | {for_markdown(', '.join(t['terms'][:8]))} | "
            f"{t['size'] if t['size'] is not None else '–'} ({_percent(t['share'])}) | {t['articles']} |"
        )
    for t in topics:
        lines += ["", f"## Topic {t['topic_id']}: {for_markdown(t['label'])}", ""]
        lines.append("Top terms (weight): " + ", ".join(
            f"{for_markdown(term)} ({w:.3f})" for term, w in zip(t["terms"], t["weights"])
        ) + ".")
        if t["representative"]:
            lines += ["", "Representative articles (dominated by this topic, highest weight first):", ""]
            for number, r in enumerate(t["representative"], 1):
                lines.append(f"{number}. {_markdown_link(r['title'] or r['url'], r['url'])} — "
                             f"{for_markdown(r['source'])}, weight {r['weight']:.2f}")
        if t["by_month"]:
            lines += ["", "| Month | Articles |", "|---|---:|"]
            lines += [f"| {r['month']} | {r['articles']} |" for r in t["by_month"]]
        if t["by_source"]:
            lines += ["", "| Source | Articles |", "|---|---:|"]
            lines += [f"| {for_markdown(r['source'])} | {r['articles']} |" for r in t["by_source"]]
    return "\n".join(lines) + "\n"


# -- figures --------------------------------------------------------------------------

_FIGURES_SQL = """
WITH selected AS ({selection})
SELECT f.article_id, f.source, f.published_at, {title} AS title, f.url, f.subject, f.value, f.unit,
       f.start_char, f.converted_from, {sentence} AS sentence,
       p.group_id, p.position AS repetition, p.first_source, p.first_published_at, p.first_url,
       p.reports AS group_reports, p.outlets AS group_outlets, p.value_changed, {changed_by} AS changed_by
FROM reported_figures f
JOIN selected USING (article_id)
LEFT JOIN figure_provenance p ON p.article_id = f.article_id AND p.start_char = f.start_char
ORDER BY f.published_at NULLS LAST, f.article_id, f.start_char
"""


def _as_written(value, unit) -> str:
    number = f"{value:,.0f}" if value == int(value) else f"{value:,}"
    return f"{number} {unit}".strip()


def figures_markdown(con: duckdb.DuckDBPyConnection, selection: str, params: list, filters: str) -> str:
    """Where the numbers come from: each figure reported by two articles or more, with its
    first report and every repetition (groups with a report among the selected articles)."""
    rows = con.execute(
        f"""
        WITH selected AS ({selection})
        SELECT group_id, subject, unit, first_value, first_source, first_day, first_title, first_url, reports,
               outlets, changed_by, position, day, source, {masked('title')}, url, reported_value, reported_unit,
               value_changed, is_copy
        FROM figure_provenance
        WHERE group_id IN (SELECT group_id FROM figure_provenance JOIN selected USING (article_id))
        ORDER BY first_published_at, group_id, position
        """,
        params,
    ).fetchall()
    lines = [
        "# Where the numbers come from",
        "",
        f"Figures reported by two articles or more ({filters}). Reports of one figure share its subject and unit, "
        "and their values are equal up to rounding (at most 5% apart) or through the article's own currency "
        "conversion; the rules are in warehouse/provenance.py.",
    ]
    if not rows:
        return "\n".join(lines + ["", "No figure has been reported by more than one article."]) + "\n"
    group = None
    for (group_id, subject, unit, first_value, first_source, first_day, first_title, first_url, reports, outlets,
         changed_by, position, day, source, title, url, value, reported_unit, changed, is_copy) in rows:
        if group_id != group:
            group = group_id
            changes = f"; changed by {for_markdown(', '.join(changed_by))}" if changed_by else "; never changed"
            lines += [
                "", f"## {for_markdown(_as_written(first_value, unit))}: {for_markdown(subject)}", "",
                f"First reported by {for_markdown(first_source)} on {first_day}: "
                f"{_markdown_link(first_title or first_url, first_url)}. "
                f"{reports} reports by {outlets} outlets{changes}.",
                "", "| Date | Outlet | As reported | Value | Article |", "|---|---|---:|---|---|",
            ]
        status = "first report" if position == 0 else "changed" if changed else "same"
        if is_copy:
            status += " (syndicated copy)"
        lines.append(f"| {day} | {for_markdown(source)} | {for_markdown(_as_written(value, reported_unit))} | "
                     f"{status} | {_markdown_link(title or url, url)} |")
    return "\n".join(lines) + "\n"
