"""The `creditlens` command line: parse options, call a job, print the outcome.

Every known failure becomes one line on stderr and an exit code (see
docs/architecture.md); set CREDITLENS_DEBUG=1 to see a traceback instead.
Heavy libraries (Scrapy, spaCy, trafilatura) are imported inside the commands
that need them so `--help` and `sql` start at once.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from creditlens import jobs
from creditlens.config import ConfigError, Settings, load_settings
from warehouse.escaping import for_csv, for_terminal
from warehouse.store import WarehouseBusy, WarehouseError, connect
from warehouse.views import VIEWS

EXIT_ERROR, EXIT_LOCKED, EXIT_CRAWL_FAILED, EXIT_DEFERRED = 1, 3, 4, 75

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Media-coverage text mining for news about credit systems.")
topics_app = typer.Typer(no_args_is_help=True, help="Fit and inspect topic models.")
app.add_typer(topics_app, name="topics")

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error stays one line, however narrow the terminal

DbOption = Annotated[Optional[Path], typer.Option("--db", help="Database file [default: $CREDITLENS_DB or ./creditlens.duckdb]")]
ConfigOption = Annotated[Optional[Path], typer.Option("--config", help="TOML settings and extra [[source]] entries")]


class IngestKind(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    warc = "warc"


class Method(str, Enum):
    nmf = "nmf"
    lda = "lda"


class ExportWhat(str, Enum):
    topics = "topics"
    articles = "articles"
    entities = "entities"
    figures = "figures"


class ExportFormat(str, Enum):
    csv = "csv"
    json = "json"
    parquet = "parquet"
    md = "md"


class SqlFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


# -- pipeline commands ------------------------------------------------------------------


@app.command()
def demo(db: DbOption = None,
         out: Annotated[Path, typer.Option(help="Folder for the demo's exports")] = Path("demo-output")) -> None:
    """Crawl, process and model the bundled offline news site, end to end."""
    from creditlens.demo import run_demo

    run_demo(db, out, console)


@app.command()
def crawl(config: ConfigOption = None, db: DbOption = None,
          source: Annotated[Optional[list[str]], typer.Option("--source", help="Crawl only this source (id or name); repeatable")] = None,
          max_pages: Annotated[Optional[int], typer.Option(min=1, help="Stop after this many pages")] = None) -> None:
    """Crawl the registered sources (feeds, sitemaps, sections) into the warehouse."""
    settings = load_settings(db, config)
    with jobs.run_lock(settings):
        outcome = jobs.crawl(settings, source or [], max_pages, console)
    _print_crawl(outcome)
    if outcome.run.status == "failed":
        raise typer.Exit(EXIT_CRAWL_FAILED)


def _print_crawl(outcome: jobs.CrawlOutcome) -> None:
    run = outcome.run
    table = Table(title=f"crawl {run.run_id}: {run.status}", title_justify="left")
    table.add_column("outcome")
    table.add_column("pages", justify="right")
    table.add_row("fetched", str(run.pages_fetched))
    table.add_row("stored", str(run.pages_stored))
    for kind, count in sorted(outcome.errors_by_kind.items()):
        table.add_row(f"error: {kind}", str(count))
    console.print(table)


@app.command()
def ingest(kind: Annotated[IngestKind, typer.Argument(help="jsonl | csv | warc")],
           files: Annotated[list[Path], typer.Argument(help="Files to ingest")],
           db: DbOption = None, config: ConfigOption = None,
           all_relevant: Annotated[bool, typer.Option("--all-relevant", help="Treat every row as on-topic (your own curated corpus)")] = False) -> None:
    """Bring your own corpus: JSON lines or CSV rows {url|id, title, text, published_at, source}, or WARC files."""
    settings = load_settings(db, config)
    outcome = jobs.ingest(settings, kind.value, files, console, all_relevant=all_relevant)
    _print_some("skipped", outcome.skipped)
    _print_some("cut", outcome.cut)
    what = "pages" if kind is IngestKind.warc else "articles"
    cut = f", {len(outcome.cut)} cut to [process] max_text_chars" if outcome.cut else ""
    console.print(f"ingested {outcome.records} {what} ({len(outcome.skipped)} skipped{cut}); next: creditlens process",
                  markup=False)
    if outcome.records == 0 and outcome.skipped:
        raise typer.Exit(EXIT_ERROR)


def _print_some(what: str, lines: list[str], shown: int = 20) -> None:
    """The first `shown` of a list of skipped rows or cut texts on stderr, then how many more."""
    for line in lines[:shown]:
        errors.print(f"{what} {line}", highlight=False, markup=False)
    if len(lines) > shown:
        errors.print(f"... and {len(lines) - shown} more {what}", highlight=False, markup=False)


@app.command()
def process(db: DbOption = None, config: ConfigOption = None,
            reprocess: Annotated[bool, typer.Option("--reprocess", help="Extract and annotate everything again")] = False) -> None:
    """Extract articles from stored pages and annotate entities, themes, quotes and figures."""
    outcome = jobs.process(load_settings(db, config), console, reprocess=reprocess)
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(outcome.non_articles.items())) or "none"
    console.print(
        f"extracted {outcome.pages_extracted} pages: {outcome.articles_stored} articles, non-articles: {kinds}, "
        f"failures: {outcome.failures}; annotated {outcome.articles_annotated}; "
        f"assigned {outcome.topics_assigned} to the current topic model"
    )
    for failure in outcome.annotation_failures:
        errors.print(f"not annotated (retried next run): {failure}", highlight=False, markup=False)
    _print_some("cut", outcome.cut)


@app.command()
def run(config: ConfigOption = None, db: DbOption = None) -> None:
    """The scheduled job: crawl, process, and refit topics when the corpus has grown."""
    settings = load_settings(db, config)
    with jobs.run_lock(settings):
        crawled = jobs.crawl(settings, [], None, console, command="run")
        _print_crawl(crawled)
        process_outcome = jobs.process(settings, console)
        console.print(f"processed: {process_outcome.articles_stored} articles, annotated {process_outcome.articles_annotated}")
        if jobs.topics_due(settings, console):
            try:
                fitted = jobs.fit_topics(settings, console, auto=settings.topic_k is None)
                console.print(f"topics: new model {fitted.model_id} (k={fitted.k})")
            except jobs.JobError as exc:
                console.print(f"topics: not refitted ({exc})")
    if crawled.run.status == "failed":
        raise typer.Exit(EXIT_CRAWL_FAILED)


@topics_app.command("fit")
def topics_fit(db: DbOption = None, config: ConfigOption = None,
               k: Annotated[Optional[int], typer.Option("--k", min=2, max=100, help="Number of topics")] = None,
               auto: Annotated[bool, typer.Option("--auto", help="Choose k by coherence and diversity")] = False,
               method: Annotated[Method, typer.Option(help="nmf | lda")] = Method.nmf) -> None:
    """Fit a new topic model version (older versions are kept)."""
    if k and auto:
        raise ConfigError("give either --k or --auto, not both")
    outcome = jobs.fit_topics(load_settings(db, config), console, k=k, auto=auto, method=method.value)
    console.print(
        f"model {outcome.model_id}: {outcome.method}, k={outcome.k}, {outcome.n_docs} articles, "
        f"NPMI {outcome.npmi:.3f}, diversity {outcome.diversity:.2f}"
    )
    for candidate, scores in sorted(outcome.k_scores.items(), key=lambda kv: int(kv[0])):
        console.print(f"  k={candidate}: NPMI {scores['npmi']:.3f}, diversity {scores['diversity']:.2f}")
    _show_topics(load_settings(db, config))


@topics_app.command("show")
def topics_show(db: DbOption = None) -> None:
    """The current topic model's topics."""
    _show_topics(load_settings(db))


def _show_topics(settings: Settings) -> None:
    with connect(settings.db, read_only=True) as con:
        rows = con.execute(
            "SELECT t.topic_id, t.label, t.size, round(t.share * 100, 1), array_to_string(t.terms[1:8], ', ') "
            "FROM topics t JOIN topic_models m USING (model_id) WHERE m.is_current ORDER BY t.topic_id"
        ).fetchall()
    if not rows:
        raise jobs.JobError("no topic model yet: run `creditlens topics fit`")
    table = Table("topic", "label", "articles", "%", "top terms")
    for row in rows:
        table.add_row(*(for_terminal(v) for v in row))
    console.print(table)


# -- analysts' commands -------------------------------------------------------------------


@app.command()
def search(query: Annotated[str, typer.Argument(help='Words, or "a phrase" in double quotes')],
           db: DbOption = None,
           limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
           since: Annotated[Optional[str], typer.Option(help="YYYY-MM-DD")] = None,
           until: Annotated[Optional[str], typer.Option(help="YYYY-MM-DD")] = None,
           source: Annotated[Optional[str], typer.Option()] = None,
           language: Annotated[Optional[str], typer.Option()] = None,
           theme: Annotated[Optional[str], typer.Option()] = None) -> None:
    """Full-text search (BM25) over titles and texts."""
    from warehouse.search import search as run_search

    with connect(load_settings(db).db, read_only=True) as con:
        hits = run_search(con, query, limit=limit, since=_date(since, "--since"), until=_date(until, "--until"),
                          source=source, language=language, theme=theme)
    if not hits:
        console.print("no matches")
        return
    table = Table("score", "date", "source", "title", "url")
    for hit in hits:
        published = hit["published_at"].date().isoformat() if hit.get("published_at") else ""
        table.add_row(f"{hit['score']:.2f}", published, *(for_terminal(hit.get(k)) for k in ("source", "title", "url")))
    console.print(table)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} must be a date YYYY-MM-DD, not {value!r}") from None


@app.command(epilog="Views: " + ", ".join(VIEWS) + ". See docs/schema.md for each with an example query.")
def sql(query: Annotated[str, typer.Argument(help="SQL; use ? placeholders with --param, or $name with --named")],
        db: DbOption = None,
        fmt: Annotated[SqlFormat, typer.Option("--format")] = SqlFormat.table,
        param: Annotated[Optional[list[str]], typer.Option("--param", help="A value for the next ? placeholder, taken as it is (repeat in order)")] = None,
        named: Annotated[Optional[list[str]], typer.Option("--named", help="NAME=VALUE for the $NAME placeholder (repeatable)")] = None,
        raw_csv: Annotated[bool, typer.Option("--raw-csv", help="With --format csv: write cells starting with = + - @ as they are (for programs, not spreadsheets)")] = False,
        write: Annotated[bool, typer.Option("--write", help="Open read-write and allow changes and file access")] = False) -> None:
    """Query the warehouse (read-only, and no file access, unless --write); parameters are bound, never pasted into SQL."""
    from warehouse.confinement import FORBIDDEN_HINT, confine, is_forbidden
    from warehouse.search import load_fts

    params = _params(param or [], named or [])
    with connect(load_settings(db).db, read_only=not write) as con:
        if write:
            load_fts(con)  # match_bm25 works here too
        else:
            confine(con)
        try:
            result = con.execute(query, params or None)
        except duckdb.Error as exc:
            hint = " (the database is opened read-only; add --write to change it)" if "read-only" in str(exc) else ""
            hint = f" ({FORBIDDEN_HINT})" if not write and is_forbidden(exc) else hint
            raise WarehouseError(f"query failed: {str(exc).splitlines()[0]}{hint}") from None
        if result.description is None:
            console.print("ok")
            return
        columns = [c[0] for c in result.description]
        rows = result.fetchall()
    if fmt is SqlFormat.json:
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False, default=str) + "\n")
    elif fmt is SqlFormat.csv:
        cell = (lambda v: v) if raw_csv else for_csv
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([cell(c) for c in columns])
        writer.writerows([cell(v) for v in row] for row in rows)
        sys.stdout.write(buffer.getvalue())
    else:
        table = Table()
        for column in columns:
            table.add_column(for_terminal(column))
        for row in rows:
            table.add_row(*(for_terminal(v) for v in row))
        console.print(table)


def _params(positional: list[str], named: list[str]) -> list[str] | dict[str, str]:
    """`--param` values bind ? placeholders verbatim (an "=" in one is just a character);
    `--named NAME=VALUE` binds $NAME.  DuckDB cannot mix the two in one query."""
    if positional and named:
        raise ConfigError("give --param values (for ?) or --named NAME=VALUE (for $NAME), not both")
    bound = {}
    for item in named:
        name, sep, value = item.partition("=")
        if not sep or not name.isidentifier():
            raise ConfigError(f"--named takes NAME=VALUE with NAME a placeholder name, not {item!r}")
        bound[name] = value
    return bound or positional


@app.command("export")
def export_cmd(what: Annotated[ExportWhat, typer.Argument(help="topics | articles | entities | figures")],
               fmt: Annotated[ExportFormat, typer.Option("--format", help="csv | json | parquet | md")],
               out: Annotated[Path, typer.Option("--out", help="Output file (or folder for partitioned Parquet)")],
               db: DbOption = None,
               since: Annotated[Optional[str], typer.Option(help="YYYY-MM-DD")] = None,
               until: Annotated[Optional[str], typer.Option(help="YYYY-MM-DD")] = None,
               source: Annotated[Optional[str], typer.Option()] = None,
               theme: Annotated[Optional[str], typer.Option()] = None,
               query: Annotated[Optional[str], typer.Option(help="Full-text filter")] = None,
               raw_csv: Annotated[bool, typer.Option("--raw-csv", help="CSV cells starting with = + - @ as they are (for programs, not spreadsheets)")] = False) -> None:
    """Write articles, entities, the topic summary or the reported figures with where they came from."""
    from warehouse.exports import export

    with connect(load_settings(db).db, read_only=True) as con:
        path = export(con, what.value, fmt.value, out, since=_date(since, "--since"), until=_date(until, "--until"),
                      source=source, theme=theme, query=query, raw_csv=raw_csv)
    console.print(f"wrote {path}")


@app.command()
def report(out: Annotated[Path, typer.Option("--out", help="HTML file to write")], db: DbOption = None) -> None:
    """A self-contained HTML report with charts (opens offline in any browser)."""
    from warehouse.report import write_report

    with connect(load_settings(db).db, read_only=True) as con:
        path = write_report(con, out)
    console.print(f"wrote {path}")


# -- single-document tools -----------------------------------------------------------------


@app.command()
def extract(files: Annotated[list[Path], typer.Argument(help="HTML files")],
            url: Annotated[Optional[str], typer.Option(help="The URL the page came from")] = None) -> None:
    """Show exactly what the pipeline extracts from HTML files (one JSON object a line)."""
    from nlp.extraction import extract_page, extraction_json

    failed = 0
    for path in files:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            errors.print(f"error: cannot read {path}: {exc.strerror}")
            failed += 1
            continue
        html = _decode_html(raw)
        extraction = extract_page(html, url or path.resolve().as_uri())
        sys.stdout.write(json.dumps(extraction_json(str(path), extraction), ensure_ascii=False, default=str) + "\n")
    if failed:
        raise typer.Exit(EXIT_ERROR)


def _decode_html(raw: bytes) -> str:
    """Decode a saved page exactly as the crawler does: BOM, declared charset, then detection."""
    from crawler.charset import decode_html

    return decode_html(raw)[0]


@app.command()
def annotate(file: Annotated[Path, typer.Argument(help="JSON lines {id, text, language?}; - for standard input")],
             config: ConfigOption = None) -> None:
    """Annotate texts: one JSON line out per line in (entities, themes, quotes, figures).
    A line's `language` (en, zh, zh-Hant, ...) picks the pipeline; without one it is detected."""
    from nlp.annotate import Annotator

    settings = load_settings(None, config)
    handle = sys.stdin if str(file) == "-" else _open_text(file)
    items, bad = [], 0
    for number, line in enumerate(handle, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError("needs a 'text' string")
            if not isinstance(row.get("language") or "", str):
                raise ValueError("'language' must be a string such as \"zh\"")
            items.append((str(row.get("id", number)), row["text"], row.get("language") or None))
        except ValueError as exc:
            errors.print(f"skipped {file}:{number}: {str(exc).splitlines()[0]}", highlight=False, markup=False)
            bad += 1
        except RecursionError:
            errors.print(f"skipped {file}:{number}: invalid JSON (nested too deeply)", highlight=False, markup=False)
            bad += 1
    annotator = Annotator(model=settings.model, keep_personal_data=settings.keep_personal_data,
                          max_chars=settings.max_annotate_chars)
    for annotations in annotator.annotate(items):
        sys.stdout.write(json.dumps(annotations.as_json(), ensure_ascii=False) + "\n")
    _print_some("cut", [f"{line} ([process] max_annotate_chars)" for line in annotator.cut])
    if bad and not items:
        raise typer.Exit(EXIT_ERROR)


def _open_text(path: Path):
    try:
        return open(path, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None


# -- entry point ----------------------------------------------------------------------------


def main() -> None:
    """Run the app, turning every known failure into one line and an exit code."""
    from crawler.sources import RegistryError

    try:
        # without standalone mode, click returns typer.Exit's code instead of exiting
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _fail("aborted", 130)
    except typer.TyperException as exc:  # bad usage: typer's own message (usage line + error), exit 2
        exc.show()
        sys.exit(exc.exit_code)
    except jobs.LockHeld as exc:
        _fail(exc, EXIT_LOCKED)
    except (jobs.Deferred, WarehouseBusy) as exc:
        _fail(exc, EXIT_DEFERRED)
    except (ConfigError, RegistryError, WarehouseError, jobs.JobError, ValueError, OSError) as exc:
        _fail(exc, EXIT_ERROR)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:  # the promise is "never a traceback"; CREDITLENS_DEBUG shows it
        if os.environ.get("CREDITLENS_DEBUG"):
            raise
        _fail(f"unexpected {type(exc).__name__}: {exc}", EXIT_ERROR)


def _fail(message, code: int) -> None:
    text = str(message).strip().splitlines()[0] if str(message).strip() else type(message).__name__
    errors.print(f"error: {text}", highlight=False, markup=False)
    sys.exit(code)
