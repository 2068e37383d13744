"""Fetching a plain list of URLs (one per line, `#` comments), as researchers bring them.

The list is named by CREDITLENS_URLLIST (or `-a urllist=FILE`).  Each URL is an
article request: skipped when already stored, attributed to the source whose domains
it belongs to.  A line that is not an http(s) URL is logged and counted
(`creditlens/urllist_bad_lines`), not fatal: one typo must not lose the rest.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.sources import source_for_url
from crawler.spiders.base import PRIORITY_LISTED, SourceSpider


def read_url_list(path: str) -> tuple[list[str], list[int]]:
    """(urls, numbers of the lines that are not http(s) URLs)."""
    urls, bad = [], []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = urlsplit(line)
            if parts.scheme in ("http", "https") and parts.hostname:
                urls.append(line)
            else:
                bad.append(number)
    return urls, bad


class UrlListDiscovery:
    def list_requests(self):
        yield from super().list_requests()
        if "urllist" not in self.enabled_modes or not self.urllist:
            return
        urls, bad = read_url_list(self.urllist)
        for number in bad:
            self.logger.warning("%s:%d: not an http(s) URL, skipped", self.urllist, number)
        if bad:
            self.crawler.stats.inc_value("creditlens/urllist_bad_lines", len(bad))
        for url in urls:
            source = source_for_url(url, self.sources)
            request = self.article_request(url, source.id if source else None, priority=PRIORITY_LISTED)
            if request is not None:
                yield request


class UrlListSpider(UrlListDiscovery, SourceSpider):
    """`scrapy crawl urllist -a urllist=FILE [-a sources=...]`: only the URLs of the file."""

    name = "urllist"
    discovery_modes = frozenset({"urllist"})
