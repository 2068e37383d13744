"""Every fetch outcome into the spool, then into the incremental store.

Feeds, sitemaps and robots.txt are spooled only when they fail (a dead feed is worth a
row in `pages`; a working one is not a page, and its loopback or mirror URL would add a
row per host it was fetched from).  They are still counted as fetched.

One `SpoolWriter` per crawl, flushed per record: a crawl killed at any moment keeps
every page it spooled.  The page is remembered as known only after its line is
written, so the store never claims a page the spool does not hold.  Personal data
(ID numbers, phone numbers) is redacted from the HTML, the URLs and the error message
before anything is written, unless CREDITLENS_KEEP_PERSONAL_DATA is set.
"""

from __future__ import annotations

from pathlib import Path

from scrapy import signals

from crawler.items import FetchOutcome
from nlp.privacy import redact, redact_html, redact_url
from warehouse.records import Page
from warehouse.spool import Spool


def outcome_to_page(outcome: FetchOutcome, run_id: str | None, keep_personal_data: bool, origin: str = "crawl") -> Page:
    url, requested_url, error = outcome.url, outcome.requested_url, outcome.error
    if not keep_personal_data:  # a number in a URL or an error message is stored as surely as one in the page
        url, requested_url, error = redact_url(url), redact_url(requested_url), error and redact(error)
    fields = dict(
        status=outcome.status,
        source=outcome.source,
        requested_url=requested_url,
        content_type=outcome.content_type,
        encoding=outcome.encoding,
        etag=outcome.etag,
        last_modified=outcome.last_modified,
        run_id=run_id,
        error=error,
        error_kind=outcome.error_kind,
        origin=origin,
        feed_date=outcome.feed_date,
        sitemap_date=outcome.sitemap_date,
        listed_lastmod=outcome.listed_lastmod,
    )
    if outcome.text is None:
        return Page(url=url, **fields)
    text = outcome.text if keep_personal_data else redact_html(outcome.text)
    return Page.from_html(url, text, **fields)


class SpoolPipeline:
    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.run_id = settings.get("CREDITLENS_RUN_ID")
        self.keep_personal_data = settings.getbool("CREDITLENS_KEEP_PERSONAL_DATA")
        # opened here, not when the spider opens, so an unwritable state folder stops run_crawl at once
        self.writer = Spool(Path(settings.get("CREDITLENS_STATE_DIR", "creditlens.state")) / "spool").writer("crawl")
        # a bound method: the crawler's signal manager keeps only a weak reference, this object keeps it alive
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_closed(self, spider, reason: str) -> None:
        self.writer.close()
        known = getattr(spider, "known", None)
        if known is not None:
            if reason == "finished":
                known.commit_validators()
            known.close()

    def process_item(self, item):
        if not isinstance(item, FetchOutcome):
            return item
        page = outcome_to_page(item, self.run_id, self.keep_personal_data)
        if item.role != "discovery" or item.error_kind:
            self.writer.write(page)
        if page.status:
            self.stats.inc_value("creditlens/pages_fetched")
        if page.html is not None:
            self.stats.inc_value("creditlens/pages_stored")
        if item.unchanged:
            self.stats.inc_value("creditlens/pages_unchanged")
        if item.error_kind:
            self.stats.inc_value("creditlens/errors")
            self.stats.inc_value(f"creditlens/errors_by_kind/{item.error_kind}")
        known = self.crawler.spider.known
        if item.role != "discovery" and item.settled:
            known.remember_page([item.url, *item.aliases], item.etag, item.last_modified, item.lastmod)
        if item.role != "article" and item.status == 200 and item.revalidate:
            for url in dict.fromkeys([item.requested_url or item.url, *item.aliases]):
                known.stage_validators(url, item.etag, item.last_modified, canonical=item.url if url != item.url else None)
        return item
