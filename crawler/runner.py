"""Running one crawl in this process and reporting what it did.

`run_crawl` starts Scrapy (CrawlerProcess: the Twisted reactor cannot be restarted, so
a process calls it once) with the `sources` spider over the given sources, writes
every fetch outcome to the spool under STATE/spool, and returns the counts the
caller records in `crawl_runs`.

Resuming: Scrapy's JOBDIR (STATE/jobdir) keeps the frontier of a crawl stopped
gracefully (Ctrl-C, SIGTERM, a page limit), and the next run continues it.  A crawl
killed with SIGKILL leaves a JOBDIR whose queue index was never written; the marker
file `creditlens.running` shows that, and such a JOBDIR is discarded: the next run
rebuilds its frontier from the feeds, sitemaps and start pages, and the incremental
store (written only after the spool) skips what was already stored.  A crawl that
finished its queue removes the JOBDIR, so the next scheduled run starts afresh
instead of treating every URL as already seen.

Settings keys of ours (Scrapy's own keys are passed through as they are):

  CREDITLENS_CONTACT             contact in the User-Agent "creditlens/0.1 (+CONTACT)"
  CREDITLENS_DISCOVERY           modes to run: feeds, sitemaps, section, urllist (default all)
  CREDITLENS_URLLIST             path of a plain URL list to fetch as well
  CREDITLENS_MAX_AGE_DAYS        feed/sitemap entries older than this are not fetched (90; 0 = no limit)
  CREDITLENS_KEEP_PERSONAL_DATA  keep HTML unredacted (default false)
  CREDITLENS_ALLOW_PRIVATE_NETWORKS  fetch hosts on private/loopback/link-local addresses (default false)
  CREDITLENS_PROGRESS            progress line on stderr: "auto" (a terminal), true, false
  CREDITLENS_RETRY_BACKOFF       seconds before the first retry, doubled per retry (2.0)
  CREDITLENS_RETRY_BACKOFF_MAX   cap of that wait (60)
  CREDITLENS_RETRY_AFTER_MAX     longest Retry-After honoured; longer gives up at once (300)
  DEPTH_LIMIT                    link hops of the section crawl from a start URL (2)
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.sources import Source
from crawler.spiders.sources import SourcesSpider
from warehouse.records import utcnow

RUNNING_MARKER = "creditlens.running"

# Loggers that warn once per oversized or truncated page; those outcomes are recorded in
# `pages` with their error_kind, so under cron the warnings would only be noise.
PER_PAGE_WARNING_LOGGERS = (
    "scrapy.core.downloader.handlers.http11",
    "scrapy.downloadermiddlewares.httpcompression",
)


class CrawlSettingsError(ValueError):
    """A crawl setting cannot be used (e.g. the URL list file does not exist); one line for the user."""


@dataclass
class CrawlStats:
    status: str  # finished | failed | interrupted
    pages_fetched: int
    pages_stored: int
    errors: int
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    started_at: datetime = field(default_factory=utcnow)
    ended_at: datetime = field(default_factory=utcnow)


def crawl_settings(state_dir: Path, run_id: str, overrides: dict | None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(dict(overrides or {}), priority="cmdline")
    settings.set("JOBDIR", str(state_dir / "jobdir"), priority="cmdline")
    settings.set("CREDITLENS_STATE_DIR", str(state_dir), priority="cmdline")
    settings.set("CREDITLENS_RUN_ID", run_id, priority="cmdline")
    urllist = settings.get("CREDITLENS_URLLIST")
    if urllist and not Path(urllist).is_file():
        raise CrawlSettingsError(f"{urllist}: no such URL list file")
    unknown = set(settings.getlist("CREDITLENS_DISCOVERY")) - SourcesSpider.discovery_modes
    if unknown:
        raise CrawlSettingsError(
            f"CREDITLENS_DISCOVERY: unknown mode {sorted(unknown)[0]!r} "
            f"(known: {', '.join(sorted(SourcesSpider.discovery_modes))})"
        )
    return settings


def prepare_jobdir(jobdir: Path) -> None:
    """Discard the frontier of a crawl that died without closing (its queue index is missing)."""
    if (jobdir / RUNNING_MARKER).exists():
        shutil.rmtree(jobdir)
    jobdir.mkdir(parents=True, exist_ok=True)
    (jobdir / RUNNING_MARKER).touch()


def crawl_status(reason: str | None, fetched: int, errors: int) -> str:
    if reason == "shutdown":
        return "interrupted"
    if reason is None or (fetched == 0 and errors > 0):
        return "failed"
    return "finished"


def run_crawl(sources: list[Source], state_dir: Path, run_id: str, settings: dict | None = None) -> CrawlStats:
    state_dir = Path(state_dir)
    jobdir = state_dir / "jobdir"
    scrapy_settings = crawl_settings(state_dir, run_id, settings)
    prepare_jobdir(jobdir)
    process = CrawlerProcess(scrapy_settings)
    if scrapy_settings.get("LOG_LEVEL") != "DEBUG":
        for name in PER_PAGE_WARNING_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
    crawler = process.create_crawler(SourcesSpider)
    started_at = utcnow()
    process.crawl(crawler, sources=list(sources))
    process.start()
    ended_at = utcnow()

    stats = crawler.stats.get_stats()
    reason = stats.get("finish_reason")
    prefix = "creditlens/errors_by_kind/"
    errors_by_kind = {key[len(prefix):]: value for key, value in stats.items() if key.startswith(prefix)}
    spider_errors = sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
    if spider_errors:
        errors_by_kind["spider_error"] = spider_errors
    fetched = stats.get("creditlens/pages_fetched", 0)
    errors = sum(errors_by_kind.values())
    if reason == "finished":
        shutil.rmtree(jobdir, ignore_errors=True)
    elif reason is not None:
        (jobdir / RUNNING_MARKER).unlink(missing_ok=True)
    return CrawlStats(
        status=crawl_status(reason, fetched, errors),
        pages_fetched=fetched,
        pages_stored=stats.get("creditlens/pages_stored", 0),
        errors=errors,
        errors_by_kind=errors_by_kind,
        started_at=started_at,
        ended_at=ended_at,
    )
