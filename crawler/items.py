"""The item the spiders yield: one fetch outcome, still holding the decoded text.

The pipeline turns it into a `warehouse.records.Page` after redacting personal data,
so the text is redacted once before it is compressed, and remembers it in the
incremental store.  Failures are classified here into the `error_kind`s operators
count in `crawl_runs.errors_by_kind`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectError, ConnectionDone, ConnectionLost, DNSLookupError, TimeoutError
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.guard import RequestRefused

# outcomes that will not change by asking again soon: remembered, so re-runs skip them
PERMANENT_KINDS = frozenset({"http_404", "http_410", "http_4xx", "not_html", "too_large"})


@dataclass
class FetchOutcome:
    url: str  # canonical URL of the page (rel=canonical when trustworthy)
    status: int  # HTTP status, 0 when no response arrived
    role: str  # article | section | discovery (feeds, sitemaps, robots.txt)
    source: str | None = None
    requested_url: str | None = None
    content_type: str | None = None
    encoding: str | None = None
    text: str | None = None  # decoded HTML, None when nothing is stored
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    error_kind: str | None = None
    lastmod: str | None = None  # the date the feed or sitemap gave the URL
    # the same split by meaning, kept with the page as evidence of its publication date
    feed_date: str | None = None
    sitemap_date: str | None = None
    listed_lastmod: str | None = None
    aliases: list[str] = field(default_factory=list)  # other URLs that led here (requested, redirects)
    # False for robots.txt and sitemap indexes: a 304 on them says nothing about the sitemaps
    # they name, which must be read again, so they are never asked for conditionally
    revalidate: bool = True

    @property
    def unchanged(self) -> bool:
        return self.status == 304

    @property
    def settled(self) -> bool:
        """Whether a re-run should leave this URL alone until a feed or sitemap says it changed."""
        return self.text is not None or self.unchanged or self.error_kind in PERMANENT_KINDS


def http_error(status: int) -> tuple[str, str]:
    """(error_kind, error) for an HTTP error status."""
    if status in (404, 410):
        return f"http_{status}", f"http {status}"
    if status < 400:
        return "http_3xx", f"http {status} without a usable redirect"
    if status >= 500:
        return "http_5xx", f"http {status}"
    return "http_4xx", f"http {status}"


def failure_error(exc: BaseException) -> tuple[str, str]:
    """(error_kind, error) for a request that produced no usable response."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, RequestRefused):
        return exc.kind, message  # blocked_scheme, off_site, private_address: see crawler/guard.py
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in message:
            return "robots", "forbidden by robots.txt"
        if "redirections" in message:
            return "redirect_loop", message
        if "DOWNLOAD_MAXSIZE" in message:
            return "too_large", message
        return "ignored", message
    if isinstance(exc, (DownloadTimeoutError, TimeoutError)):
        return "timeout", message
    if isinstance(exc, (CannotResolveHostError, DNSLookupError)):
        return "dns", message
    if isinstance(exc, (DownloadCancelledError, CancelledError)):
        return "too_large", message  # the download handler cancels a body growing past DOWNLOAD_MAXSIZE
    if isinstance(exc, ResponseDataLossError):
        return "truncated", "response body shorter than announced (connection cut)"
    if isinstance(
        exc,
        (DownloadConnectionRefusedError, DownloadFailedError, ConnectError, ConnectionDone, ConnectionLost,
         ResponseFailed, ResponseNeverReceived),
    ):
        return "connection", message
    return "other", f"{type(exc).__name__}: {message}"
