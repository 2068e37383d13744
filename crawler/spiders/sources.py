"""The spider `run_crawl` runs: every discovery mode of every source in one crawl.

One crawl means one scheduler and one duplicate filter over feeds, sitemaps, section
pages and the URL list, so an article listed in a feed, a sitemap and a section page
is fetched once, and one spool file per run.
"""

from __future__ import annotations

from crawler.spiders.base import SourceSpider
from crawler.spiders.feeds import FeedDiscovery
from crawler.spiders.section import SectionDiscovery
from crawler.spiders.sitemaps import SitemapDiscovery
from crawler.spiders.urllist import UrlListDiscovery


class SourcesSpider(FeedDiscovery, SitemapDiscovery, SectionDiscovery, UrlListDiscovery, SourceSpider):
    name = "sources"
    discovery_modes = frozenset({"feeds", "sitemaps", "section", "urllist"})
