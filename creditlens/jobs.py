"""The jobs that join the stages: crawl, ingest, process, fit topics, run, demo.

Each stage knows only its own input and output records; this module reads from the
warehouse, hands records to the next stage and loads what comes back.  Everything
fetched or given is spooled before it is loaded (see warehouse/spool.py), so a busy
or crashed database never loses work.
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
from contextlib import contextmanager
from itertools import islice
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import pyarrow as pa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from creditlens.config import Settings
from warehouse.records import Annotations, Article, CrawlRun, Page, decompress_html, utcnow
from nlp.themes import Taxonomy
from warehouse.spool import Spool
from warehouse.store import ANNOTATION_TABLES, Warehouse, WarehouseBusy, WarehouseError, connect, key_table

EXTRACT_CHUNK = 500
ANNOTATE_CHUNK = 256
REFIT_GROWTH = 1.25  # `run` refits topics when the corpus grew by a quarter since the last fit


class JobError(Exception):
    """A job cannot go on; one line for the user."""


class LockHeld(JobError):
    """Another crawl or scheduled run holds the lock."""


class Deferred(JobError):
    """The database is held by another process; what was fetched waits in the spool."""


# -- shared plumbing --------------------------------------------------------------


@contextmanager
def run_lock(settings: Settings) -> Iterator[None]:
    """Two overlapping cron runs never crawl at once: the second one stops at once."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.state_dir / "run.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(f"another creditlens run holds {settings.state_dir / 'run.lock'}") from None
        handle.write(str(os.getpid()))
        handle.flush()
        yield


def open_warehouse(settings: Settings, console: Console, waiting: str = "") -> Warehouse:
    """Open read-write and load whatever earlier commands left in the spool."""
    try:
        warehouse = Warehouse(settings.db, data_path=settings.data_path)
    except WarehouseBusy as exc:
        pending = len(Spool(settings.spool_dir))
        detail = f"; {pending} spool file(s) in {settings.spool_dir} will be loaded by the next command" if pending else ""
        raise Deferred(f"{exc}{detail}{waiting}") from None
    loaded = warehouse.drain_spool(Spool(settings.spool_dir))
    if loaded["files"]:
        counts = ", ".join(f"{n} {t}" for t, n in loaded.items() if t not in ("files", "damaged_lines"))
        console.print(f"loaded {loaded['files']} spool file(s): {counts or 'nothing'}")
        if loaded["damaged_lines"]:
            console.print(f"[yellow]skipped {loaded['damaged_lines']} damaged spool line(s)[/]")
    return warehouse


def progress(console: Console) -> Progress:
    """A progress bar on terminals only.  No refresh thread: the annotator forks worker
    processes, and a fork while another thread holds a lock can hang the child."""
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console, transient=True, disable=not console.is_terminal, auto_refresh=False,
    )


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# -- crawl -----------------------------------------------------------------------


@dataclass
class CrawlOutcome:
    run: CrawlRun
    errors_by_kind: dict[str, int]


def crawl(settings: Settings, source_names: list[str], max_pages: int | None, console: Console,
          command: str = "crawl") -> CrawlOutcome:
    """Crawl the selected sources into the spool, then load the spool.  Caller holds run_lock."""
    from crawler.runner import run_crawl
    from crawler.sources import load_registry, select

    sources = load_registry(settings.config_paths)
    if source_names:
        sources = select(sources, source_names)
    if not sources:
        raise JobError("no sources to crawl (check --source and the config's [[source]] entries)")
    overrides = dict(settings.crawl)
    if max_pages:
        overrides["CLOSESPIDER_PAGECOUNT"] = max_pages
    overrides["CREDITLENS_KEEP_PERSONAL_DATA"] = settings.keep_personal_data
    run_id = f"{command}-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{os.getpid()}"
    started = utcnow()
    Spool(settings.spool_dir).write_all(
        "run", [CrawlRun(run_id=run_id, command=command, started_at=started)]
    )
    stats = run_crawl(sources, settings.state_dir, run_id, overrides)
    run = CrawlRun(
        run_id=run_id, command=command, started_at=started, ended_at=stats.ended_at,
        status=stats.status, pages_fetched=stats.pages_fetched, pages_stored=stats.pages_stored,
        errors=stats.errors, errors_by_kind=json.dumps(stats.errors_by_kind, sort_keys=True),
    )
    Spool(settings.spool_dir).write_all("run", [run])
    with open_warehouse(settings, console, waiting=" (the crawl itself finished)") as warehouse:
        warehouse.upsert_rows("sources", [_source_row(s) for s in sources], key="source_id")
        # we hold the run lock, so any other run still marked running was killed
        warehouse.con.execute(
            "UPDATE crawl_runs SET status = 'interrupted' WHERE status = 'running' AND run_id <> ?", [run_id]
        )
    return CrawlOutcome(run, stats.errors_by_kind)


def _source_row(source) -> dict:
    return {
        "source_id": source.id, "name": source.name, "homepage": source.homepage,
        "country": source.country, "language": source.language, "kind": source.kind,
        "feeds": list(source.feeds), "sitemaps": list(source.sitemaps),
        "start_urls": list(source.start_urls), "allowed_domains": list(source.allowed_domains),
    }


# -- articles: the one path every article takes into the warehouse -------------------


class ArticlePreparer:
    """Redaction, relevance and de-duplication, the same for crawled and ingested articles."""

    def __init__(self, settings: Settings, all_relevant: bool = False):
        from nlp.dedup import DuplicateIndex, DuplicateIndexError
        from nlp.privacy import redact_article
        from nlp.relevance import load_relevance

        self.redact = (lambda article: article) if settings.keep_personal_data else redact_article
        self.relevance = load_relevance()
        try:
            self.duplicates = DuplicateIndex.open(settings.state_dir / "dedup")
        except DuplicateIndexError as exc:
            raise JobError(str(exc)) from None
        self.all_relevant = all_relevant
        self.max_text_chars = settings.max_text_chars
        self.cut: list[str] = []  # "article_id: ..." for each text cut to max_text_chars

    def prepare(self, articles: list[Article]) -> list[Article]:
        for article in articles:
            self._cap(article)
            self.redact(article)  # every stored field, before the spool or the warehouse sees it
            article.relevance = self.relevance.score(f"{article.title or ''}\n{article.text}")
            article.is_relevant = self.all_relevant or self.relevance.is_relevant(article.relevance)
        return self.duplicates.assign(articles)

    def _cap(self, article: Article) -> None:
        """No news article is megabytes long, and one that is makes the search index build
        take hours: the text is cut to `[process] max_text_chars` and the cut reported."""
        if len(article.text) > self.max_text_chars:
            self.cut.append(f"{article.article_id}: text cut from {len(article.text):,} to "
                            f"{self.max_text_chars:,} characters ([process] max_text_chars)")
            article.text = article.text[: self.max_text_chars]
            article.word_count = len(article.text.split())
        if article.title and len(article.title) > self.max_text_chars:
            article.title = article.title[: self.max_text_chars]

    def regrouped(self) -> dict[str, str | None]:
        """Articles stored earlier whose story now has an earlier copy: article_id -> duplicate_of."""
        return self.duplicates.regrouped

    def save(self) -> None:
        self.duplicates.save()


# -- ingest ----------------------------------------------------------------------


@dataclass
class IngestOutcome:
    """What an ingest did, for the summary every ingest prints: nothing is dropped unseen."""

    records: int = 0
    skipped: list[str] = field(default_factory=list)  # "file:line: reason"
    cut: list[str] = field(default_factory=list)  # "article_id: how much was cut"
    regrouped: dict[str, str | None] = field(default_factory=dict)  # stored articles with an earlier copy now
    new: int = 0
    updated: int = 0  # stored before, text changed
    unchanged: int = 0  # stored before with the same text (other fields may change, e.g. --all-relevant)
    repeated: list[str] = field(default_factory=list)  # "file:line: id (also file:line)"; the last row is kept
    off_topic: list[str] = field(default_factory=list)  # "id (title)" of articles judged not about credit systems
    copies: int = 0  # near-verbatim copies of another article (duplicate_of set)
    bad_dates: list[str] = field(default_factory=list)  # "file:line: 'value': reason"
    notes: list[str] = field(default_factory=list)  # per file: which columns were read, the date order
    database_known: bool = True  # False when the database was busy and new/updated could not be told apart


def ingest(settings: Settings, kind: str, files: list[Path], console: Console, all_relevant: bool = False,
           fields: dict[str, str | None] | None = None, date_order: str = "auto") -> IngestOutcome:
    """Spool every good record of every file (bad rows and files are recorded and skipped), then load.
    Nothing ingested: no database is created."""
    from creditlens.corpus import CorpusError

    outcome = IngestOutcome()
    spool = Spool(settings.spool_dir)
    seen: dict[str, str] = {}
    failed_files: list[str] = []
    for path in files:
        if not path.is_file():
            failed_files.append(f"{path}: no such file")
            continue
        try:
            if kind == "warc":
                count = _ingest_warc(settings, path, spool, outcome)
            else:
                count = _ingest_corpus(settings, kind, path, spool, outcome, all_relevant, fields or {}, date_order, seen)
        except CorpusError as exc:
            failed_files.append(str(exc))
            continue
        except (OSError, UnicodeDecodeError, ValueError, csv.Error) as exc:
            failed_files.append(f"{path}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
            continue
        outcome.records += count
    if outcome.records or settings.db.exists():
        with open_warehouse(settings, console, waiting=" (ingested records are safe in the spool)") as warehouse:
            warehouse.set_duplicates(outcome.regrouped)
    if failed_files and not outcome.records and len(failed_files) == len(files):
        more = f" (and {len(failed_files) - 1} more file(s) failed)" if len(failed_files) > 1 else ""
        raise JobError(failed_files[0] + more)
    outcome.skipped = failed_files + outcome.skipped
    return outcome


def _ingest_corpus(settings, kind, path, spool, outcome, all_relevant, fields, date_order, seen) -> int:
    from creditlens.corpus import read_corpus

    corpus = read_corpus(kind, path, fields, date_order, max_field=settings.max_record_bytes)
    outcome.skipped += [f"{path}:{number}: {reason}" for number, reason in corpus.skipped]
    outcome.bad_dates += [f"{path}:{number}: {value!r}: {reason}" for number, value, reason in corpus.bad_dates]
    read = ", ".join(f"{name} from {column!r}" for name, column in corpus.fields.items() if name != column)
    order = f"dates {corpus.date_order.reason}" if corpus.date_order.reason else ""
    if read or order:
        outcome.notes.append(f"{path}: " + "; ".join(part for part in (read, order) if part))
    for number, article in corpus.articles:
        where = f"{path}:{number}"
        if article.article_id in seen:
            outcome.repeated.append(f"{where}: {article.article_id} (also {seen[article.article_id]})")
        seen[article.article_id] = where
    articles = list({article.article_id: article for _, article in corpus.articles}.values())  # the last row of an id wins
    if not articles:
        return 0
    from nlp.extraction import content_hash

    preparer = ArticlePreparer(settings, all_relevant)
    prepared = preparer.prepare(articles)
    for article in prepared:  # of the text as stored (redacted, cut), as for crawled articles
        article.content_hash = content_hash(article.text)
    _count_new_and_updated(settings, prepared, outcome)
    outcome.off_topic += [f"{a.article_id}" + (f" ({a.title})" if a.title else "") for a in prepared if not a.is_relevant]
    outcome.copies += sum(1 for a in prepared if a.duplicate_of)
    count = spool.write_all(f"ingest-{kind}", prepared)
    outcome.cut += preparer.cut
    outcome.regrouped.update(preparer.regrouped())
    preparer.save()
    return count


def _count_new_and_updated(settings: Settings, articles: list[Article], outcome: IngestOutcome) -> None:
    """Compare with what the warehouse holds (read-only, so a busy database only loses the split)."""
    latest = {a.article_id: a.content_hash for a in articles}
    stored: dict[str, str | None] = {}
    if settings.db.exists():
        try:
            with connect(settings.db, read_only=True) as con:
                con.register("ingest_ids", key_table(list(latest)))
                stored = dict(con.execute(
                    "SELECT article_id, content_hash FROM articles WHERE article_id IN (SELECT article_id FROM ingest_ids)"
                ).fetchall())
        except WarehouseError:
            outcome.database_known = False
            return
    for article_id, digest in latest.items():
        if article_id not in stored:
            outcome.new += 1
        elif stored[article_id] == digest:
            outcome.unchanged += 1
        else:
            outcome.updated += 1


def _ingest_warc(settings, path, spool, outcome) -> int:
    from crawler.sources import load_registry, source_for_url
    from crawler.warc import WarcError, read_warc

    registry = load_registry(settings.config_paths)
    reading = read_warc(path, keep_personal_data=settings.keep_personal_data, max_record_bytes=settings.max_record_bytes)
    with spool.writer("ingest-warc") as writer:
        try:
            for page in reading:
                source = source_for_url(page.url, registry)
                page.source = source.id if source else page.source
                writer.write(page)
        except WarcError as exc:
            outcome.skipped.append(f"{exc} (records before the fault were kept)")  # names the file
        if reading.skipped["over_max_record_bytes"]:
            outcome.skipped.append(f"{path}: {reading.skipped['over_max_record_bytes']} record(s) larger than "
                                   f"{settings.max_record_bytes:,} bytes ([process] max_record_bytes)")
        return writer.count


# -- process -------------------------------------------------------------------------


@dataclass
class ProcessOutcome:
    pages_extracted: int = 0
    articles_stored: int = 0
    non_articles: dict[str, int] = field(default_factory=dict)
    failures: int = 0
    articles_annotated: int = 0
    annotation_failures: list[str] = field(default_factory=list)  # "article_id: reason"; retried next run
    topics_assigned: int = 0
    cut: list[str] = field(default_factory=list)  # "article_id: how much was cut" (stored text or annotation)
    off_topic: int = 0  # articles not annotated because they were judged off-topic


def process(settings: Settings, console: Console, reprocess: bool = False) -> ProcessOutcome:
    """Extract pages not yet extracted, then annotate relevant articles not yet annotated."""
    outcome = ProcessOutcome()
    started = utcnow()
    with open_warehouse(settings, console) as warehouse:
        preparer = ArticlePreparer(settings)
        if reprocess and not settings.keep_personal_data:
            redacted = redact_stored(warehouse)
            if redacted:
                console.print(f"redacted {redacted} stored page(s) and article(s) again under the current rules")
        with processing_cluster(settings) as cluster:
            _extract_pending(warehouse, settings, preparer, outcome, reprocess, console, cluster)
            preparer.save()
            outcome.cut += preparer.cut
            annotator = _annotate_pending(warehouse, settings, outcome, reprocess, console, cluster)
        outcome.off_topic = warehouse.con.execute(
            "SELECT count(*) FROM articles WHERE NOT is_relevant AND annotated_at IS NULL"
        ).fetchone()[0]
        outcome.topics_assigned = assign_topics(warehouse)
        warehouse.refresh_entity_pairs()
        warehouse.refresh_crosslingual_stories()
        warehouse.refresh_figure_groups()
        warehouse.refresh_search_index()
        warehouse.maintain()
        versions = annotator.versions if annotator else {}
        warehouse.upsert_rows("process_runs", [{
            "run_id": f"process-{started:%Y%m%dT%H%M%S}-{os.getpid()}", "started_at": started,
            "ended_at": utcnow(), "pages_extracted": outcome.pages_extracted,
            "articles_stored": outcome.articles_stored, "articles_annotated": outcome.articles_annotated,
            "non_articles": sum(outcome.non_articles.values()), "failures": outcome.failures,
            "model": versions.get("model"), "gazetteer_version": versions.get("gazetteer_version"),
            "taxonomy_version": versions.get("taxonomy_version"),
        }], key="run_id")
    return outcome


def redact_stored(warehouse: Warehouse) -> int:
    """Pages and articles already stored, redacted again under the current rules; the number
    of rows that changed.  `process --reprocess` runs it first, so a warehouse filled before
    a rule existed keeps no number the rules now catch; annotations, topics and the search
    index are then rebuilt from the result.  A page whose URL held a number is stored under
    the redacted URL, an article whose id was derived from it under the id derived from the
    redacted URL (the row already there wins when both exist)."""
    return _redact_stored_pages(warehouse.con) + _redact_stored_articles(warehouse)


def _redact_stored_pages(con) -> int:
    from nlp.privacy import redact, redact_html, redact_url

    changed = 0
    urls = [r[0] for r in con.execute("SELECT url FROM pages ORDER BY url").fetchall()]
    for chunk in _chunks(urls, EXTRACT_CHUNK):
        con.register("chunk_urls", key_table(chunk, "url"))
        rows = con.execute("SELECT url, html, sha256, requested_url, error FROM pages "
                           "WHERE url IN (SELECT url FROM chunk_urls)").fetchall()
        con.unregister("chunk_urls")
        updates = []
        for url, html, sha256, requested_url, error in rows:
            row = {"url": url, "new_url": redact_url(url), "html": html, "sha256": sha256,
                   "requested_url": redact_url(requested_url), "error": error and redact(error)}
            text = decompress_html(html)
            clean = redact_html(text)
            if clean != text:
                page = Page.from_html(url, clean, status=200)
                row["html"], row["sha256"] = page.html, page.sha256
            if (row["new_url"], row["html"], row["requested_url"], row["error"]) != (url, html, requested_url, error):
                updates.append(row)
        if updates:
            con.register("redacted", pa.Table.from_pylist(updates))
            con.execute("UPDATE pages SET html = r.html, sha256 = r.sha256, requested_url = r.requested_url, "
                        "error = r.error FROM redacted r WHERE pages.url = r.url")
            for old, new in [(r["url"], r["new_url"]) for r in updates if r["new_url"] != r["url"]]:
                taken = con.execute("SELECT count(*) FROM pages WHERE url = ?", [new]).fetchone()[0]
                con.execute("DELETE FROM pages WHERE url = ?" if taken else "UPDATE pages SET url = ? WHERE url = ?",
                            [old] if taken else [new, old])
            con.unregister("redacted")
            changed += len(updates)
    return changed


def _redact_stored_articles(warehouse: Warehouse) -> int:
    from nlp.extraction import content_hash
    from nlp.privacy import redact_article

    con, changed = warehouse.con, 0
    ids = [r[0] for r in con.execute("SELECT article_id FROM articles ORDER BY article_id").fetchall()]
    for chunk in _chunks(ids, EXTRACT_CHUNK):
        con.register("chunk_ids", key_table(chunk))
        result = con.execute("SELECT * FROM articles WHERE article_id IN (SELECT article_id FROM chunk_ids)")
        columns = [c[0] for c in result.description]
        stored = [Article.from_row(dict(zip(columns, row))) for row in result.fetchall()]
        con.unregister("chunk_ids")
        updated, moved, touched = [], {}, 0
        for article in stored:
            before, key = article.as_row(), article.article_id
            redact_article(article)
            if article.text != before["text"]:
                article.content_hash = content_hash(article.text)
            touched += article.as_row() != before
            if article.article_id != key:
                moved[key] = article.article_id
                article.annotated_at = None
                if con.execute("SELECT count(*) FROM articles WHERE article_id = ?", [article.article_id]).fetchone()[0]:
                    continue
            if article.as_row() != before:
                updated.append(article)
        warehouse.load_articles(updated)
        for old, new in moved.items():  # annotations and topics are made again for the new id
            for table in (*ANNOTATION_TABLES, "article_topics", "articles"):
                con.execute(f"DELETE FROM {table} WHERE article_id = ?", [old])
            con.execute("UPDATE articles SET duplicate_of = ? WHERE duplicate_of = ?", [new, old])
        changed += touched
    return changed


@contextmanager
def processing_cluster(settings: Settings):
    """The Dask cluster of `[process] scheduler` for one run, or None: the local pools."""
    if not settings.scheduler:
        yield None
        return
    from creditlens.dask_processing import ClusterError, connect

    try:
        with connect(settings.scheduler) as cluster:
            yield cluster
    except ClusterError as exc:
        raise JobError(str(exc)) from None


def _extract_pending(warehouse, settings, preparer, outcome, reprocess, console, cluster=None) -> None:
    """One extraction pool for the whole backlog (starting workers is slow); results are
    loaded EXTRACT_CHUNK at a time, so a crash loses at most one chunk of work."""
    from nlp.dates import DateEvidence
    from nlp.extraction import ExtractionPoolError, extract_pages

    condition = "html IS NOT NULL" + ("" if reprocess else " AND extracted_at IS NULL")
    urls = [r[0] for r in warehouse.con.execute(f"SELECT url FROM pages WHERE {condition} ORDER BY fetched_at, url").fetchall()]

    def pending_pages():
        for chunk in _chunks(urls, EXTRACT_CHUNK):
            warehouse.con.register("chunk_urls", key_table(chunk, "url"))
            rows = warehouse.con.execute(
                "SELECT url, html, source, feed_date, sitemap_date, listed_lastmod, fetched_at "
                "FROM pages WHERE url IN (SELECT url FROM chunk_urls)"
            ).fetchall()
            warehouse.con.unregister("chunk_urls")
            for url, html, source, *dates in rows:
                yield url, Page(url=url, status=200, html=html).text(), source, DateEvidence(*dates)

    results = (cluster.extract_pages(pending_pages()) if cluster
               else extract_pages(pending_pages(), workers=settings.workers))
    try:
        _load_extractions(warehouse, preparer, outcome, results, len(urls), console)
    except ExtractionPoolError as exc:
        raise JobError(str(exc)) from None


def _load_extractions(warehouse, preparer, outcome, results, total, console) -> None:
    with progress(console) as bar:
        task = bar.add_task("extracting", total=total)
        while batch := list(islice(results, EXTRACT_CHUNK)):
            articles, marks = [], []
            for url, extraction in batch:
                marks.append({"url": url, "page_kind": extraction.page_kind,
                              "extract_error": extraction.reason, "extracted_at": utcnow()})
                if extraction.article is not None:
                    articles.append(extraction.article)
                elif extraction.page_kind == "failed":
                    outcome.failures += 1
                else:
                    outcome.non_articles[extraction.page_kind] = outcome.non_articles.get(extraction.page_kind, 0) + 1
            warehouse.load_articles(preparer.prepare(articles))
            warehouse.set_duplicates(preparer.regrouped())
            warehouse.mark_extracted(marks)
            outcome.pages_extracted += len(batch)
            outcome.articles_stored += len(articles)
            bar.advance(task, len(batch))
            bar.refresh()


def _annotate_pending(warehouse, settings, outcome, reprocess, console, cluster=None):
    from nlp.annotate import Annotator

    condition = "is_relevant" + ("" if reprocess else " AND annotated_at IS NULL")
    ids = [r[0] for r in warehouse.con.execute(f"SELECT article_id FROM articles WHERE {condition} ORDER BY article_id").fetchall()]
    if not ids:
        return None
    annotator = Annotator(model=settings.model, keep_personal_data=settings.keep_personal_data,
                          max_chars=settings.max_annotate_chars)
    with progress(console) as bar:
        task = bar.add_task("annotating", total=len(ids))
        for chunk in _chunks(ids, ANNOTATE_CHUNK):
            warehouse.con.register("chunk_ids", key_table(chunk))
            items = warehouse.con.execute(
                # offsets refer to articles.text, so an analyst can cut the mention out of it;
                # the language picks the pipeline (detected from the text when unknown)
                "SELECT article_id, text, language FROM articles "
                "WHERE article_id IN (SELECT article_id FROM chunk_ids)"
            ).fetchall()
            warehouse.con.unregister("chunk_ids")
            batch: list[Annotations] = list(annotator.annotate(items, n_process=settings.workers, cluster=cluster))
            warehouse.load_annotations(batch, utcnow())
            outcome.articles_annotated += len(batch)
            bar.advance(task, len(batch))
            bar.refresh()
    outcome.annotation_failures = [f"{f.article_id}: {f.error}" for f in annotator.failures]
    outcome.cut += [f"{line} ([process] max_annotate_chars)" for line in annotator.cut]
    warehouse.upsert_rows("entity_catalog", annotator.catalog_rows(), key="entity_id")
    warehouse.upsert_rows("theme_catalog", Taxonomy.load().catalog_rows(), key="theme")
    return annotator


# -- topics --------------------------------------------------------------------------

# every language in one model: Chinese articles are cut into words first (nlp/zh_terms.py)
TOPIC_CORPUS = (
    "SELECT article_id, coalesce(title || '\n', '') || text, language FROM articles "
    "WHERE is_relevant AND duplicate_of IS NULL ORDER BY article_id"
)


def _topic_texts(rows: list[tuple]) -> list[str]:
    from nlp.zh_terms import topic_text

    return [topic_text(text, language) for _, text, language in rows]


@dataclass
class TopicsOutcome:
    model_id: str
    method: str
    k: int
    n_docs: int
    npmi: float
    diversity: float
    k_scores: dict
    k_chosen_by: str = "given"  # given (--k), setting ([topics] k), auto (--auto), default (neither given)
    previous: dict | None = None  # the model that was current before: model_id, method, k, npmi


K_MIN_DOCS_PER_TOPIC = 3  # a candidate k needs this many articles per topic


def fit_topics(settings: Settings, console: Console, k: int | None = None, auto: bool = False,
               method: str | None = None, k_range: Iterable[int] = range(4, 10)) -> TopicsOutcome:
    """Fit a new topic model version on the relevant, unduplicated articles; keep the old ones.
    Without k (argument or [topics] k setting) the number of topics is chosen by stability (see nlp.topics.choose_k)."""
    from nlp.topics import TopicModel, choose_k

    method = method or settings.topic_method
    with open_warehouse(settings, console) as warehouse:
        rows = warehouse.con.execute(TOPIC_CORPUS).fetchall()
        ids, texts = [r[0] for r in rows], _topic_texts(rows)
        k_scores: dict = {}
        chosen_by = "auto" if auto else "given" if k else "setting" if settings.topic_k else "default"
        k = k or settings.topic_k
        if auto or k is None:
            candidates = [c for c in k_range if c * K_MIN_DOCS_PER_TOPIC <= len(texts)]
            if not candidates:
                raise JobError(f"only {len(texts)} relevant articles: too few to choose a number of topics")
            k, k_scores = choose_k(texts, candidates, method=method, random_state=0)
        if len(texts) < max(2 * k, 6):
            raise JobError(f"only {len(texts)} relevant articles: too few to fit {k} topics (need {max(2 * k, 6)})")
        model = TopicModel(method=method, k=k, random_state=0).fit(texts)
        fitted_at = utcnow()
        model_id = f"{method}-k{k}-{fitted_at:%Y%m%dT%H%M%S}"
        previous = warehouse.con.execute(
            "SELECT model_id, method, k, npmi FROM topic_models WHERE is_current"
        ).fetchone()
        weights = model.document_topics
        assignments = _topic_rows(model_id, ids, weights)
        dominant = weights.argmax(axis=1)
        dominant[weights.sum(axis=1) == 0] = -1  # no vocabulary word: no topic
        topics = [{
            "model_id": model_id, "topic_id": t.topic_id, "label": t.label, "terms": t.terms,
            "weights": [float(w) for w in t.weights], "size": int((dominant == t.topic_id).sum()),
            "share": float((dominant == t.topic_id).mean()), "npmi": float(t.npmi),
        } for t in model.topics()]
        warehouse.store_topic_model({
            "model_id": model_id, "method": method, "k": k, "fitted_at": fitted_at, "n_docs": len(texts),
            "npmi": float(model.npmi), "diversity": float(model.diversity),
            "params": json.dumps(model.params, default=str), "k_scores": json.dumps(k_scores),
            "vocabulary": model.vocabulary, "model_blob": model.to_bytes(),
        }, topics, assignments)
    return TopicsOutcome(model_id, method, k, len(texts), float(model.npmi), float(model.diversity), k_scores,
                         chosen_by, dict(zip(("model_id", "method", "k", "npmi"), previous)) if previous else None)


def use_topics(settings: Settings, model_id: str, console: Console) -> int:
    """Make an earlier topic model version current again; articles it has not seen get its topics.
    Returns how many were assigned."""
    with open_warehouse(settings, console) as warehouse:
        known = [r[0] for r in warehouse.con.execute("SELECT model_id FROM topic_models ORDER BY fitted_at").fetchall()]
        if model_id not in known:
            raise JobError(f"no topic model {model_id!r}; known: {', '.join(known) or 'none (run `creditlens topics fit`)'}")
        warehouse.set_current_topic_model(model_id)
        return assign_topics(warehouse)


def _topic_rows(model_id: str, ids: list[str], weights, floor: float = 0.1) -> list[dict]:
    """An article's dominant topic always, other topics where their weight reaches `floor`;
    an article without a single word of the vocabulary gets no topic."""
    rows = []
    for article_id, row in zip(ids, weights):
        if not row.any():
            continue
        best = int(row.argmax())
        for topic_id, weight in enumerate(row):
            if topic_id == best or weight >= floor:
                rows.append({"model_id": model_id, "article_id": article_id, "topic_id": topic_id, "weight": float(weight)})
    return rows


def assign_topics(warehouse: Warehouse) -> int:
    """Give articles that arrived after the current model was fitted their topics, without refitting."""
    from nlp.topics import TopicModel

    current = warehouse.con.execute(
        "SELECT model_id, model_blob FROM topic_models WHERE is_current"
    ).fetchone()
    if not current:
        return 0
    model_id, blob = current
    rows = warehouse.con.execute(
        f"SELECT * FROM ({TOPIC_CORPUS}) corpus WHERE article_id NOT IN "
        "(SELECT article_id FROM article_topics WHERE model_id = ?)", [model_id]
    ).fetchall()
    if not rows:
        return 0
    model = TopicModel.from_bytes(blob)
    weights = model.transform(_topic_texts(rows))
    warehouse.add_article_topics(_topic_rows(model_id, [r[0] for r in rows], weights))
    return len(rows)


def topics_due(settings: Settings, console: Console) -> bool:
    """`run` refits when there is no model yet or the corpus has grown by REFIT_GROWTH since."""
    with open_warehouse(settings, console) as warehouse:
        n_now = warehouse.con.execute(f"SELECT count(*) FROM ({TOPIC_CORPUS})").fetchone()[0]
        last = warehouse.con.execute("SELECT n_docs FROM topic_models WHERE is_current").fetchone()
    return last is None or n_now >= last[0] * REFIT_GROWTH
