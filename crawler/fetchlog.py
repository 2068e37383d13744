"""Fetch failures in the log as one line each, never a traceback.

A dead host, a refused connection or a timeout is routine on a months-long crawl of
real sites: the outcome is recorded in `pages` with its error_kind, and an operator
reading the console or a cron mail needs one line saying which URL failed and why.
Scrapy's robots.txt middleware logs such failures with a full traceback (two chained
ones, some 80 lines per host); `OneLineFetchFailures` installs a filter on the log
handlers that keeps the message of any record whose exception is a fetch failure and
drops the traceback.  Other exceptions (a bug in a callback) keep theirs.  The
spiders' errback logs the one line for each failed request (`log_line`).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import signals

from crawler.guard import RequestRefused
from crawler.items import failure_error
from nlp.privacy import redact_url

# error kinds (crawler.items.failure_error) that say the network failed or the guard
# refused the request (crawler/guard.py), not that our code did
ROUTINE_KINDS = frozenset({"dns", "connection", "timeout", "truncated", "too_large", "redirect_loop",
                           "blocked_scheme", "off_site", "private_address"})
ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"


def is_routine(exc: BaseException | None) -> bool:
    return exc is not None and failure_error(exc)[0] in ROUTINE_KINDS


def log_line(kind: str, url: str, error: str) -> str:
    """One line for a failed fetch; the URL redacted as everything we write is (nlp/privacy)."""
    return f"fetch failed ({kind}): {redact_url(url)}: {error}"


class TracebackFreeFetchFailures(logging.Filter):
    """Turns a log record carrying a fetch-failure exception into its one-line message."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, RequestRefused) and record.name == ROBOTS_LOGGER:
            return False  # the guard has logged the refusal in its own line
        if is_routine(exc):
            request = record.args.get("request") if isinstance(record.args, dict) else None
            if record.name == ROBOTS_LOGGER and request is not None:
                # Scrapy names the page that waited for robots.txt, which reads as if the page failed
                parts = urlsplit(request.url)
                kind, error = failure_error(exc)
                host = parts.hostname + (f":{parts.port}" if parts.port else "")  # never user:password@
                record.msg = f"robots.txt of {parts.scheme}://{host} not fetched ({kind}): {error}"
                record.levelno, record.levelname = logging.WARNING, "WARNING"
            else:
                record.msg = " ".join(record.getMessage().split("\n", 1)[0].split())
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


class OneLineFetchFailures:
    """Extension: installs the filter on every handler of the root logger, where Scrapy's
    own handler writes the console and cron output.  Scrapy replaces that handler after
    building the extensions, so the filter goes on when the spider opens."""

    def __init__(self, crawler):
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, TracebackFreeFetchFailures) for f in handler.filters):
                handler.addFilter(TracebackFreeFetchFailures())
