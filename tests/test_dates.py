"""Publication dates from the publisher's own statements first, with the evidence recorded;
a guess from the page refuses copyright years and "today" widgets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawl_fixtures import crawl, site, write_config  # noqa: F401
from crawler.spiders.feeds import feed_entries
from crawler.spiders.sitemaps import sitemap_entries
from nlp.dates import DateEvidence
from nlp.extraction import extract_page
from warehouse.spool import Spool
from warehouse.store import Warehouse

STORY = "".join(
    f"<p>Paragraph {n}: the provincial court said it had removed 1,204 people from its list of dishonest "
    f"judgment debtors after they repaid what they owed, and lawyers asked for a simpler appeal route.</p>"
    for n in range(6)
)


def page(head: str = "", before: str = "", after: str = "") -> str:
    return (f"<html><head><title>Court clears debtors</title>{head}</head><body><header>{before}</header>"
            f"<article><h1>Court clears debtors</h1>{STORY}</article><footer>{after}</footer></body></html>")


def dated(html: str, url: str = "https://news.example/story", evidence: DateEvidence | None = None):
    article = extract_page(html, url, evidence=evidence).article
    assert article is not None
    return (article.published_at.isoformat() if article.published_at else None), article.date_source


META = '<meta property="article:published_time" content="2024-03-05T09:30:00+08:00">'
JSONLD = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-02-01T10:00:00Z"}</script>'


def test_feed_and_sitemap_dates_come_before_the_page():
    feed = DateEvidence(feed_date="Tue, 05 Mar 2024 08:00:00 GMT", sitemap_date="2024-03-04T00:00:00Z")
    assert dated(page(META), evidence=feed) == ("2024-03-05T08:00:00+00:00", "feed")
    sitemap = DateEvidence(sitemap_date="2024-03-04T06:00:00+08:00", listed_lastmod="2024-06-01")
    assert dated(page(META), evidence=sitemap) == ("2024-03-03T22:00:00+00:00", "sitemap")
    # an impossible listed date is no evidence: the page's own date is used
    assert dated(page(META), evidence=DateEvidence(feed_date="2999-01-01T00:00:00Z")) == (
        "2024-03-05T01:30:00+00:00", "meta")


def test_the_page_own_statements_url_meta_jsonld():
    assert dated(page(META)) == ("2024-03-05T01:30:00+00:00", "meta")
    assert dated(page(JSONLD)) == ("2024-02-01T10:00:00+00:00", "jsonld")
    # the URL gives the day, the page's timestamp on that day the time
    assert dated(page(META), url="https://news.example/2024/03/05/story") == ("2024-03-05T01:30:00+00:00", "meta")
    assert dated(page(), url="https://news.example/2023/11/20/story") == ("2023-11-20T00:00:00+00:00", "url")


def test_a_guess_from_the_text_is_labelled_as_one():
    assert dated(page(before="<p class='byline'>Published on 12 May 2021 by our reporter</p>")) == (
        "2021-05-12T00:00:00+00:00", "page_guess")


def test_a_copyright_year_is_never_a_date():
    when, source = dated(page(after="<p>© 2019 News Example Ltd. All rights reserved.</p>"))
    assert when is None and source is None
    when, source = dated(page(after="<p>Copyright 2015-2019 News Example</p>"))
    assert not (when or "").startswith("2019-01-01")
    # the modification date the sitemap gave is the last resort
    assert dated(page(after="<p>© 2019 News Example</p>"), evidence=DateEvidence(listed_lastmod="2024-04-02")) == (
        "2024-04-02T00:00:00+00:00", "lastmod")


def test_a_today_widget_is_not_the_publication_date():
    fetched = datetime(2025, 9, 8, 7, 0, tzinfo=timezone.utc)
    widget = page(before="<div class='today'>Monday, 8 September 2025</div>")
    assert dated(widget, evidence=DateEvidence(fetched_at=fetched)) == (None, None)
    # the same date read days after the fetch day is a plausible publication date
    later = DateEvidence(fetched_at=fetched + timedelta(days=30))
    assert dated(widget, evidence=later) == ("2025-09-08T00:00:00+00:00", "page_guess")


def test_feed_and_sitemap_entries_keep_their_dates_apart():
    rss = (b'<rss version="2.0"><channel><item><link>https://n.example/a</link><pubDate>Tue, 05 Mar 2024 08:00:00 GMT'
           b'</pubDate></item></channel></rss>')
    assert feed_entries(rss) == [("https://n.example/a", "Tue, 05 Mar 2024 08:00:00 GMT",
                                  {"feed_date": "Tue, 05 Mar 2024 08:00:00 GMT", "listed_lastmod": None})]
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="https://n.example/b"/>'
            b'<published>2024-03-01T00:00:00Z</published><updated>2024-03-09T00:00:00Z</updated></entry></feed>')
    assert feed_entries(atom)[0][1:] == ("2024-03-09T00:00:00Z", {"feed_date": "2024-03-01T00:00:00Z",
                                                                 "listed_lastmod": "2024-03-09T00:00:00Z"})
    news = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/'
            b'sitemap-news/0.9"><url><loc>https://n.example/c</loc><lastmod>2024-03-10</lastmod><news:news>'
            b'<news:publication_date>2024-03-02T05:00:00Z</news:publication_date></news:news></url></urlset>')
    assert sitemap_entries(news) == ("urlset", [("https://n.example/c", "2024-03-10",
                                                 {"listed_lastmod": "2024-03-10", "sitemap_date": "2024-03-02T05:00:00Z"})])


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_a_crawl_keeps_the_feed_and_sitemap_dates_and_extraction_uses_them(site, tmp_path):
    # feeds and sitemaps only: a story fetched through a section link before its feed was read has no
    # listing dates (the feed's request for it is a duplicate by then)
    crawl(write_config(site, tmp_path / "site.toml", section=False), tmp_path / "state", "run1")
    with Warehouse(tmp_path / "db.duckdb") as warehouse:
        warehouse.drain_spool(Spool(tmp_path / "state" / "spool"))
        rows = {url.split("/", 3)[3]: row for url, *row in warehouse.con.execute(
            "SELECT url, html, feed_date, sitemap_date, listed_lastmod, fetched_at FROM pages WHERE html IS NOT NULL"
        ).fetchall()}
    feed_row, sitemap_row = rows["news/a1.html"], rows["news/s1.html"]
    assert feed_row[1] and feed_row[1].endswith("GMT")  # the RSS pubDate, as written
    assert sitemap_row[2] and sitemap_row[1] is None
    # what `creditlens process` hands extraction: the page and its evidence
    from warehouse.records import Page

    for path, source in (("news/a1.html", "feed"), ("news/s1.html", "sitemap")):
        html, *dates = rows[path]
        article = extract_page(Page(url=path, status=200, html=html).text(), site.url("/" + path),
                               evidence=DateEvidence(*dates)).article
        assert article is not None and article.date_source == source
        assert abs(article.published_at - datetime.now(timezone.utc)) < timedelta(days=2)
