"""A one-line progress display on stderr while a crawl runs.

Operators watching `creditlens crawl` see the counts move; under cron (stderr not a
terminal) nothing is printed, so mail from cron holds only what matters.  Controlled
by CREDITLENS_PROGRESS: "auto" (a terminal only), true, or false.
"""

from __future__ import annotations

import sys

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class ProgressLine:
    def __init__(self, crawler, stream):
        self.crawler = crawler
        self.stream = stream
        self.loop = task.LoopingCall(self.show)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        wanted = str(crawler.settings.get("CREDITLENS_PROGRESS", "auto")).lower()
        stream = sys.stderr
        if wanted in ("0", "false", "no", "off") or (wanted == "auto" and not stream.isatty()):
            raise NotConfigured
        return cls(crawler, stream)

    def line(self) -> str:
        stats = self.crawler.stats
        get = lambda key: stats.get_value(key, 0)  # noqa: E731
        scheduler = self.crawler.engine.scheduler if self.crawler.engine else None
        queued = len(scheduler) if scheduler is not None else 0
        return (
            f"crawl: {get('creditlens/pages_fetched')} fetched, {get('creditlens/pages_stored')} stored, "
            f"{get('creditlens/pages_unchanged')} unchanged, {get('creditlens/errors')} errors, "
            f"{get('creditlens/skipped_known')} already known, {queued} queued"
        )

    def show(self) -> None:
        self.stream.write("\r\033[K" + self.line())
        self.stream.flush()

    def spider_opened(self, spider) -> None:
        self.loop.start(1.0)

    def spider_closed(self, spider, reason: str) -> None:
        if self.loop.running:
            self.loop.stop()
        self.show()
        self.stream.write("\n")
        self.stream.flush()
