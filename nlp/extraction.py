"""From a fetched page to one clean `Article`, or the reason the page is not one.

Why this shape: analysts count stories, so what reaches `articles` must be the story
and nothing else.  trafilatura finds the main text and the metadata (with settings
chosen by measurement on a labelled benchmark, see `TRAFILATURA_SETTINGS`), once
nlp/layouttables has unwrapped the tables that frame a page rather than hold data (else
a whole table-layout page reads as one table); nlp/standfirst restores the lead paragraph
it drops; nlp/boilerplate removes what it lets through; nlp/pagekind keeps listings,
paywall stubs and error pages out; nlp/language names the language; nlp/dates dates
it from the crawler's evidence and the page (and says from which).  A page never
raises: broken markup or a crash becomes page_kind "failed" with a one-line reason, and
`extract_pages` runs pages in worker processes it can kill, so one pathological page
(deep nesting, megabytes of script) costs a timeout, not the batch.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

import trafilatura
from lxml import etree
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    Document,
    examine_meta,
    extract_catstags,
    extract_meta_json,
    extract_metainfo,
    extract_sitename,
    extract_title,
)
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from nlp import pagekind
from nlp.boilerplate import remove_link_farms, strip_boilerplate
from nlp.dates import DateEvidence, publication_date
from nlp.htmltree import parse_html
from nlp.language import CJK, detect_language
from nlp.layouttables import unwrap_layout_tables
from nlp.standfirst import restore_lead, with_lead
from warehouse.records import Article, stable_id

NEVER_TEXT = ("script", "style", "template", "svg")
FAILED = "failed"
NOT_HTML = "not_html"  # a feed, sitemap or other XML document handed over as a page

# Chosen on the tuning half of the trafilatura-eval benchmark (bench/RESULTS.md,
# "Extraction (issue 4)"): comments are not the story and cost precision; tables
# carry facts (figures, lists of blacklisted firms) and dropping them lowered F1;
# favor_precision, favor_recall and fast each lowered F1 too.
TRAFILATURA_SETTINGS = dict(
    include_comments=False,
    include_tables=True,
    favor_precision=False,
    favor_recall=False,
    fast=False,
)

# A worker process is replaced after this many pages, so memory that lxml or a parser
# leaks on odd pages is returned to the system during months of unattended runs.
PAGES_PER_WORKER = 500
WORKER_START_TIMEOUT = 120.0
READY = "ready"
WARM_UP_PAGE = (
    "<html><head><title>Warm-up</title><meta property='article:published_time' content='2020-01-02T03:04:05Z'>"
    "</head><body><article><h1>Warm-up</h1>"
    + "".join(f"<p>Paragraph number {n} of plain English text, run through every stage of extraction once.</p>"
              for n in range(8))
    + "</article></body></html>"
)

_NON_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"\w+")


class ExtractionPoolError(Exception):
    """Extraction workers cannot be started; the message is one line for the user."""


@dataclass
class Extraction:
    page_kind: str  # "article" | "listing" | "paywall" | "error_page" | "too_short" | "not_html" | "failed"
    article: Article | None  # set when page_kind == "article"
    reason: str | None = None  # one line: why it is not an article, or why extraction failed
    # The main text found, whatever the page kind (a listing's teasers, the paragraph above a
    # paywall): what the page was judged on.  None when extraction failed.
    text: str | None = None


def normalise_text(text: str) -> str:
    """The text as compared for exact duplicates: Unicode-normalised, case-folded, with
    punctuation and whitespace runs reduced to single spaces (so curly vs straight quotes
    or re-wrapped lines do not make two copies of a story look different)."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def count_words(text: str) -> int:
    """Words of `text`: runs of word characters outside CJK scripts, plus one word per two
    CJK characters (Chinese is written without spaces and its words average about two
    characters, so a Chinese and an English story of the same length get similar counts)."""
    cjk = len(CJK.findall(text))
    return len(_WORD.findall(CJK.sub(" ", text))) + (cjk + 1) // 2


def _cjk_author(tree) -> str | None:
    """The <meta name="author"> when it is a Chinese, Japanese or Korean name: trafilatura
    discards single-word authors (to drop site handles), which discards every CJK name."""
    for meta in tree.iterfind(".//meta[@name='author']"):
        name = (meta.get("content") or "").strip()
        if name and CJK.search(name) and len(name) <= 40:
            return name
    return None


def _split_list(values: list[str] | None) -> list[str]:
    """Keywords as separate items: pages often give them as one comma-separated string."""
    items = (item.strip() for value in values or [] for item in value.split(","))
    return list(dict.fromkeys(item for item in items if item))


def _first_line(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__


def _metadata(tree) -> Document:
    """The page's declared metadata by trafilatura's own readers, less the two of its
    metadata pass we do not use: its date (nlp/dates reads the date from more evidence)
    and its licence; the date alone cost 15 % of the page's extraction.  An author the
    page does not declare is found later (`_byline`)."""
    document = examine_meta(tree)
    if document.author and " " not in document.author:
        document.author = None  # a single word is a site handle (trafilatura's rule)
    try:
        document = extract_meta_json(tree, document)
    except Exception:  # noqa: BLE001 - malformed JSON-LD only costs its fields, as in trafilatura
        pass
    document.title = document.title or extract_title(tree)
    document.sitename = (document.sitename or extract_sitename(tree) or "").lstrip("@") or None
    document.categories = document.categories or extract_catstags("category", tree)
    document.tags = document.tags or extract_catstags("tag", tree)
    document.clean_and_trim()
    return document


def _byline(tree) -> str | None:
    """trafilatura's author search (bylines in the markup, with share buttons and related
    stories pruned first), run on our own tree once trafilatura has extracted the text
    from its copy of it: trafilatura's `extract_author` copies the whole tree to prune
    it, which cost as much as the search."""
    author = extract_metainfo(prune_unwanted_nodes(tree, AUTHOR_DISCARD_XPATHS), AUTHOR_XPATHS, len_limit=120)
    return normalize_authors(None, author) if author else None


def _extract(html: str, url: str, source: str | None, evidence: DateEvidence | None) -> Extraction:
    if not html or not html.strip():
        return Extraction(FAILED, None, "empty page")
    head = html.lstrip()[:2000].lower()
    if head.startswith("<?xml") and "<html" not in head:
        return Extraction(NOT_HTML, None, "not an HTML page: XML document (feed or sitemap?)")
    tree = parse_html(html)
    if tree is None:
        return Extraction(FAILED, None, "unparseable HTML")
    signals = pagekind.read_signals(tree)
    published_at, date_source = publication_date(tree, url, html, evidence)
    lead = restore_lead(tree)
    meta_author = _cjk_author(tree)
    unwrap_layout_tables(tree)
    remove_link_farms(tree)
    metadata = _metadata(tree)
    # Read by now (JSON-LD included) and never text: trafilatura copies the tree several
    # times, and without them each copy is smaller (7 % of its time, same text on 300 pages).
    etree.strip_elements(tree, *NEVER_TEXT, with_tail=False)
    document = trafilatura.bare_extraction(tree, url=url, **TRAFILATURA_SETTINGS)  # works on a copy of tree
    text = with_lead(document.text or "", lead, metadata.title) if document is not None else ""
    # NFC, as trafilatura.extract returns it (bare_extraction does not): the same letter
    # reaches us precomposed from one page and decomposed from another, and a search or
    # a duplicate check must see one spelling.
    text = unicodedata.normalize("NFC", strip_boilerplate(text))
    word_count = count_words(text)
    kind, reason = pagekind.classify(signals, text, word_count, url)
    if kind != pagekind.ARTICLE:
        return Extraction(kind, None, reason, text)
    article = Article(
        article_id=stable_id(url),
        url=url,
        text=text,
        title=unicodedata.normalize("NFC", metadata.title or signals.heading or signals.title) or None,
        source=source,
        author=metadata.author or _byline(tree) or meta_author,
        published_at=published_at,
        date_source=date_source,
        language=detect_language(text),
        word_count=word_count,
        content_hash=content_hash(text),
        description=metadata.description,
        sitename=metadata.sitename,
        categories=_split_list(metadata.categories),
        tags=_split_list(metadata.tags),
        image=metadata.image,
    )
    return Extraction(kind, article, text=text)


def extract_page(html: str, url: str, source: str | None = None, evidence: DateEvidence | None = None) -> Extraction:
    """The article on a page, or why there is none.  Never raises on bad HTML.  `evidence`:
    what the crawler learnt of the page's date (feed, sitemap, fetch time)."""
    try:
        return _extract(html, url, source, evidence)
    except RecursionError:
        return Extraction(FAILED, None, "HTML nested too deeply to parse")
    except MemoryError:
        return Extraction(FAILED, None, "page too large to parse in memory")
    except Exception as exc:  # a page is one item of a batch: record and go on
        return Extraction(FAILED, None, f"extraction crashed: {_first_line(exc)}")


def extraction_json(path: str, extraction: Extraction) -> dict:
    """The `creditlens extract` output row: what the pipeline stores for this page, or for a
    page it does not store, the text it judged (so a user sees why a page is a listing)."""
    article = extraction.article
    row = {"path": path, "page_kind": extraction.page_kind, "reason": extraction.reason}
    if article is None:
        return row | {key: None for key in ("url", "title", "author", "date", "date_source", "language", "sitename")} | {
            "text": extraction.text}
    return row | {
        "url": article.url,
        "title": article.title,
        "author": article.author,
        "date": article.published_at.isoformat() if article.published_at else None,
        "date_source": article.date_source,
        "language": article.language,
        "sitename": article.sitename,
        "description": article.description,
        "categories": article.categories,
        "tags": article.tags,
        "image": article.image,
        "word_count": article.word_count,
        "content_hash": article.content_hash,
        "text": article.text,
    }


# --- the process pool ------------------------------------------------------------------


def _serve(conn: Connection) -> None:
    """Worker loop: extract each (url, html, source[, evidence]) received until told to stop.

    A first page is extracted before announcing readiness: trafilatura, htmldate and
    py3langid load models and compile patterns on first use (over a second), which
    must not count against the deadline of a real page.  The forkserver has done so
    already (nlp/extraction_warmup), so this costs a worker milliseconds."""
    extract_page(WARM_UP_PAGE, "http://localhost/warm-up")
    conn.send(READY)
    while True:
        item = conn.recv()
        if item is None:
            return
        url, html, *rest = item
        conn.send((url, extract_page(html, url, *rest)))


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    url: str | None = None  # the page being extracted, None when idle
    deadline: float = 0.0
    done: int = 0


class _Pool:
    """Worker processes fed one page at a time, so a stuck page can be killed alone.

    multiprocessing.Pool and concurrent.futures cannot do this: neither can stop one
    task, and a worker dying breaks a ProcessPoolExecutor for every page after it.
    """

    def __init__(self, size: int, timeout: float):
        self.size = size
        self.timeout = timeout
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(["nlp.extraction", "nlp.extraction_warmup"])
        self.workers: list[_Worker] = []

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(child,), daemon=True)
        process.start()
        child.close()
        # A page's deadline must not include the worker's start-up (the forkserver imports
        # trafilatura once, which takes seconds on a busy machine).
        try:
            started = parent.poll(WORKER_START_TIMEOUT) and parent.recv() == READY
        except (EOFError, OSError):
            started = False
        if not started:
            process.kill()
            process.join()
            raise ExtractionPoolError(
                f"extraction worker did not start (exit code {process.exitcode}); "
                "is the calling script missing an `if __name__ == '__main__':` guard?"
            )
        return _Worker(process, parent)

    def _replace(self, worker: _Worker) -> None:
        self._stop(worker)
        self.workers[self.workers.index(worker)] = self._start()

    def _stop(self, worker: _Worker) -> None:
        if worker.process.is_alive() and worker.url is None:
            try:
                worker.conn.send(None)
            except OSError:
                pass
            worker.process.join(1.0)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()

    def run(self, items: Iterable[tuple[str, str, str | None]]) -> Iterator[tuple[str, Extraction]]:
        pending = iter(items)
        exhausted = False
        self.workers = [self._start() for _ in range(self.size)]
        try:
            while True:
                for worker in self.workers:
                    if worker.url is None and not exhausted:
                        item = next(pending, None)
                        if item is None:
                            exhausted = True
                            break
                        worker.url = item[0]
                        worker.deadline = time.monotonic() + self.timeout
                        worker.conn.send(item)
                busy = [w for w in self.workers if w.url is not None]
                if not busy:
                    return
                wait_for = max(0.0, min(w.deadline for w in busy) - time.monotonic())
                ready = set(wait([w.conn for w in busy], timeout=wait_for))
                for worker in busy:
                    if worker.conn in ready:
                        yield self._collect(worker)
                    elif time.monotonic() >= worker.deadline:
                        url = worker.url
                        self._replace(worker)
                        yield url, Extraction(FAILED, None, f"timeout after {self.timeout:g}s")
        finally:
            for worker in self.workers:
                self._stop(worker)

    def _collect(self, worker: _Worker) -> tuple[str, Extraction]:
        url = worker.url
        try:
            _, extraction = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join()
            code = worker.process.exitcode
            self._replace(worker)
            return url, Extraction(FAILED, None, f"extraction worker died (exit code {code})")
        worker.url = None
        worker.done += 1
        if worker.done >= PAGES_PER_WORKER:
            self._replace(worker)
        return url, extraction


def extract_pages(
    items: Iterable[tuple[str, str, str | None]], workers: int | None = None, timeout: float = 30.0
) -> Iterator[tuple[str, Extraction]]:
    """(url, Extraction) for every (url, html, source[, DateEvidence]), in completion order, extracted in
    `workers` processes (default: one per core); a page over `timeout` seconds or one that
    kills its worker yields page_kind "failed" and the batch goes on."""
    yield from _Pool(workers or os.cpu_count() or 1, timeout).run(items)
