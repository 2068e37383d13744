"""Discovery through XML sitemaps: indexes, url sets, Google News sitemaps, robots.txt.

A source's listed sitemaps are read on every run; a source that lists none has its
`robots.txt` read for `Sitemap:` lines.  Child sitemaps of an index whose `lastmod`
is older than CREDITLENS_MAX_AGE_DAYS are not fetched (news sites keep years of
archive sitemaps), nor are entries older than that; an entry already stored is
fetched again only when its `lastmod` (or Google News `publication_date`) is newer.
Gzipped sitemaps (`.xml.gz`) are unpacked within DOWNLOAD_MAXSIZE.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from scrapy.utils.gz import gunzip

from crawler.sources import host_matches
from crawler.spiders.base import SourceSpider
from crawler.spiders.feeds import local_name, xml_root


def sitemap_entries(body: bytes) -> tuple[str, list[tuple[str, str | None, dict]]] | None:
    """("sitemapindex" | "urlset", [(loc, date, listed)]) or None when the body is not a
    sitemap: `date` is the later of lastmod and Google News publication_date (whether the
    entry changed); `listed` holds each as a Page field, the publication date being
    evidence for the article's own date (nlp/dates.py)."""
    root = xml_root(body)
    if root is None or local_name(root) not in ("sitemapindex", "urlset"):
        return None
    entries = []
    for entry in root:
        if local_name(entry) not in ("sitemap", "url"):
            continue
        loc = date = None
        listed = {}
        for child in entry.iter():
            name = local_name(child)
            text = (child.text or "").strip()
            if name == "loc" and text and loc is None:
                loc = text
            elif name in ("lastmod", "publication_date") and text:
                date = max(date, text) if date else text
                listed.setdefault("listed_lastmod" if name == "lastmod" else "sitemap_date", text)
        if loc:
            entries.append((loc, date, listed))
    return local_name(root), entries


def robots_sitemaps(text: str) -> list[str]:
    return [
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.strip().lower().startswith("sitemap:") and line.split(":", 1)[1].strip()
    ]


class SitemapDiscovery:
    def discovery_requests(self, source):
        yield from super().discovery_requests(source)
        if "sitemaps" not in self.enabled_modes:
            return
        yield from self.document_requests(source.sitemaps, self.parse_sitemap, "discovery", source.id)
        if not source.sitemaps:
            home = urlsplit(source.homepage)
            robots = urlunsplit((home.scheme, home.netloc, "/robots.txt", "", ""))
            yield from self.document_requests([robots], self.parse_robots, "discovery", source.id,
                                              dont_obey_robotstxt=True)

    def parse_robots(self, response):
        if response.status != 200:
            return  # no robots.txt is normal: nothing to discover, nothing to record
        yield self.outcome(response, revalidate=False)
        sitemaps = [response.urljoin(url) for url in robots_sitemaps(response.body.decode("utf-8", "replace"))]
        yield from self.document_requests(sitemaps, self.parse_sitemap, "discovery", response.meta.get("source"))

    def parse_sitemap(self, response):
        failed = self.error_outcome(response)
        if failed is not None:
            yield failed
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, ValueError) as exc:
                yield self.outcome(response, error=f"bad gzip sitemap: {exc}", error_kind="bad_sitemap")
                return
        parsed = sitemap_entries(body)
        if parsed is None:
            yield self.outcome(response, error="not an XML sitemap", error_kind="bad_sitemap")
            return
        kind, entries = parsed
        yield self.outcome(response, revalidate=kind == "urlset")
        source_id = response.meta.get("source")
        source = self.sources_by_id.get(source_id)
        for loc, date, listed in entries:
            url = response.urljoin(loc)
            if kind == "sitemapindex":
                if self.too_old(date):
                    self.crawler.stats.inc_value("creditlens/skipped_old")
                    continue
                yield from self.document_requests([url], self.parse_sitemap, "discovery", source_id)
            elif source is None or host_matches(urlsplit(url).hostname or "", source.domains()):
                request = self.article_request(url, source_id, lastmod=date, listed=listed)
                if request is not None:
                    yield request


class SitemapsSpider(SitemapDiscovery, SourceSpider):
    """`scrapy crawl sitemaps -a sources=ID,...`: only the sitemaps of the sources."""

    name = "sitemaps"
    discovery_modes = frozenset({"sitemaps"})
