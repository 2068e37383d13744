"""Discovery through RSS and Atom feeds: the cheapest way to learn what an outlet published.

Each feed is fetched on every run (conditionally: an unchanged feed costs a 304);
each entry's link is requested unless the incremental store already holds it and the
entry's date (pubDate, updated, published, dc:date) is not newer.  RSS 0.9x/2.0, RSS
1.0 (RDF) and Atom are read the same way, by element names regardless of namespace.
A source that lists no feeds has them discovered from its start pages'
`<link rel="alternate" type="application/rss+xml">` (or Atom) links.
"""

from __future__ import annotations

from lxml import etree

from crawler.spiders.base import SourceSpider

_FEED_ROOTS = {"rss", "feed", "RDF", "channel"}
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_PUBLISHED_NAMES = ("pubDate", "published", "date", "issued")  # RSS, Atom, Dublin Core
_UPDATED_NAMES = ("updated", "modified")


def xml_root(body: bytes):
    """The root element of an XML document, or None: entities are never resolved and nothing is fetched."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
    try:
        return etree.fromstring(body.lstrip(), parser=parser)
    except etree.XMLSyntaxError:
        return None


def local_name(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _child_text(entry, names) -> str | None:
    for child in entry:
        if local_name(child) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def feed_entries(body: bytes) -> list[tuple[str, str | None, dict]] | None:
    """(link, date, listed) of each entry of an RSS/Atom feed, None when the body is not a
    feed: `date` says whether the entry changed (its updated date, else its publication
    date); `listed` holds the dates as Page fields, the publication date being evidence
    for the article's own date (nlp/dates.py)."""
    root = xml_root(body)
    if root is None or local_name(root) not in _FEED_ROOTS:
        return None
    entries = []
    for entry in root.iter():
        if local_name(entry) not in ("item", "entry"):
            continue
        link = None
        for child in entry:
            if local_name(child) != "link":
                continue
            href = child.get("href")
            if href and child.get("rel", "alternate") == "alternate":
                link = href.strip()
                break
            if not href and child.text and child.text.strip():
                link = child.text.strip()
                break
        if link is None:
            guid = next((c for c in entry if local_name(c) == "guid"), None)
            if guid is not None and guid.get("isPermaLink", "true") != "false" and (guid.text or "").strip().startswith("http"):
                link = guid.text.strip()
        if link:
            published, updated = _child_text(entry, _PUBLISHED_NAMES), _child_text(entry, _UPDATED_NAMES)
            entries.append((link, updated or published, {"feed_date": published, "listed_lastmod": updated}))
    return entries


class FeedDiscovery:
    def discovery_requests(self, source):
        yield from super().discovery_requests(source)
        if "feeds" in self.enabled_modes:
            yield from self.document_requests(source.feeds, self.parse_feed, "discovery", source.id)

    def follow_links(self, page, meta):
        yield from super().follow_links(page, meta)
        source = self.sources_by_id.get(meta.get("source"))
        if "feeds" not in self.enabled_modes or meta.get("hops", 0) or source is None or source.feeds:
            return
        feeds = [
            page.urljoin(link.attrib["href"].strip())
            for link in page.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' alternate ')]")
            if (link.attrib.get("type") or "").strip().lower() in _FEED_TYPES and link.attrib.get("href")
        ]
        yield from self.document_requests(feeds, self.parse_feed, "discovery", source.id)

    def parse_feed(self, response):
        failed = self.error_outcome(response)
        if failed is not None:
            yield failed
            return
        entries = feed_entries(response.body)
        if entries is None:
            yield self.outcome(response, error="not an RSS or Atom feed", error_kind="bad_feed")
            return
        yield self.outcome(response)
        source_id = response.meta.get("source")
        for link, date, listed in entries:
            request = self.article_request(response.urljoin(link), source_id, lastmod=date, listed=listed)
            if request is not None:
                yield request


class FeedsSpider(FeedDiscovery, SourceSpider):
    """`scrapy crawl feeds -a sources=ID,...`: only the feeds of the sources."""

    name = "feeds"
    discovery_modes = frozenset({"feeds"})
