"""The record shapes every stage hands to the next: pages -> articles -> annotations.

The crawler and the WARC reader produce `Page`s, extraction turns a page into an
`Article` (or records why it is not one), annotation adds `Entity`, `ThemeHit`,
`Quote` and `Figure` rows.  Stages exchange only these plain dataclasses (or their
`as_row()` dicts, which is what spools and loaders carry), never each other's
internals, so a stage can run in another process or on another machine and hand
over JSON lines or Parquet with the same columns.  docs/schema.md documents them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def stable_id(key: str) -> str:
    """A short, stable identifier derived from a key (a canonical URL or a given id),
    so that re-running a load addresses the same row instead of adding one."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def compress_html(html: str) -> bytes:
    return zlib.compress(html.encode("utf-8"), 6)


def decompress_html(blob: bytes | None) -> str:
    return zlib.decompress(blob).decode("utf-8") if blob else ""


class Record:
    """Shared behaviour: a record is a row of its table."""

    table: str = ""

    def as_row(self) -> dict:
        # a shallow copy: dataclasses.asdict would deep-copy every page's HTML
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def from_row(cls, row: dict):
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in row.items() if k in names})


@dataclass
class Page(Record):
    """One fetch outcome: a stored page, or the reason nothing was stored.

    `html` holds the page decoded to text and zlib-compressed, so extraction can be
    re-run without the network and without guessing the charset again; `encoding`
    says what it was decoded from.
    """

    table = "pages"
    url: str  # canonical URL: the key of the page
    status: int  # HTTP status, or 0 when no response arrived
    fetched_at: datetime = field(default_factory=utcnow)
    source: str | None = None
    requested_url: str | None = None
    content_type: str | None = None
    encoding: str | None = None
    html: bytes | None = None
    sha256: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    run_id: str | None = None
    error: str | None = None  # e.g. "http 404", "timeout", "not html: application/pdf"
    error_kind: str | None = None
    origin: str = "crawl"  # crawl | warc | jsonl | csv
    # The dates the publisher gave this URL where the crawler found it, as written there:
    # the feed entry's publication date (pubDate, published, dc:date), the news sitemap's
    # publication_date, and the last modification (sitemap lastmod or feed updated).
    feed_date: str | None = None
    sitemap_date: str | None = None
    listed_lastmod: str | None = None

    @classmethod
    def from_html(cls, url: str, html: str, **fields) -> "Page":
        return cls(
            url=url,
            html=compress_html(html),
            sha256=hashlib.sha256(html.encode("utf-8")).hexdigest(),
            **fields,
        )

    def text(self) -> str:
        return decompress_html(self.html)


@dataclass
class CrawlRun(Record):
    """One crawl: written when it ends, spooled like pages when the database is busy."""

    table = "crawl_runs"
    run_id: str
    command: str
    started_at: datetime
    ended_at: datetime | None = None
    status: str = "running"  # running | finished | failed | interrupted
    pages_fetched: int = 0
    pages_stored: int = 0
    errors: int = 0
    errors_by_kind: str = "{}"  # JSON object: error kind -> count


@dataclass
class Article(Record):
    """The clean story extracted from a page (or brought in as text by `ingest`)."""

    table = "articles"
    article_id: str
    url: str
    text: str
    title: str | None = None
    source: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    # the evidence behind published_at: feed | sitemap | url | meta | jsonld | page_guess |
    # lastmod (see nlp/dates.py); None when undated or ingested as text
    date_source: str | None = None
    language: str | None = None
    word_count: int = 0
    is_relevant: bool = True
    relevance: float = 0.0
    duplicate_of: str | None = None
    content_hash: str | None = None
    description: str | None = None
    sitename: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    extracted_at: datetime = field(default_factory=utcnow)
    annotated_at: datetime | None = None


@dataclass
class Entity(Record):
    table = "entities"
    article_id: str
    start_char: int
    end_char: int
    text: str
    label: str
    entity_id: str


@dataclass
class ThemeHit(Record):
    table = "themes"
    article_id: str
    theme: str
    score: float
    taxonomy_version: str


@dataclass
class Quote(Record):
    table = "quotes"
    article_id: str
    speaker: str
    quote: str
    entity_id: str | None = None
    organisation: str | None = None
    organisation_id: str | None = None
    role: str | None = None
    kind: str = "direct"  # direct | indirect
    start_char: int = 0


@dataclass
class Figure(Record):
    table = "figures"
    article_id: str
    value: float
    unit: str
    subject: str
    sentence: str
    start_char: int = 0
    converted_from: int | None = None  # start_char of the figure this one restates in another currency


@dataclass
class Annotations:
    """Everything annotation found in one article; loaded as one replace-per-article batch."""

    article_id: str
    text: str  # the text the offsets refer to (redacted where privacy requires)
    entities: list[Entity] = field(default_factory=list)
    themes: list[ThemeHit] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    def as_json(self) -> dict:
        """The `creditlens annotate` output row."""
        return {
            "id": self.article_id,
            "entities": [
                {"start_char": e.start_char, "end_char": e.end_char, "text": e.text,
                 "label": e.label, "entity_id": e.entity_id}
                for e in self.entities
            ],
            "themes": [{"theme": t.theme, "score": t.score} for t in self.themes],
            "quotes": [
                {k: v for k, v in q.as_row().items() if k != "article_id"} for q in self.quotes
            ],
            "figures": [
                {k: v for k, v in f.as_row().items() if k != "article_id"} for f in self.figures
            ],
        }
