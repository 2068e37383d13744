"""Downloader middlewares: one URL per story, conditional requests, polite retries.

* `CanonicalUrlMiddleware` rewrites any request whose URL is not canonical (a redirect
  to a URL with tracking parameters, a start URL with a fragment) and sends it back
  through the scheduler, so the duplicate filter collapses the variants.
* `ConditionalRequestMiddleware` adds If-None-Match / If-Modified-Since from the
  incremental store; a 304 reaches the spider, which records the URL as unchanged.
* `RedirectLoopMiddleware` stops a redirect that returns to a URL of its own chain
  (Scrapy's duplicate filter would otherwise drop it silently, leaving no record).
* `BackoffRetryMiddleware` replaces Scrapy's retry middleware: it waits before each
  retry (exponential backoff, or the server's Retry-After on 429/503, within a cap), so
  a struggling server is not hammered; a Retry-After beyond the cap gives up at once.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.response import response_status_message

from crawler.canonical import canonical_url


class CanonicalUrlMiddleware:
    def process_request(self, request):
        canonical = canonical_url(request.url)
        if canonical != request.url:
            request.meta.setdefault("requested_url", (request.meta.get("redirect_urls") or [request.url])[0])
            return request.replace(url=canonical)
        return None


class RedirectLoopMiddleware:
    REDIRECT_STATUSES = (301, 302, 303, 307, 308)

    def process_response(self, request, response):
        location = response.headers.get(b"Location")
        if response.status in self.REDIRECT_STATUSES and location:
            target = canonical_url(response.urljoin(location.decode("latin-1")))
            chain = {canonical_url(u) for u in [*request.meta.get("redirect_urls", []), request.url]}
            if target in chain:
                raise IgnoreRequest(f"redirect loop: redirections return to {target}")
        return response


class ConditionalRequestMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        known = getattr(self.crawler.spider, "known", None)
        if known is None or request.meta.get("role") is None:
            return None
        validators = known.validators_for(request.url, request.meta["role"])
        if validators.get("etag") and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = validators["etag"]
        if validators.get("last_modified") and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = validators["last_modified"]
        return None


def retry_after_seconds(value: bytes | None) -> float | None:
    """Retry-After as seconds to wait: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("CREDITLENS_RETRY_BACKOFF")
        self.backoff_max = settings.getfloat("CREDITLENS_RETRY_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("CREDITLENS_RETRY_AFTER_MAX")

    def _delay(self, retry) -> float:
        return min(self.backoff * 2 ** (retry.meta["retry_times"] - 1), self.backoff_max)

    async def process_response(self, request, response):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After")) if response.status in (429, 503) else None
        if wait is not None and wait > self.retry_after_max:
            self.crawler.stats.inc_value("creditlens/retry_after_too_long")
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await asyncio.sleep(wait if wait is not None else self._delay(retry))
        return retry

    async def process_exception(self, request, exception):
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        await asyncio.sleep(self._delay(retry))
        return retry
