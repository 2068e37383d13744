"""Discovery by a bounded crawl of a site's sections from its start URLs.

Outlets without usable feeds or sitemaps still have section pages ("China",
"Business") listing their stories.  From each start URL the crawl follows links on
the source's own domains for at most DEPTH_LIMIT hops (CLOSESPIDER_PAGECOUNT bounds
the whole run).  Links found on a page the relevance vocabulary judges on-topic are
queued ahead of the others, so a page budget is spent where the coverage is.  Pages
on the last hop are article requests: skipped when already stored.  Links to utility
pages (about, terms, login, subscribe...; `crawler/section_rules.toml`) are not followed.
"""

from __future__ import annotations

import tomllib
from functools import cached_property
from importlib import resources
from urllib.parse import urlsplit

from scrapy.linkextractors import LinkExtractor

from crawler.spiders.base import PRIORITY_LINK, PRIORITY_RELEVANT_LINK, SourceSpider


_RULES = tomllib.loads((resources.files("crawler") / "section_rules.toml").read_text(encoding="utf-8"))
_SKIP_SEGMENTS = frozenset(_RULES["skip_first_segments"])


def is_utility_page(url: str) -> bool:
    """Whether a link leads to an about/terms/login/subscribe kind of page (crawler/section_rules.toml)."""
    first = urlsplit(url).path.strip("/").split("/", 1)[0].lower()
    return first.rsplit(".", 1)[0] in _SKIP_SEGMENTS if first else False


def visible_text(page) -> str:
    """The title, headings and paragraphs: what the relevance vocabulary should judge, not scripts or menus."""
    return " ".join(page.xpath("//title//text() | //h1//text() | //h2//text() | //p//text()").getall())


class SectionDiscovery:
    def discovery_requests(self, source):
        yield from super().discovery_requests(source)
        if "section" not in self.enabled_modes:
            return
        starts = source.start_urls
        if not starts and (self.enabled_modes == {"section"} or not (source.feeds or source.sitemaps)):
            starts = [source.homepage]
        yield from self.document_requests(starts, self.parse_page, "section", source.id)

    @cached_property
    def link_extractor(self) -> LinkExtractor:
        return LinkExtractor()

    def follow_links(self, page, meta):
        yield from super().follow_links(page, meta)
        hops = meta.get("hops", 0)
        if meta.get("role") != "section" or hops >= self.depth_limit:
            return
        relevance = self.relevance
        on_topic = relevance.is_relevant(relevance.score(visible_text(page)))
        if on_topic:
            self.crawler.stats.inc_value("creditlens/relevant_section_pages")
        priority = (PRIORITY_RELEVANT_LINK if on_topic else PRIORITY_LINK) - hops
        source_id = meta.get("source")
        source = self.sources_by_id.get(source_id)
        for link in self.link_extractor.extract_links(page):
            if source is not None and not source.owns(link.url):
                continue  # the host, not LinkExtractor's allow_domains, which compares host:port
            if is_utility_page(link.url):
                continue
            if hops + 1 < self.depth_limit:
                # through the duplicate filter: the page may be an article a feed also lists
                yield self.make_request(link.url, self.parse_page, "section", source_id, hops=hops + 1, priority=priority)
            else:
                request = self.article_request(link.url, source_id, priority=priority, hops=hops + 1)
                if request is not None:
                    yield request


class SectionSpider(SectionDiscovery, SourceSpider):
    """`scrapy crawl section -a sources=ID,...`: only the bounded crawl from the start URLs (or home page)."""

    name = "section"
    discovery_modes = frozenset({"section"})
