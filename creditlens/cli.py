"""The `creditlens` command line: parse options, call a job, print the outcome.

Every known failure becomes one line on stderr and an exit code (see
docs/architecture.md); set CREDITLENS_DEBUG=1 to see a traceback instead.
Heavy libraries (Scrapy, spaCy, trafilatura, and DuckDB, Arrow and the jobs behind
them) are imported inside the commands that need them so `--help`, `extract` and
`annotate` start at once.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from datetime import date, datetime, timezone
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from creditlens.config import ConfigError, Settings, check_scheduler, load_settings
from creditlens.terminal_table import cell_text, fit_table
from warehouse.escaping import for_csv, for_terminal
from warehouse.views import VIEWS

if TYPE_CHECKING:
    from creditlens import jobs

EXIT_ERROR, EXIT_LOCKED, EXIT_CRAWL_FAILED, EXIT_DEFERRED = 1, 3, 4, 75

HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  context_settings=HELP_OPTIONS, help="Media-coverage text mining for news about credit systems.")
topics_app = typer.Typer(no_args_is_help=True, context_settings=HELP_OPTIONS,
                         help="Fit and inspect topic model versions.")
app.add_typer(topics_app, name="topics")

console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error stays one line, however narrow the terminal

DbOption = Annotated[Optional[Path], typer.Option("--db", help="Database file [default: $CREDITLENS_DB or ./creditlens.duckdb]")]
# rich reads [brackets] in help as markup: escape them so the TOML table name shows
ConfigOption = Annotated[Optional[Path], typer.Option("--config", help=escape("TOML settings and extra [[source]] entries"))]


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
    jsonl = "jsonl"
    parquet = "parquet"
    md = "md"


class SqlFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _print_version(wanted: bool) -> None:
    if wanted:
        from creditlens import __version__

        console.print(f"creditlens {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                                   help="Show the version and exit")] = False) -> None:
    """Media-coverage text mining for news about credit systems."""


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
    from creditlens import jobs

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


class DateOrderChoice(str, Enum):
    auto = "auto"
    dmy = "dmy"
    mdy = "mdy"
    ymd = "ymd"


def _field_option(name: str):
    return typer.Option(f"--{name}-field", help=f"The column or key holding the {name} (default: its usual names)")


@app.command()
def ingest(kind: Annotated[IngestKind, typer.Argument(help="jsonl | csv | warc")],
           files: Annotated[list[Path], typer.Argument(help="Files to ingest")],
           db: DbOption = None, config: ConfigOption = None,
           all_relevant: Annotated[bool, typer.Option("--all-relevant", help="Treat every row as on-topic (your own curated corpus)")] = False,
           text_field: Annotated[Optional[str], _field_option("text")] = None,
           id_field: Annotated[Optional[str], _field_option("id")] = None,
           date_field: Annotated[Optional[str], _field_option("date")] = None,
           title_field: Annotated[Optional[str], _field_option("title")] = None,
           source_field: Annotated[Optional[str], _field_option("source")] = None,
           date_order: Annotated[DateOrderChoice, typer.Option(
               "--date-order", help="Order of day and month in dates like 03/04/2024: dmy, mdy, ymd, or auto "
                                    "(decided by the file's unambiguous dates; ambiguous ones are reported, never guessed)")
           ] = DateOrderChoice.auto) -> None:
    """Bring your own corpus: JSON lines or CSV rows {url|id, title, text, published_at, source}, or WARC files."""
    from creditlens import jobs
    from creditlens.ingest_report import print_ingest_summary

    settings = load_settings(db, config)
    fields = {"text": text_field, "id": id_field, "date": date_field, "title": title_field, "source": source_field}
    outcome = jobs.ingest(settings, kind.value, files, console, all_relevant=all_relevant,
                          fields=fields, date_order=date_order.value)
    print_ingest_summary(outcome, "pages" if kind is IngestKind.warc else "articles", console, errors)
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
            reprocess: Annotated[bool, typer.Option("--reprocess", help="Extract and annotate everything again")] = False,
            scheduler: Annotated[Optional[str], typer.Option(help="Run on Dask workers: a scheduler address (tcp://host:8786) or local:N; overrides [process] scheduler")] = None) -> None:
    """Extract articles from stored pages and annotate entities, themes, quotes and figures."""
    from creditlens import jobs

    settings = load_settings(db, config)
    if scheduler is not None:
        settings.scheduler = check_scheduler(scheduler, "--scheduler")
    outcome = jobs.process(settings, console, reprocess=reprocess)
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(outcome.non_articles.items())) or "none"
    console.print(
        f"extracted {outcome.pages_extracted} pages: {outcome.articles_stored} articles, non-articles: {kinds}, "
        f"failures: {outcome.failures}; annotated {outcome.articles_annotated}; "
        f"assigned {outcome.topics_assigned} to the current topic model"
    )
    if outcome.off_topic:
        console.print(
            f"not annotated: {outcome.off_topic} article(s) judged off-topic (SELECT title FROM articles WHERE NOT "
            "is_relevant); for a curated corpus, ingest it again with --all-relevant", highlight=False, markup=False,
            soft_wrap=True,
        )
    for failure in outcome.annotation_failures:
        errors.print(f"not annotated (retried next run): {failure}", highlight=False, markup=False)
    _print_some("cut", outcome.cut)


@app.command()
def run(config: ConfigOption = None, db: DbOption = None) -> None:
    """The scheduled job: crawl, process, and refit topics when the corpus has grown."""
    from creditlens import jobs

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


NPMI_CLEARLY_LOWER = 0.05  # a new model this much less coherent than the one it replaces is pointed out


@topics_app.command("fit")
def topics_fit(db: DbOption = None, config: ConfigOption = None,
               k: Annotated[Optional[int], typer.Option("--k", min=2, max=100, help="Number of topics")] = None,
               auto: Annotated[bool, typer.Option("--auto", help="Choose k: the number of topics whose grouping of articles is most stable over resamples")] = False,
               method: Annotated[Method, typer.Option(help="nmf | lda")] = Method.nmf) -> None:
    """Fit a new topic model version (older versions are kept; see `topics list` and `topics use`)."""
    from creditlens import jobs

    if k and auto:
        raise ConfigError("give either --k or --auto, not both")
    settings = load_settings(db, config)
    if not k and not auto and not settings.topic_k:
        console.print("no --k given (nor [topics] k in the settings): choosing the number of topics as --auto does",
                      markup=False)
    outcome = jobs.fit_topics(settings, console, k=k, auto=auto, method=method.value)
    if outcome.k_scores:
        _explain_k(outcome)
    console.print(
        f"model {outcome.model_id}: {outcome.method}, k={outcome.k}, {outcome.n_docs} articles, "
        f"NPMI {outcome.npmi:.3f}, diversity {outcome.diversity:.2f}", highlight=False
    )
    previous = outcome.previous
    if previous and outcome.npmi < previous["npmi"] - NPMI_CLEARLY_LOWER:
        console.print(
            f"note: NPMI {outcome.npmi:.3f} is clearly lower than {previous['npmi']:.3f} of the model it replaces, "
            f"{previous['model_id']} ({previous['method']}, k={previous['k']}); the new model is current, "
            f"go back with `creditlens topics use {previous['model_id']}`", highlight=False, markup=False,
            soft_wrap=True,
        )
    _show_topics(settings)


def _explain_k(outcome: jobs.TopicsOutcome) -> None:
    """Which k were tried and why one was chosen, from the scores choose_k recorded (nlp/topics.py)."""
    from creditlens import jobs

    scores = {int(k): v for k, v in outcome.k_scores.items()}
    tried = sorted(scores)
    console.print(
        f"tried k = {', '.join(map(str, tried))} (k from 4 to 9 with at least {jobs.K_MIN_DOCS_PER_TOPIC} "
        f"of the {outcome.n_docs} articles per topic):", highlight=False
    )
    for candidate in tried:
        row = scores[candidate]
        stability = f"stability {row['stability']:.3f}, " if "stability" in row else ""
        console.print(f"  k={candidate}: {stability}NPMI {row['npmi']:.3f} x diversity {row['diversity']:.2f} = "
                      f"quality {row['score']:.3f}", highlight=False)
    if any("stability" in row for row in scores.values()):
        console.print(f"chose k={outcome.k}: the grouping of articles most stable when refitted on 80% samples "
                      "(adjusted Rand index; the smaller k within 0.01)", highlight=False)
    else:
        console.print(f"chose k={outcome.k}: by topic quality (NPMI x diversity)", highlight=False)


@topics_app.command("show")
def topics_show(db: DbOption = None) -> None:
    """The current topic model's topics, sized by the articles assigned to them now."""
    _show_topics(load_settings(db))


def _show_topics(settings: Settings) -> None:
    from creditlens import jobs
    from warehouse.store import connect

    with connect(settings.db, read_only=True) as con:
        rows = con.execute(
            "SELECT t.topic_id, t.label, count(m.article_id) AS articles, "
            "round(count(m.article_id) * 100 / nullif(sum(count(m.article_id)) OVER (), 0), 1), "
            "array_to_string(t.terms[1:8], ', ') "
            "FROM topics t JOIN topic_models tm USING (model_id) "
            "LEFT JOIN article_main_topic m ON m.topic_id = t.topic_id "
            "WHERE tm.is_current GROUP BY ALL ORDER BY t.topic_id"
        ).fetchall()
    if not rows:
        raise jobs.JobError("no topic model yet: run `creditlens topics fit`")
    table = Table("topic", "label", "articles", "%", "top terms")
    for row in rows:
        table.add_row(*(for_terminal("" if v is None else v) for v in row))
    console.print(table)


@topics_app.command("list")
def topics_list(db: DbOption = None) -> None:
    """Every topic model version fitted, the current one marked."""
    from creditlens import jobs
    from warehouse.store import connect

    with connect(load_settings(db).db, read_only=True) as con:
        rows = con.execute(
            "SELECT model_id, method, k, strftime(fitted_at, '%Y-%m-%d %H:%M'), n_docs, npmi, is_current "
            "FROM topic_models ORDER BY fitted_at"
        ).fetchall()
    if not rows:
        raise jobs.JobError("no topic model yet: run `creditlens topics fit`")
    table = Table("model", "method", "k", "fitted (UTC)", "documents", "NPMI", "current")
    for model_id, method_name, k, fitted, n_docs, npmi, current in rows:
        table.add_row(for_terminal(model_id), method_name, str(k), fitted, str(n_docs), f"{npmi:.3f}", "yes" if current else "")
    console.print(table)


@topics_app.command("use")
def topics_use(model_id: Annotated[str, typer.Argument(help="A model id from `creditlens topics list`")],
               db: DbOption = None, config: ConfigOption = None) -> None:
    """Make an earlier topic model version current again (views, exports and reports follow it)."""
    from creditlens import jobs

    settings = load_settings(db, config)
    assigned = jobs.use_topics(settings, model_id, console)
    console.print(f"current topic model: {model_id}" + (f" ({assigned} newer articles assigned to it)" if assigned else ""),
                  highlight=False, markup=False, soft_wrap=True)
    _show_topics(settings)


# -- analysts' commands -------------------------------------------------------------------


class Period(str, Enum):
    day = "day"
    week = "week"
    month = "month"


@app.command()
def search(query: Annotated[str, typer.Argument(help='Words (any of them, ranked by BM25), "a phrase", AND, OR, NOT or -word, (groups)')],
           db: DbOption = None,
           limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
           since: Annotated[Optional[str], typer.Option(help="YYYY-MM-DD")] = None,
           until: Annotated[Optional[str], typer.Option(help="YYYY-MM-DD")] = None,
           source: Annotated[Optional[str], typer.Option()] = None,
           language: Annotated[Optional[str], typer.Option()] = None,
           theme: Annotated[Optional[str], typer.Option()] = None,
           fmt: Annotated[SqlFormat, typer.Option("--format", help="table | csv | json")] = SqlFormat.table,
           by: Annotated[Optional[Period], typer.Option("--by", help="Count matches per day, week or month instead, "
                                                         "with their share of all articles in the period")] = None) -> None:
    """Full-text search (BM25) over titles and texts, or matches counted over time."""
    from creditlens.search_output import print_hits, print_periods
    from warehouse.search import counts_over_time, search as run_search
    from warehouse.store import connect

    filters = {"since": _date(since, "--since"), "until": _date(until, "--until"),
               "source": source, "language": language, "theme": theme}
    with connect(load_settings(db).db, read_only=True) as con:
        if by is not None:
            periods, undated = counts_over_time(con, query, by.value, **filters)
            print_periods(periods, undated, by.value, fmt.value, console, errors)
            return
        hits = run_search(con, query, limit=limit, **filters)
    print_hits(hits, fmt.value, console)


def _moment(value: str | None) -> datetime | None:
    """--as-of: a date (its midnight) or a date and time, in UTC unless an offset is given."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--as-of must be YYYY-MM-DD or YYYY-MM-DDTHH:MM, not {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} must be a date YYYY-MM-DD, not {value!r}") from None


class QueryError(Exception):
    """DuckDB refused a query: its whole message is shown (hints like 'Did you mean' follow the first line)."""


SQL_TABLE_ROWS = 40


@app.command(epilog="Views: " + ", ".join(VIEWS) + ". See docs/schema.md or `creditlens schema` for each.")
def sql(query: Annotated[str, typer.Argument(help="SQL; use ? placeholders with --param, or $name with --named")],
        db: DbOption = None,
        fmt: Annotated[SqlFormat, typer.Option("--format")] = SqlFormat.table,
        param: Annotated[Optional[list[str]], typer.Option("--param", help="A value for the next ? placeholder, taken as it is (repeat in order)")] = None,
        named: Annotated[Optional[list[str]], typer.Option("--named", help="NAME=VALUE for the $NAME placeholder (repeatable)")] = None,
        raw_csv: Annotated[bool, typer.Option("--raw-csv", help="With --format csv: write cells starting with = + - @ as they are (for programs, not spreadsheets)")] = False,
        write: Annotated[bool, typer.Option("--write", help="Open read-write and allow changes and file access")] = False,
        limit: Annotated[Optional[int], typer.Option(
            "--limit", min=0, help=f"Rows to print (0: all) [default: {SQL_TABLE_ROWS} for a table, all for csv/json]")] = None,
        as_of: Annotated[Optional[str], typer.Option("--as-of", help="YYYY-MM-DD[THH:MM] (UTC): query a DuckLake warehouse as it was then")] = None) -> None:
    """Query the warehouse (read-only, and no file access, unless --write); parameters are bound, never pasted into SQL."""
    import duckdb

    from warehouse.confinement import FORBIDDEN_HINT, confine, is_forbidden
    from warehouse.search import load_fts
    from warehouse.store import connect

    params = _params(param or [], named or [])
    if as_of is not None and write:
        raise ConfigError("--as-of reads the past: it cannot be combined with --write")
    if limit is None:
        limit = SQL_TABLE_ROWS if fmt is SqlFormat.table else 0
    with connect(load_settings(db).db, read_only=not write, as_of=_moment(as_of)) as con:
        if write:
            load_fts(con)  # match_bm25 works here too
        else:
            confine(con)
        try:
            result = con.execute(query, params or None)
            if result.description is None:
                console.print("ok")
                return
            columns = [c[0] for c in result.description]
            rows = result.fetchmany(limit) if limit else result.fetchall()
            more = _count_rest(result) if limit else 0
        except duckdb.Error as exc:
            first, _, rest = str(exc).strip().partition("\n")
            hint = " (the database is opened read-only; add --write to change it)" if "read-only" in first else ""
            hint = f" ({FORBIDDEN_HINT})" if not write and is_forbidden(exc) else hint
            raise QueryError(f"query failed: {first}{hint}" + (f"\n{rest}" if rest else "")) from None
    if fmt is SqlFormat.json:
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False, default=str) + "\n")
    elif fmt is SqlFormat.csv:
        cell = (lambda v: v) if raw_csv else for_csv
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([cell(c) for c in columns])
        writer.writerows([cell(v) if isinstance(v, str) else cell_text(v) for v in row] for row in rows)
        sys.stdout.write(buffer.getvalue())
    else:
        table, dropped = fit_table(columns, rows, console.width)
        console.print(table)
        if dropped:
            console.print(f"{len(dropped)} more column(s) not shown at this width: {', '.join(dropped)} "
                          "(select fewer columns, or use --format csv or json)", highlight=False, markup=False, soft_wrap=True)
    if more:
        note = errors if fmt is not SqlFormat.table else console
        note.print(f"... {more} more row(s) not shown (--limit {limit}; --limit 0 shows all)", highlight=False, markup=False)


def _count_rest(result) -> int:
    """Rows left after the ones printed, counted without keeping them."""
    rest = 0
    while chunk := result.fetchmany(10_000):
        rest += len(chunk)
    return rest


@app.command()
def schema(name: Annotated[Optional[str], typer.Argument(help="A table or view; leave out to list them all")] = None,
           db: DbOption = None) -> None:
    """Tables and views with their columns, types and descriptions (from docs/schema.md)."""
    import duckdb

    from warehouse.schema_docs import schema_descriptions
    from warehouse.store import connect, migrate

    path = load_settings(db).db
    con = connect(path, read_only=True) if path.exists() else duckdb.connect(":memory:")
    with con:
        if not path.exists():
            migrate(con)
            console.print(f"no database at {path} yet: this is the schema a new one gets", highlight=False, markup=False)
        objects = con.execute(
            "SELECT table_name, 'table', estimated_size FROM duckdb_tables() WHERE schema_name = 'main' "
            "UNION ALL SELECT view_name, 'view', NULL FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal "
            "ORDER BY 2, 1"
        ).fetchall()
        described = schema_descriptions()
        if name is None:
            table = Table("name", "kind", "rows", "description")
            for object_name, kind, _ in objects:
                rows = con.execute(f'SELECT count(*) FROM "{object_name}"').fetchone()[0] if kind == "table" else None
                entry = described.get(object_name)
                table.add_row(for_terminal(object_name), kind, "" if rows is None else f"{rows:,}", for_terminal(_first_sentence(entry.description) if entry else ""))
            console.print(table)
            console.print("`creditlens schema NAME` lists a table's or view's columns", highlight=False, markup=False)
            return
        kinds = {object_name: kind for object_name, kind, _ in objects}
        if name not in kinds:
            raise ConfigError(f"no table or view {name!r}; known: {', '.join(kinds)}")
        columns = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? "
            "ORDER BY column_index", [name]
        ).fetchall()
    entry = described.get(name)
    console.print(for_terminal(f"{name} ({kinds[name]}): {entry.description if entry else ''}"))
    table = Table("column", "type", "meaning")
    for column, data_type in columns:
        table.add_row(for_terminal(column), for_terminal(data_type), for_terminal(entry.columns.get(column, "") if entry else ""))
    console.print(table)


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.;:])\s", text, maxsplit=1)[0].rstrip(".;:")


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
               fmt: Annotated[ExportFormat, typer.Option("--format", help="csv | json (one document) | jsonl (one object a line) | parquet | md")],
               out: Annotated[Path, typer.Option("--out", help="Output file, or an existing folder to write <what>.<format> in")],
               db: DbOption = None,
               since: Annotated[Optional[str], typer.Option(help="YYYY-MM-DD")] = None,
               until: Annotated[Optional[str], typer.Option(help="YYYY-MM-DD")] = None,
               source: Annotated[Optional[str], typer.Option()] = None,
               theme: Annotated[Optional[str], typer.Option()] = None,
               query: Annotated[Optional[str], typer.Option(help="Full-text filter")] = None,
               raw_csv: Annotated[bool, typer.Option("--raw-csv", help="CSV cells starting with = + - @ as they are (for programs, not spreadsheets)")] = False) -> None:
    """Write articles, entities, the topic summary or the reported figures with where they came from."""
    from warehouse.exports import export
    from warehouse.search import check_filter_values
    from warehouse.store import connect

    with connect(load_settings(db).db, read_only=True) as con:
        check_filter_values(con, source=source, theme=theme)
        path = export(con, what.value, fmt.value, out, since=_date(since, "--since"), until=_date(until, "--until"),
                      source=source, theme=theme, query=query, raw_csv=raw_csv)
    glob = f" (a dataset partitioned by month: read_parquet('{path}/*/*.parquet'))" if path.is_dir() else ""
    console.print(f"wrote {path}{glob}", highlight=False, markup=False)


@app.command()
def report(out: Annotated[Path, typer.Option("--out", help="HTML file to write")], db: DbOption = None) -> None:
    """A self-contained HTML report with charts (opens offline in any browser)."""
    from warehouse.report import write_report
    from warehouse.store import connect

    with connect(load_settings(db).db, read_only=True) as con:
        path = write_report(con, out)
    console.print(f"wrote {path}")


# -- single-document tools -----------------------------------------------------------------


@app.command()
def extract(files: Annotated[list[Path], typer.Argument(help="HTML files")],
            url: Annotated[Optional[str], typer.Option(help="The URL the page came from [default: its canonical link, else the file]")] = None,
            keep_personal_data: Annotated[bool, typer.Option(
                "--keep-personal-data", help="Show resident ID and phone numbers that storage would redact")] = False) -> None:
    """Show exactly what the pipeline extracts from HTML files (one JSON object a line)."""
    from crawler.canonical import canonical_link, page_url
    from nlp.extraction import extract_page, extraction_json
    from nlp.privacy import redact

    failed = 0
    for path in files:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            errors.print(f"error: cannot read {path}: {exc.strerror}", highlight=False, markup=False)
            failed += 1
            continue
        html = _decode_html(raw)
        declared = canonical_link(html)
        if url:  # the key the crawler would store it under
            page = page_url(url, declared)
        elif declared and declared.lower().startswith(("http://", "https://")):
            page = page_url(declared, None)
        else:
            page = path.resolve().as_uri()
        row = extraction_json(str(path), extract_page(html, page))
        if not keep_personal_data:
            row = {key: redact(value) if key in REDACTED_FIELDS and isinstance(value, str) else value
                   for key, value in row.items()}
        sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    if failed:
        raise typer.Exit(EXIT_ERROR)


REDACTED_FIELDS = ("title", "author", "description", "text")  # as storage redacts them


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
    except QueryError as exc:
        errors.print(f"error: {exc}", highlight=False, markup=False)
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:
        # imported only now, so commands that never touch the warehouse start without DuckDB and Arrow
        from creditlens import jobs
        from warehouse.store import WarehouseBusy, WarehouseError

        if isinstance(exc, jobs.LockHeld):
            _fail(exc, EXIT_LOCKED)
        if isinstance(exc, (jobs.Deferred, WarehouseBusy)):
            _fail(exc, EXIT_DEFERRED)
        if isinstance(exc, (ConfigError, RegistryError, WarehouseError, jobs.JobError, ValueError, OSError)):
            _fail(exc, EXIT_ERROR)
        if os.environ.get("CREDITLENS_DEBUG"):  # the promise is "never a traceback"; CREDITLENS_DEBUG shows it
            raise
        _fail(f"unexpected {type(exc).__name__}: {exc}", EXIT_ERROR)


def _fail(message, code: int) -> None:
    text = str(message).strip().splitlines()[0] if str(message).strip() else type(message).__name__
    errors.print(f"error: {text}", highlight=False, markup=False)
    sys.exit(code)
