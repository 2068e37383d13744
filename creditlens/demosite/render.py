"""Renders every page of one outlet into memory: articles, listings, feeds, sitemaps, robots.txt.

The site is small, so rendering everything once at start-up keeps the HTTP
handler a dictionary lookup and makes ETags stable.  Each outlet subclass only
supplies what genuinely differs between real news sites: URL scheme, date
format, markup snippets and feed/sitemap flavour; page skeletons live in
``templates/<outlet>_*.html`` (string.Template syntax).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import html
import json
import re
import zlib
from dataclasses import dataclass, replace
from importlib import resources
from string import Template

from .model import DemoArticle, Outlet

UTC = dt.timezone.utc
MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Links carrying tracking parameters, so URL canonicalisation has something to strip.
TRACKING = "?utm_source=homepage&utm_medium=referral&utm_campaign=editors_picks"
FEED_TRACKING = "?utm_source=rss&utm_medium=feed"
XML_TYPE = "application/xml; charset=utf-8"


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str
    last_modified: dt.datetime | None
    etag: str


def esc(text: str) -> str:
    """Escape for element text and double-quoted attributes (apostrophes stay readable)."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def esc_text(text: str) -> str:
    """Escape running text, which never lands in an attribute, keeping quotes as typed."""
    return html.escape(text, quote=False)


def slugify(text: str) -> str:
    """ASCII path segment for a section name; non-Latin names get a stable numeric one."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or f"s{zlib.crc32(text.encode()) % 10000}"


def numeric_id(slug: str, start: int) -> int:
    """Stable CMS-style numeric id derived from the slug (outlets that number their stories)."""
    return start + zlib.crc32(slug.encode()) % 900_000


def http_date(when: dt.datetime) -> str:
    return email.utils.format_datetime(when.astimezone(UTC), usegmt=True)


def _template(name: str) -> Template:
    return Template((resources.files(__package__) / "templates" / name).read_text(encoding="utf-8"))


def _spam_titles() -> list[str]:
    text = (resources.files(__package__) / "templates" / "spam_links.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


class OutletSite:
    """Base renderer; class attributes are the per-outlet markup snippets (str.format fields)."""

    page_size = 6
    feed_path = "/rss.xml"
    encoding = "utf-8"
    html_content_type = "text/html; charset=utf-8"
    nav_item = '<li><a href="{href}">{label}</a></li>'
    listing_item = '<li><a href="{url}">{title}</a> {date}{extra}</li>'
    comments_link = ' <a href="{url}#comments">{n} comments</a>'
    pick_item = '<li><a href="{url}">{title}</a></li>'
    link_item = '<li><a href="{url}">{title}</a></li>'
    paragraph = "<p>{text}</p>"
    byline_fmt = "By {author}"
    paywall_box = ""
    comments_wrap = '<section id="comments">{items}</section>'
    comment_item = "<div><b>{author}</b> <p>{text}</p></div>"
    no_comments = ""
    pager_link = '<a href="{href}">{label}</a>'

    def __init__(self, outlet: Outlet, articles: list[DemoArticle]):
        self.outlet = outlet
        self.base = outlet.base_url.rstrip("/")
        # Like a real outlet behind a CDN or mirror, pages declare their canonical URL on the
        # public domain: the same story keeps the same key whichever port served it.
        self.canonical_base = f"https://www.{outlet.domain}"
        newest_first = sorted(articles, key=lambda a: a.published, reverse=True)
        self.articles = [replace(a, url=self.base + self.path_of(a), canonical_url=self.canonical_base + self.path_of(a))
                         for a in newest_first]
        self.public = [a for a in self.articles if not a.disallowed]
        self.sections = sorted({a.section for a in self.articles})
        self.article_tpl = _template(f"{outlet.id}_article.html")
        self.listing_tpl = _template(f"{outlet.id}_listing.html")
        self.pages: dict[str, Page] = {}

    # --- URL scheme and date format: overridden per outlet -------------------
    def article_path(self, a: DemoArticle) -> str:
        raise NotImplementedError

    def section_path(self, section: str) -> str:
        return f"/{slugify(section)}/"

    def page_path(self, listing_path: str, n: int) -> str:
        return f"{listing_path}page/{n}/"

    def display_date(self, when: dt.datetime) -> str:
        raise NotImplementedError

    def path_of(self, a: DemoArticle) -> str:
        """Disallowed articles live under /private/, which robots.txt forbids."""
        return ("/private" if a.disallowed else "") + self.article_path(a)

    # --- building ------------------------------------------------------------
    def build(self) -> dict[str, Page]:
        for a in self.articles:
            self.add(self.path_of(a), self.html(self.article_tpl.substitute(self.article_fields(a))),
                     self.html_content_type, a.published)
        self.add_listing("/", "Latest news", self.articles, home=True)
        for section in self.sections:
            self.add_listing(self.section_path(section), section,
                             [a for a in self.articles if a.section == section])
        robots = f"User-agent: *\nDisallow: /private/\n\nSitemap: {self.base}/sitemap.xml\n"
        self.add("/robots.txt", robots.encode(), "text/plain; charset=utf-8")
        self.add_feed()
        self.add_sitemaps()
        return self.pages

    def add(self, path: str, body: bytes, content_type: str, modified: dt.datetime | None = None) -> None:
        if path in self.pages:
            raise RuntimeError(f"{self.outlet.id}: two pages at {path}")
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        self.pages[path] = Page(body, content_type, modified, etag)

    def html(self, text: str) -> bytes:
        return text.encode(self.encoding, "xmlcharrefreplace")

    def newest(self) -> dt.datetime | None:
        return max((a.published for a in self.public), default=None)

    # --- fields shared by all templates ---------------------------------------
    def common_fields(self) -> dict[str, str]:
        nav = [self.nav_item.format(href=self.base + "/", label="Home")]
        nav += [self.nav_item.format(href=self.base + self.section_path(s), label=esc(s)) for s in self.sections]
        return {
            "site_name": esc(self.outlet.name),
            "home": self.base + "/",
            "nav": "\n".join(nav),
            "year": str(dt.date.today().year),
            "most_read": self.links(self.public[:5], self.link_item),
        }

    def links(self, articles: list[DemoArticle], fmt: str, suffix: str = "") -> str:
        return "\n".join(fmt.format(url=esc(a.url + suffix), title=esc(a.title)) for a in articles)

    def article_fields(self, a: DemoArticle) -> dict[str, str]:
        paragraphs = a.paragraphs[:1] if a.kind == "paywall" else a.paragraphs
        body = "\n".join(self.paragraph.format(text=esc_text(p)) for p in paragraphs)
        if a.kind == "paywall":
            body += "\n" + self.paywall_box
        if a.spam_block:
            body += "\n" + self.spam_html()
        related = [r for r in self.public if r.section == a.section and r.slug != a.slug][:3]
        return self.common_fields() | {
            "lang": "zh-CN" if a.language == "zh" else "en",
            "title": esc(a.title),
            "description": esc(a.summary),
            "canonical": esc(a.canonical_url),
            "published_iso": a.published.isoformat(),
            "date": esc(self.display_date(a.published)),
            "author": esc(a.author),
            "byline": self.byline_fmt.format(author=esc(a.author)) if a.author else "",
            "section": esc(a.section),
            "section_url": self.base + self.section_path(a.section),
            "keywords": esc(", ".join(a.tags)),
            "body": body,
            "comments": self.comments_html(a),
            "related": self.links(related, self.link_item),
            "jsonld": self.jsonld(a),
        }

    def comments_html(self, a: DemoArticle) -> str:
        if not a.comments:
            return self.no_comments
        items = "\n".join(self.comment_item.format(author=esc_text(c.author), text=esc_text(c.text)) for c in a.comments)
        return self.comments_wrap.format(items=items, n=len(a.comments))

    def spam_html(self) -> str:
        """Injected SEO-spam link block, as found on hacked CMS pages (inside the article container)."""
        anchors = [f'<a href="http://www.cp{i:02d}-vip.example/" target="_blank">{esc(t)}</a>'
                   for i, t in enumerate(_spam_titles())]
        return '<div class="rel-links" style="font-size:12px">' + " | ".join(anchors) + "</div>"

    def jsonld(self, a: DemoArticle) -> str:
        """schema.org NewsArticle; only templates that reference $jsonld (beacon, ledger) embed it."""
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": a.title,
            "description": a.summary,
            "datePublished": a.published.isoformat(),
            "mainEntityOfPage": a.canonical_url,
            "inLanguage": a.language,
            "articleSection": a.section,
            "keywords": list(a.tags),
            "publisher": {"@type": "Organization", "name": self.outlet.name},
            "isAccessibleForFree": a.kind != "paywall",
        }
        if a.author:
            data["author"] = {"@type": "Person", "name": a.author}
        text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
        return f'<script type="application/ld+json">\n{text}\n</script>'

    # --- listings ---------------------------------------------------------------
    def add_listing(self, path: str, heading: str, items: list[DemoArticle], home: bool = False) -> None:
        """Index pages: link lists, not articles (the pipeline must classify them as such)."""
        chunks = [items[i:i + self.page_size] for i in range(0, len(items), self.page_size)] or [[]]
        paths = [path] + [self.page_path(path, n) for n in range(2, len(chunks) + 1)]
        for n, (chunk, here) in enumerate(zip(chunks, paths), start=1):
            pager = []
            if n > 1:
                pager.append(self.pager_link.format(href=self.base + paths[n - 2], label="&laquo; Previous"))
            if n < len(chunks):
                pager.append(self.pager_link.format(href=self.base + paths[n], label="Next &raquo;"))
            fields = self.common_fields() | {
                "lang": self.outlet.language,
                "heading": esc(heading),
                "title": esc(heading) + (f" (page {n})" if n > 1 else ""),
                "description": esc(f"Latest {heading} news from {self.outlet.name}"),
                "canonical": self.canonical_base + here,
                "items": "\n".join(self.listing_entry(a) for a in chunk),
                "pagination": " ".join(pager),
                "picks": self.links(self.public[:3], self.pick_item, TRACKING) if home and n == 1 else "",
            }
            modified = max((a.published for a in chunk), default=None)
            self.add(here, self.html(self.listing_tpl.substitute(fields)), self.html_content_type, modified)

    def listing_entry(self, a: DemoArticle) -> str:
        extra = self.comments_link.format(url=esc(a.url), n=len(a.comments)) if a.comments else ""
        return self.listing_item.format(url=esc(a.url), title=esc(a.title), date=esc(self.display_date(a.published)),
                                        summary=esc(a.summary), section=esc(a.section), extra=extra)

    # --- feeds and sitemaps -----------------------------------------------------
    def feed_link(self, a: DemoArticle) -> str:
        return a.url

    def add_feed(self) -> None:
        """RSS 2.0 of public articles (Atom for outlets overriding this)."""
        items = []
        for a in self.public:
            creator = f"<dc:creator>{esc(a.author)}</dc:creator>" if a.author else ""
            items.append(
                f"<item><title>{esc(a.title)}</title><link>{esc(self.feed_link(a))}</link>"
                f'<guid isPermaLink="true">{esc(a.url)}</guid><pubDate>{email.utils.format_datetime(a.published)}</pubDate>'
                f"{creator}<category>{esc(a.section)}</category><description>{esc(a.summary)}</description></item>"
            )
        built = http_date(self.newest() or dt.datetime.now(UTC))
        xml = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
            f"<channel><title>{esc(self.outlet.name)}</title><link>{self.base}/</link>"
            f"<description>Latest news from {esc(self.outlet.name)}</description><language>{self.outlet.language}</language>"
            f'<atom:link href="{self.base}{self.feed_path}" rel="self" type="application/rss+xml"/>'
            f"<lastBuildDate>{built}</lastBuildDate>\n" + "\n".join(items) + "\n</channel></rss>\n"
        )
        self.add(self.feed_path, xml.encode(), "application/rss+xml; charset=utf-8", self.newest())

    def urlset(self, entries: list[tuple[str, dt.datetime | None]]) -> bytes:
        urls = "\n".join(
            f"<url><loc>{esc(loc)}</loc>" + (f"<lastmod>{when.isoformat()}</lastmod>" if when else "") + "</url>"
            for loc, when in entries
        )
        return ('<?xml version="1.0" encoding="utf-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}\n</urlset>\n').encode()

    def add_sitemaps(self) -> None:
        """Plain urlset of public articles with lastmod."""
        self.add("/sitemap.xml", self.urlset([(a.url, a.published) for a in self.public]), XML_TYPE, self.newest())


class BeaconSite(OutletSite):
    """State-media style: dated .html paths, JSON-LD, sitemap index + Google News sitemap."""

    nav_item = '<li class="nav-item"><a href="{href}" target="_self">{label}</a></li>'
    listing_item = ('<li class="list-item"><span class="list-date">{date}</span>'
                    '<a class="list-title" href="{url}" target="_blank">{title}</a>{extra}</li>')
    comments_link = ' <a class="cmt-count" href="{url}#comments">[{n}]</a>'
    pick_item = '<li><a href="{url}" target="_blank">{title}</a></li>'
    link_item = '<li><a href="{url}" target="_blank">{title}</a></li>'
    paragraph = '<p style="text-indent:2em">{text}</p>'
    byline_fmt = '<span class="author">Author: {author}</span>'
    comments_wrap = ('<div class="comment-box" id="comments"><h3>Comments ({n})</h3>'
                     '<ul class="comment-list">{items}</ul></div>')
    comment_item = '<li><span class="cmt-user">{author}</span>: <span class="cmt-text">{text}</span></li>'
    pager_link = '<a class="page-btn" href="{href}">{label}</a>'

    def article_path(self, a: DemoArticle) -> str:
        return f"/{a.published:%Y/%m/%d}/{a.slug}.html"

    def page_path(self, listing_path: str, n: int) -> str:
        return f"{listing_path}index_{n}.html"

    def display_date(self, when: dt.datetime) -> str:
        return f"{when:%Y-%m-%d %H:%M}"

    def add_sitemaps(self) -> None:
        """Sitemap index -> Google News sitemap (articles) + plain sitemap (listing pages)."""
        index = "\n".join(
            f"<sitemap><loc>{self.base}{path}</loc><lastmod>{(self.newest() or dt.datetime.now(UTC)).isoformat()}</lastmod></sitemap>"
            for path in ("/sitemap-news.xml", "/sitemap-sections.xml")
        )
        self.add("/sitemap.xml", ('<?xml version="1.0" encoding="utf-8"?>\n'
                                  '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                                  f"{index}\n</sitemapindex>\n").encode(), XML_TYPE, self.newest())
        news = "\n".join(
            f"<url><loc>{esc(a.url)}</loc><lastmod>{a.published.isoformat()}</lastmod><news:news><news:publication>"
            f"<news:name>{esc(self.outlet.name)}</news:name><news:language>{'zh-cn' if a.language == 'zh' else a.language}"
            f"</news:language></news:publication><news:publication_date>{a.published.isoformat()}</news:publication_date>"
            f"<news:title>{esc(a.title)}</news:title></news:news></url>"
            for a in self.public
        )
        self.add("/sitemap-news.xml", ('<?xml version="1.0" encoding="utf-8"?>\n'
                                       '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                                       'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
                                       f"{news}\n</urlset>\n").encode(), XML_TYPE, self.newest())
        listings = [(self.base + "/", self.newest())] + [
            (self.base + self.section_path(s), max(a.published for a in self.public if a.section == s))
            for s in self.sections if any(a.section == s for a in self.public)
        ]
        self.add("/sitemap-sections.xml", self.urlset(listings), XML_TYPE, self.newest())


class HarbourSite(OutletSite):
    """Hong Kong commercial paper: numeric article ids, AMP variants, comments, tracking links in RSS."""

    nav_item = '<a class="main-nav__link" href="{href}">{label}</a>'
    listing_item = ('<article class="story-card"><h3 class="story-card__headline"><a href="{url}">{title}</a></h3>'
                    '<p class="story-card__summary">{summary}</p><time class="story-card__time">{date}</time>{extra}</article>')
    comments_link = ' <a class="story-card__comments" href="{url}#comments">{n} comments</a>'
    pick_item = '<li class="trending__item"><a href="{url}">{title}</a></li>'
    link_item = '<li class="related__item"><a href="{url}">{title}</a></li>'
    paragraph = '<p class="print-article__paragraph">{text}</p>'
    byline_fmt = '<span class="author-name">{author}</span>'
    comments_wrap = ('<section class="comments" id="comments"><h2 class="comments__title">{n} Comments</h2>'
                     '<ol class="comments__list">{items}</ol></section>')
    comment_item = ('<li class="comment"><div class="comment__user">{author}</div>'
                    '<div class="comment__text">{text}</div><button class="comment__like">Like</button></li>')
    no_comments = ('<section class="comments" id="comments"><h2 class="comments__title">Comments</h2>'
                   '<p class="comments__empty">Be the first to comment. Log in to join the conversation.</p></section>')
    pager_link = '<a class="pagination__link" href="{href}">{label}</a>'

    def __init__(self, outlet: Outlet, articles: list[DemoArticle]):
        super().__init__(outlet, articles)
        self.amp_tpl = _template("harbour_amp.html")

    def article_path(self, a: DemoArticle) -> str:
        return f"/news/{slugify(a.section)}/article/{numeric_id(a.slug, 3_100_000)}/{a.slug}"

    def section_path(self, section: str) -> str:
        return f"/news/{slugify(section)}/"

    def display_date(self, when: dt.datetime) -> str:
        hour = when.hour % 12 or 12
        return (f"{WEEKDAYS[when.weekday()]}, {when.day} {MONTHS[when.month - 1]} {when.year}, "
                f"{hour}:{when:%M}{'am' if when.hour < 12 else 'pm'}")

    def feed_link(self, a: DemoArticle) -> str:
        return a.url + FEED_TRACKING

    def article_fields(self, a: DemoArticle) -> dict[str, str]:
        fields = super().article_fields(a)
        fields["amp_link"] = "" if a.disallowed else f'<link rel="amphtml" href="{self.base}/amp{self.path_of(a)}">'
        return fields

    def build(self) -> dict[str, Page]:
        """Adds AMP copies whose rel=canonical points back at the main article URL."""
        pages = super().build()
        for a in self.public:
            fields = self.article_fields(a)
            self.add(f"/amp{self.path_of(a)}", self.html(self.amp_tpl.substitute(fields)),
                     self.html_content_type, a.published)
        return pages


class LedgerSite(OutletSite):
    """Business magazine: /section/slug paths, paywall, Atom feed, sections in the sitemap."""

    feed_path = "/atom.xml"
    nav_item = '<li class="menu__item"><a class="menu__link" href="{href}">{label}</a></li>'
    listing_item = ('<div class="teaser"><span class="teaser__kicker">{section}</span>'
                    '<h2 class="teaser__title"><a href="{url}">{title}</a></h2>'
                    '<div class="teaser__dek">{summary}</div><div class="teaser__meta">{date}{extra}</div></div>')
    comments_link = ' &middot; <a href="{url}#comments">{n} responses</a>'
    pick_item = '<li class="editors-choice__item"><a href="{url}">{title}</a></li>'
    link_item = '<li class="most-read__item"><a href="{url}">{title}</a></li>'
    paragraph = '<p class="body-text">{text}</p>'
    byline_fmt = '<a class="byline__author" rel="author">{author}</a>'
    paywall_box = ('<div class="paywall" data-paywall="hard"><h3>This article is for subscribers</h3>'
                   '<p>Subscribe to Ledger Asia for unlimited access to our journalism.</p>'
                   '<a class="paywall__cta" href="/subscribe">Subscribe now</a> '
                   '<a class="paywall__login" href="/login">Already a subscriber? Sign in</a></div>')
    comments_wrap = '<section class="responses" id="comments"><h4>Responses ({n})</h4>{items}</section>'
    comment_item = '<div class="response"><p class="response__author">{author}</p><p class="response__body">{text}</p></div>'

    def article_path(self, a: DemoArticle) -> str:
        return f"{self.section_path(a.section)}{a.slug}"

    def display_date(self, when: dt.datetime) -> str:
        return f"{MONTHS[when.month - 1][:3]} {when.day}, {when.year}"

    def article_fields(self, a: DemoArticle) -> dict[str, str]:
        fields = super().article_fields(a)
        fields["author_bio"] = (
            f'<aside class="author-bio"><strong>{esc(a.author)}</strong> is a correspondent for Ledger Asia '
            f"covering {esc(a.section.lower())}. Follow their reporting in our weekly newsletter.</aside>"
            if a.author else ""
        )
        return fields

    def add_feed(self) -> None:
        """Atom 1.0 instead of RSS."""
        entries = "\n".join(
            f'<entry><title>{esc(a.title)}</title><id>{esc(a.url)}</id><link rel="alternate" href="{esc(a.url)}"/>'
            f"<published>{a.published.isoformat()}</published><updated>{a.published.isoformat()}</updated>"
            f"<author><name>{esc(a.author or self.outlet.name)}</name></author>"
            f'<category term="{esc(a.section)}"/><summary>{esc(a.summary)}</summary></entry>'
            for a in self.public
        )
        xml = ('<?xml version="1.0" encoding="utf-8"?>\n'
               f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{self.outlet.language}">'
               f"<title>{esc(self.outlet.name)}</title><id>{self.base}/</id>"
               f'<link rel="self" href="{self.base}{self.feed_path}"/><link rel="alternate" href="{self.base}/"/>'
               f"<updated>{(self.newest() or dt.datetime.now(UTC)).isoformat()}</updated>\n{entries}\n</feed>\n")
        self.add(self.feed_path, xml.encode(), "application/atom+xml; charset=utf-8", self.newest())

    def add_sitemaps(self) -> None:
        """Articles plus section pages in one urlset, as many magazines do."""
        entries = [(a.url, a.published) for a in self.public] + [
            (self.base + self.section_path(s), None) for s in self.sections
        ]
        self.add("/sitemap.xml", self.urlset(entries), XML_TYPE, self.newest())


class DongfangSite(OutletSite):
    """Bilingual mainland-style CMS: GBK pages with no charset in the HTTP header, content_N.htm paths."""

    encoding = "gbk"
    html_content_type = "text/html"
    nav_item = '<a href="{href}" class="nav_a">{label}</a>'
    listing_item = '<li><a href="{url}" target="_blank">{title}</a><span class="time">{date}</span>{extra}</li>'
    comments_link = ' <a href="{url}#comments">评论({n})</a>'
    pick_item = '<li><a href="{url}" target="_blank">{title}</a></li>'
    link_item = '<li><a href="{url}" target="_blank">{title}</a></li>'
    paragraph = "<p>{text}</p>"
    byline_fmt = "作者 Author: {author}"
    comments_wrap = '<div id="comments" class="pl_box"><div class="pl_tit">网友评论 Comments ({n})</div>{items}</div>'
    comment_item = '<div class="pl_item"><span class="pl_name">{author}</span><div class="pl_con">{text}</div></div>'
    pager_link = '<a href="{href}" class="page_a">{label}</a>'

    def article_path(self, a: DemoArticle) -> str:
        return f"/content/{a.published:%Y-%m}/{a.published:%d}/content_{numeric_id(a.slug, 100_000)}.htm"

    def section_path(self, section: str) -> str:
        return f"/node_{1001 + self.sections.index(section)}.htm"

    def page_path(self, listing_path: str, n: int) -> str:
        stem = "/index" if listing_path == "/" else listing_path.removesuffix(".htm")
        return f"{stem}_{n}.htm"

    def display_date(self, when: dt.datetime) -> str:
        return f"{when.year}年{when.month}月{when.day}日 {when:%H:%M}"


class QiantangSite(OutletSite):
    """Mainland legal daily: GB18030 pages (some names need characters GBK lacks), government-style
    t<date>_<id>.shtml paths, charset declared in the HTTP header and a <meta http-equiv>."""

    encoding = "gb18030"
    html_content_type = "text/html; charset=GB18030"
    nav_item = '<li><a href="{href}" target="_blank">{label}</a></li>'
    listing_item = '<li><span class="date">[{date}]</span><a href="{url}" target="_blank" title="{title}">{title}</a>{extra}</li>'
    comments_link = ' <a href="{url}#comments" class="pl">跟帖({n})</a>'
    pick_item = '<li><a href="{url}" target="_blank">{title}</a></li>'
    link_item = '<li><a href="{url}" target="_blank">{title}</a></li>'
    paragraph = '<p style="text-indent:2em;">{text}</p>'
    byline_fmt = "记者：{author}"
    comments_wrap = '<div class="gentie" id="comments"><h3>网友跟帖（{n}）</h3><ul>{items}</ul></div>'
    comment_item = '<li><em>{author}</em>：{text}</li>'
    pager_link = '<a href="{href}" class="pagebtn">{label}</a>'

    def article_path(self, a: DemoArticle) -> str:
        return f"/{slugify(a.section)}/{a.published:%Y%m}/t{a.published:%Y%m%d}_{numeric_id(a.slug, 5_000_000)}.shtml"

    def page_path(self, listing_path: str, n: int) -> str:
        return f"{listing_path}index_{n - 1}.shtml"

    def display_date(self, when: dt.datetime) -> str:
        return f"{when:%Y-%m-%d %H:%M:%S}"


class WeigangSite(OutletSite):
    """Hong Kong daily in traditional characters: dated numeric paths, Chinese dates with weekdays, JSON-LD."""

    nav_item = '<a class="masthead__link" href="{href}">{label}</a>'
    listing_item = ('<article class="card"><a class="card__title" href="{url}">{title}</a>'
                    '<p class="card__lede">{summary}</p><span class="card__time">{date}</span>{extra}</article>')
    comments_link = ' <a class="card__comments" href="{url}#comments">{n}則留言</a>'
    pick_item = '<li><a href="{url}">{title}</a></li>'
    link_item = '<li><a href="{url}">{title}</a></li>'
    paragraph = "<p>{text}</p>"
    byline_fmt = '<span class="story__author">撰文：{author}</span>'
    comments_wrap = '<section class="comments" id="comments"><h2>讀者留言（{n}）</h2>{items}</section>'
    comment_item = '<div class="comment"><b>{author}</b><p>{text}</p></div>'
    pager_link = '<a class="pager__link" href="{href}">{label}</a>'

    def article_path(self, a: DemoArticle) -> str:
        return f"/article/{a.published:%Y%m%d}/{numeric_id(a.slug, 800_000)}"

    def section_path(self, section: str) -> str:
        return f"/channel/{slugify(section)}"

    def page_path(self, listing_path: str, n: int) -> str:
        return f"{listing_path.rstrip('/')}/p{n}"

    def display_date(self, when: dt.datetime) -> str:
        weekday = "一二三四五六日"[when.weekday()]
        return f"{when.year}年{when.month}月{when.day}日（星期{weekday}）{when:%H:%M}"

    def article_fields(self, a: DemoArticle) -> dict[str, str]:
        return super().article_fields(a) | {"lang": "zh-Hant-HK"}


RENDERERS: dict[str, type[OutletSite]] = {
    "beacon": BeaconSite,
    "harbour": HarbourSite,
    "ledger": LedgerSite,
    "dongfang": DongfangSite,
    "qiantang": QiantangSite,
    "weigang": WeigangSite,
}
