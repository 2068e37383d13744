"""What every creditlens spider shares: requests, page recording, failures.

The discovery modes (feeds, sitemaps, section crawl, URL list) are mixins over
`SourceSpider`, each adding its requests through `discovery_requests` / `list_requests`
and, for the section crawl, `follow_links`.  `crawler.spiders.sources.SourcesSpider`
composes all of them so one crawl (one scheduler, one duplicate filter, one spool
file) covers every mode of every source; the single-mode spiders exist for
`scrapy crawl feeds` and friends.

Requests carry their role in `meta`:

* "discovery" — feeds, sitemaps, robots.txt: always fetched (conditionally), never stored as HTML;
* "section"   — pages whose links the section crawl follows: fetched conditionally, stored;
* "article"   — pages reached from a feed, a sitemap, a URL list or the last section hop:
  not requested at all when the incremental store already has them and no feed or
  sitemap gives a newer date.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from pathlib import Path

import scrapy
from scrapy.http import HtmlResponse
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.canonical import canonical_link, canonical_url, page_url
from crawler.charset import decode_html, looks_like_html, media_type
from crawler.fetchlog import log_line
from crawler.guard import RequestRefused
from crawler.items import FetchOutcome, failure_error, http_error
from crawler.known import KnownUrls, parse_date
from crawler.sources import Source, load_registry, select, source_for_url
from nlp.relevance import load_relevance
from warehouse.records import utcnow

PRIORITY_DISCOVERY = 100  # feeds and sitemaps first: they name what is new
PRIORITY_LISTED = 50  # articles a feed or sitemap lists
PRIORITY_RELEVANT_LINK = 20  # links found on a page about credit systems
PRIORITY_LINK = 0


def user_agent(contact: str | None) -> str:
    return f"creditlens/0.1 (+{contact})" if contact else "creditlens/0.1"


def header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class SourceSpider(scrapy.Spider):
    # no `name`: Scrapy lists only the concrete spiders (sources, feeds, sitemaps, section, urllist)
    discovery_modes: frozenset[str] = frozenset()

    def __init__(self, sources: list[Source] | str | None = None, config: str | None = None,
                 urllist: str | None = None, *args, **kwargs):
        """`sources` is a list of Source objects (run_crawl) or, from `scrapy crawl -a sources=a,b
        -a config=my.toml`, a comma-separated list of ids looked up in the registry."""
        super().__init__(*args, **kwargs)
        if sources is None or isinstance(sources, str):
            configs = [Path(p) for p in config.split(",")] if config else []
            sources = select(load_registry(configs), [s for s in (sources or "").split(",") if s])
        self.sources = list(sources)
        self.sources_by_id = {s.id: s for s in self.sources}
        self.urllist = urllist
        self.requested_documents: set[str] = set()
        # the dates the feeds and sitemaps gave each URL, by canonical URL: a page first reached
        # through a section link or another listing still gets them if they are read before it
        self.listed_dates: dict[str, dict] = {}

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        if settings.getpriority("USER_AGENT") <= SETTINGS_PRIORITIES["project"]:
            settings.set("USER_AGENT", user_agent(settings.get("CREDITLENS_CONTACT")), priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        state_dir = Path(settings.get("CREDITLENS_STATE_DIR", "creditlens.state"))
        spider.known = KnownUrls(state_dir / "crawl")
        spider.depth_limit = settings.getint("DEPTH_LIMIT")
        spider.max_age_days = settings.getfloat("CREDITLENS_MAX_AGE_DAYS")
        spider.enabled_modes = cls.discovery_modes & set(settings.getlist("CREDITLENS_DISCOVERY"))
        spider.urllist = spider.urllist or settings.get("CREDITLENS_URLLIST")
        return spider

    @cached_property
    def relevance(self):
        return load_relevance()

    # -- starting -------------------------------------------------------------------

    async def start(self):
        for source in self.sources:
            for request in self.discovery_requests(source):
                yield request
        for request in self.list_requests():
            yield request

    def discovery_requests(self, source: Source):
        """The first requests for one source; each discovery mixin adds its own."""
        return iter(())

    def list_requests(self):
        """Requests that belong to no one source (the URL list)."""
        return iter(())

    # -- making requests ------------------------------------------------------------

    def make_request(self, url: str, callback, role: str, source_id: str | None, *, lastmod: str | None = None,
                     hops: int = 0, priority: int = 0, dont_filter: bool = False, **meta) -> scrapy.Request:
        return scrapy.Request(
            canonical_url(url),
            callback=callback,
            errback=self.record_failure,
            priority=priority,
            dont_filter=dont_filter,
            meta={"role": role, "source": source_id, "lastmod": lastmod, "hops": hops, **meta},
        )

    def document_requests(self, urls, callback, role: str, source_id: str | None, *, hops: int = 0,
                          priority: int = PRIORITY_DISCOVERY, **meta) -> list[scrapy.Request]:
        """Requests for feeds, sitemaps, robots.txt and section start pages.

        They bypass Scrapy's duplicate filter, whose memory persists in JOBDIR across runs cut
        short by a page limit (a child sitemap seen once would never be read again), and are
        de-duplicated within the run instead.
        """
        requests = []
        for url in map(canonical_url, urls):
            if url not in self.requested_documents:
                self.requested_documents.add(url)
                requests.append(self.make_request(url, callback, role, source_id, hops=hops, priority=priority,
                                                  dont_filter=True, **meta))
        return requests

    def too_old(self, lastmod: str | None) -> bool:
        when = parse_date(lastmod)
        return bool(self.max_age_days and when and when < utcnow() - timedelta(days=self.max_age_days))

    def article_request(self, url: str, source_id: str | None, *, lastmod: str | None = None,
                        priority: int = PRIORITY_LISTED, hops: int = 0, listed: dict | None = None) -> scrapy.Request | None:
        """A request for an article page, or None when it is too old or already stored and unchanged.
        `listed`: the dates the feed or sitemap gave the URL, as FetchOutcome fields, carried
        to the stored page as evidence for its publication date."""
        url = canonical_url(url)
        if not url.startswith(("http://", "https://")):
            return None
        if listed:  # a feed, a news sitemap and a plain sitemap may each name the URL: keep every kind of date
            known = self.listed_dates.setdefault(url, {})
            known.update({k: v for k, v in listed.items() if v and not known.get(k)})
        if self.too_old(lastmod):
            self.crawler.stats.inc_value("creditlens/skipped_old")
            return None
        if self.known.is_current(url, lastmod):
            self.crawler.stats.inc_value("creditlens/skipped_known")
            return None
        return self.make_request(url, self.parse_page, "article", source_id, lastmod=lastmod, priority=priority, hops=hops)

    def source_id_for(self, url: str, meta: dict) -> str | None:
        if meta.get("source"):
            return meta["source"]
        source = source_for_url(url, self.sources)
        return source.id if source else None

    # -- recording outcomes -----------------------------------------------------------

    def outcome(self, response, **fields) -> FetchOutcome:
        """A FetchOutcome with what every response tells: status, source, requested URL, validators."""
        meta = response.meta
        redirects = meta.get("redirect_urls", [])
        requested = redirects[0] if redirects else meta.get("requested_url", response.request.url)
        aliases = [u for u in dict.fromkeys(canonical_url(u) for u in [requested, *redirects, response.url])]
        values = dict(
            url=canonical_url(response.url),
            status=response.status,
            role=meta.get("role", "article"),
            source=self.source_id_for(response.url, meta),
            requested_url=requested,
            content_type=header(response, "Content-Type"),
            etag=header(response, "ETag"),
            last_modified=header(response, "Last-Modified"),
            lastmod=meta.get("lastmod"),
            aliases=aliases,
            **next((self.listed_dates[u] for u in aliases if u in self.listed_dates), {}),
        )
        values.update(fields)
        return FetchOutcome(**values)

    def error_outcome(self, response) -> FetchOutcome | None:
        """The outcome of a response that carries nothing to parse (304 or an HTTP error), else None."""
        if response.status == 304:  # unchanged: the row is the one stored under the page's canonical URL
            url = canonical_url(response.url)
            return self.outcome(response, url=self.known.canonical_for(url) or url)
        if response.status >= 300:
            kind, error = http_error(response.status)
            return self.outcome(response, error=error, error_kind=kind)
        return None

    def parse_page(self, response):
        """Record a section or article page; the section crawl then follows its links."""
        failed = self.error_outcome(response)
        if failed is not None:
            yield failed
            return
        content_type = header(response, "Content-Type")
        if not looks_like_html(response.body, content_type):
            yield self.outcome(response, error=f"not html: {media_type(content_type) or 'unknown type'}",
                               error_kind="not_html")
            return
        text, encoding = decode_html(response.body, content_type)
        href = canonical_link(text)
        source = self.sources_by_id.get(self.source_id_for(response.url, response.meta))
        url = page_url(response.url, response.urljoin(href) if href else None, source.domains() if source else ())
        yield self.outcome(response, url=url, text=text, encoding=encoding)
        if response.meta.get("role") == "section":
            page = HtmlResponse(url=response.url, body=response.body, encoding=encoding, request=response.request)
            yield from self.follow_links(page, response.meta)

    def follow_links(self, page: HtmlResponse, meta: dict):
        """Requests for the links of a fetched page; only the section crawl follows any."""
        return iter(())

    def record_failure(self, failure):
        """Errback: a request that produced no response becomes a page with its error."""
        request = failure.request
        kind, error = failure_error(failure.value)
        if kind in ("ignored", "robots"):
            return  # nothing was fetched; Scrapy counts robots.txt refusals in its stats (robotstxt/forbidden)
        meta = request.meta
        redirects = meta.get("redirect_urls", [])
        requested = redirects[0] if redirects else meta.get("requested_url", request.url)
        if not isinstance(failure.value, RequestRefused):  # the guard logged its refusal already
            self.logger.warning(log_line(kind, requested, error))
        yield FetchOutcome(
            url=canonical_url(requested),  # a failed redirect chain is recorded under the URL that was asked for
            status=0,
            role=meta.get("role", "article"),
            source=self.source_id_for(request.url, meta),
            requested_url=requested,
            error=error,
            error_kind=kind,
            lastmod=meta.get("lastmod"),
        )
