"""Spider callbacks, canonical URLs, charsets and failure kinds, on fixture responses (no network)."""

import gzip
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

import crawler.settings as project_settings
from crawler.canonical import canonical_link, canonical_url, page_url
from crawler.charset import decode_html, looks_like_html
from crawler.items import FetchOutcome
from crawler.middlewares import retry_after_seconds
from crawler.pipelines import outcome_to_page
from crawler.sources import Source
from crawler.spiders.sources import SourcesSpider

BASE = "https://news.example.com"
SOURCE = Source("ex", "Example News", BASE + "/", feeds=[BASE + "/rss"], start_urls=[BASE + "/china/"],
                allowed_domains=["news.example.com"])
ON_TOPIC = "<p>The social credit system blacklist of dishonest judgment debtors: travel ban for laolai.</p>"
OFF_TOPIC = "<p>Football results and the weather forecast for the weekend.</p>"


@pytest.fixture
def spider(tmp_path):
    settings = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    settings.update(CREDITLENS_STATE_DIR=str(tmp_path), CREDITLENS_MAX_AGE_DAYS=30, DEPTH_LIMIT=2)
    crawler = get_crawler(SourcesSpider, settings_dict=settings)
    spider = SourcesSpider.from_crawler(crawler, sources=[SOURCE])
    crawler.spider = spider
    return spider


def response(cls, url, body, meta=None, status=200, headers=None):
    request = Request(url, meta={"source": "ex", "role": "article", "hops": 0, **(meta or {})})
    return cls(url=url, body=body, status=status, headers=headers or {}, request=request)


def ago(days):
    return datetime.now(timezone.utc) - timedelta(days=days)


def requests_of(results):
    return [r for r in results if isinstance(r, Request)]


def outcomes_of(results):
    return [r for r in results if isinstance(r, FetchOutcome)]


# -- canonical URLs --------------------------------------------------------------------

def test_tracking_parameters_fragments_and_amp_flags_collapse():
    plain = canonical_url(BASE + "/a.html?id=5")
    for variant in (BASE + "/a.html?utm_source=rss&id=5#comments", "HTTPS://NEWS.example.com:443/a.html?id=5&fbclid=x",
                    BASE + "/a.html?spm=a1.b2&id=5&amp=1"):
        assert canonical_url(variant) == plain


def test_page_url_trusts_same_site_canonical_only():
    assert page_url("https://m.example.com/a/amp", "https://www.example.com/a") == "https://www.example.com/a"
    assert page_url("https://example.com/a", "https://spam.example.org/a") == "https://example.com/a"
    # a mirror (here loopback) declaring the outlet's public domain, which the registry lists
    mirror = page_url("http://127.0.0.1:8080/a?utm_source=x", "https://www.outlet.example/a", ["127.0.0.1", "outlet.example"])
    assert mirror == "https://www.outlet.example/a"
    assert page_url("https://example.com/story", "https://example.com/") == "https://example.com/story"
    assert page_url("https://example.com/story.amp.html", None) == "https://example.com/story.html"
    assert canonical_link('<head><link rel="canonical" href="/x?a=1&amp;b=2"></head>') == "/x?a=1&b=2"


# -- charsets and content types -------------------------------------------------------------

CHINESE = "<html><head><title>失信被执行人</title></head><body><p>最高人民法院公布失信被执行人名单，限制乘坐飞机和高铁。社会信用体系。</p></body></html>"


@pytest.mark.parametrize("content_type", [None, "text/html", "text/html; charset=ISO-8859-1"])
def test_gbk_without_or_with_a_lying_charset(content_type):
    text, encoding = decode_html(CHINESE.encode("gbk"), content_type)
    assert text == CHINESE and encoding == "gb18030"


def test_utf8_behind_a_lying_gbk_header_and_big5_with_meta():
    assert decode_html(CHINESE.encode("utf-8"), "text/html; charset=gbk") == (CHINESE, "utf-8")
    big5 = ('<html><head><meta charset="big5"><title>失信被執行人</title></head><body>'
            "<p>最高人民法院公布失信被執行人名單，限制乘坐飛機和高鐵。社會信用體系。</p></body></html>")
    text, encoding = decode_html(big5.encode("big5"), "text/html")
    assert text == big5 and encoding.startswith("big5")  # WHATWG reads big5 as its HKSCS superset


def test_html_is_recognised_by_its_bytes_not_its_label():
    assert looks_like_html(b"<!DOCTYPE html><html>", "application/octet-stream")
    assert not looks_like_html(b"%PDF-1.4 binary", "text/html")
    assert not looks_like_html(b'<?xml version="1.0"?><rss>', "text/html")
    assert looks_like_html(b"Just text", "text/html; charset=utf-8")


# -- feeds -------------------------------------------------------------------------------

def rss(items):
    rows = "".join(f"<item><link>{link}</link><pubDate>{format_datetime(when)}</pubDate></item>" for link, when in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{rows}</channel></rss>'.encode()


def test_feed_requests_new_and_changed_entries_only(spider):
    spider.known.remember_page([BASE + "/unchanged"], None, None, lastmod=format_datetime(ago(2)))
    spider.known.remember_page([BASE + "/changed"], None, None, lastmod=format_datetime(ago(2)))
    body = rss([(BASE + "/new?utm_source=rss", ago(1)), (BASE + "/unchanged", ago(2)), (BASE + "/changed", ago(0)),
                (BASE + "/ancient", ago(400))])
    results = list(spider.parse_feed(response(XmlResponse, BASE + "/rss", body, {"role": "discovery"})))
    assert [r.url for r in requests_of(results)] == [BASE + "/new", BASE + "/changed"]
    assert all(r.meta["role"] == "article" and r.meta["source"] == "ex" for r in requests_of(results))
    [feed] = outcomes_of(results)
    assert feed.role == "discovery" and feed.text is None and feed.error is None
    assert spider.crawler.stats.get_value("creditlens/skipped_known") == 1
    assert spider.crawler.stats.get_value("creditlens/skipped_old") == 1


def test_atom_feed_and_a_feed_that_is_not_one(spider):
    atom = (f'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="{BASE}/atom1"/>'
            f'<updated>{ago(1).isoformat()}</updated></entry></feed>').encode()
    results = list(spider.parse_feed(response(XmlResponse, BASE + "/atom", atom, {"role": "discovery"})))
    assert [r.url for r in requests_of(results)] == [BASE + "/atom1"]
    html = response(HtmlResponse, BASE + "/rss", b"<html><body>moved</body></html>", {"role": "discovery"})
    [outcome] = spider.parse_feed(html)
    assert outcome.error_kind == "bad_feed"


def test_feeds_are_discovered_on_start_pages_of_sources_that_list_none(spider):
    spider.sources_by_id["ex"] = Source("ex", "Example News", BASE + "/", allowed_domains=["news.example.com"])
    body = (b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss/china.xml">'
            b'<link rel="alternate" hreflang="zh" href="/zh/"></head><body><p>x</p></body></html>')
    results = section_page_with(spider, body, hops=0)
    feeds = [r for r in requests_of(results) if r.callback == spider.parse_feed]
    assert [r.url for r in feeds] == [BASE + "/rss/china.xml"]
    assert not [r for r in requests_of(section_page_with(spider, body, hops=0)) if r.callback == spider.parse_feed]
    spider.requested_documents.clear()  # once per run; and only start pages are searched for feeds
    assert not [r for r in requests_of(section_page_with(spider, body, hops=1)) if r.callback == spider.parse_feed]


def section_page_with(spider, body, hops):
    return list(spider.parse_page(response(HtmlResponse, BASE + "/china/", body, {"role": "section", "hops": hops})))


# -- sitemaps ----------------------------------------------------------------------------------

def test_sitemap_index_skips_old_children_and_news_sitemap_uses_publication_date(spider):
    index = (f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f"<sitemap><loc>{BASE}/s-new.xml.gz</loc><lastmod>{ago(1).date()}</lastmod></sitemap>"
             f"<sitemap><loc>{BASE}/s-2009.xml</loc><lastmod>2009-01-01</lastmod></sitemap></sitemapindex>").encode()
    results = list(spider.parse_sitemap(response(XmlResponse, BASE + "/index.xml", index, {"role": "discovery"})))
    assert [r.url for r in requests_of(results)] == [BASE + "/s-new.xml.gz"]
    news = (f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"<url><loc>{BASE}/n1</loc><news:news><news:publication_date>{ago(0).isoformat()}"
            f"</news:publication_date></news:news></url>"
            f"<url><loc>https://elsewhere.example.org/n2</loc></url></urlset>").encode()
    results = list(spider.parse_sitemap(response(Response, BASE + "/s-new.xml.gz", gzip.compress(news),
                                                 {"role": "discovery"})))
    [request] = requests_of(results)
    assert request.url == BASE + "/n1" and request.meta["lastmod"].startswith(str(ago(0).date()))


def test_robots_txt_sitemap_lines_are_followed(spider):
    body = b"User-agent: *\nDisallow: /private/\nSitemap: /sitemap.xml\nsitemap: https://news.example.com/news.xml\n"
    results = list(spider.parse_robots(response(TextResponse, BASE + "/robots.txt", body, {"role": "discovery"})))
    assert [r.url for r in requests_of(results)] == [BASE + "/sitemap.xml", BASE + "/news.xml"]
    assert list(spider.parse_robots(response(TextResponse, BASE + "/robots.txt", b"", status=404))) == []


# -- pages ----------------------------------------------------------------------------------

def test_amp_page_is_stored_under_its_canonical_url(spider):
    body = f'<html><head><link rel="canonical" href="{BASE}/story"></head><body>{ON_TOPIC}</body></html>'.encode()
    [outcome] = outcomes_of(spider.parse_page(response(HtmlResponse, BASE + "/story/amp?utm_medium=x", body)))
    assert outcome.url == BASE + "/story"
    assert outcome.requested_url == BASE + "/story/amp?utm_medium=x"
    assert BASE + "/story/amp" in outcome.aliases and outcome.text.startswith("<html>")


def test_page_faults_become_outcomes(spider):
    [gone] = spider.parse_page(response(HtmlResponse, BASE + "/gone", b"<html>not found</html>", status=404))
    assert (gone.status, gone.error_kind, gone.text) == (404, "http_404", None)
    [busy] = spider.parse_page(response(HtmlResponse, BASE + "/busy", b"", status=503))
    assert busy.error_kind == "http_5xx"
    [pdf] = spider.parse_page(response(Response, BASE + "/r", b"%PDF-1.4", headers={"Content-Type": "application/pdf"}))
    assert (pdf.error_kind, pdf.error) == ("not_html", "not html: application/pdf")
    [same] = spider.parse_page(response(Response, BASE + "/s", b"", status=304))
    assert same.unchanged and same.error_kind is None and same.settled
    [octet] = spider.parse_page(response(Response, BASE + "/o", b"<!doctype html><p>x</p>",
                                         headers={"Content-Type": "application/octet-stream"}))
    assert octet.text == "<!doctype html><p>x</p>"
    [gbk] = spider.parse_page(response(Response, BASE + "/g", CHINESE.encode("gbk"), headers={"Content-Type": "text/html"}))
    assert (gbk.text, gbk.encoding) == (CHINESE, "gb18030")


def section_page(spider, body_text, hops=0):
    links = (f'<a href="{BASE}/a1">a</a><a href="/a2#top">b</a><a href="https://other.org/x">c</a>'
             '<a href="/About-Us.html">d</a><a href="/login?next=/a1">e</a><a href="/terms/">f</a>')
    body = f"<html><head><title>Section</title></head><body>{body_text}{links}</body></html>".encode()
    return list(spider.parse_page(response(HtmlResponse, BASE + "/china/", body, {"role": "section", "hops": hops})))


def test_section_links_from_relevant_pages_are_preferred_stay_on_site_and_skip_utility_pages(spider):
    on = requests_of(section_page(spider, ON_TOPIC))
    off = requests_of(section_page(spider, OFF_TOPIC))
    assert [r.url for r in on] == [BASE + "/a1", BASE + "/a2"]
    assert all(r.meta["role"] == "section" and r.meta["hops"] == 1 for r in on)
    assert min(r.priority for r in on) > max(r.priority for r in off)


def test_last_section_hop_makes_article_requests_and_skips_known_pages(spider):
    spider.known.remember_page([BASE + "/a1"], None, None, None)
    requests = requests_of(section_page(spider, ON_TOPIC, hops=1))
    assert [(r.url, r.meta["role"]) for r in requests] == [(BASE + "/a2", "article")]
    assert requests_of(section_page(spider, ON_TOPIC, hops=2)) == []


# -- failures ---------------------------------------------------------------------------------

@pytest.mark.parametrize("exception, kind", [
    (IgnoreRequest("max redirections reached"), "redirect_loop"),
    (DownloadTimeoutError("took longer than 1.0 seconds"), "timeout"),
    (CannotResolveHostError("no such host"), "dns"),
])
def test_failures_are_recorded_with_their_kind(spider, exception, kind):
    failure = Failure(exception)
    failure.request = Request(BASE + "/x?utm_source=a", meta={"role": "article", "source": "ex"})
    [outcome] = spider.record_failure(failure)
    assert (outcome.url, outcome.status, outcome.error_kind) == (BASE + "/x", 0, kind)


def test_robots_refusals_are_not_recorded_as_pages(spider):
    failure = Failure(IgnoreRequest("Forbidden by robots.txt"))
    failure.request = Request(BASE + "/private/x", meta={"role": "article", "source": "ex"})
    assert list(spider.record_failure(failure)) == []


def test_retry_after_values():
    assert retry_after_seconds(b"7") == 7.0
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True).encode()
    assert 25 <= retry_after_seconds(later) <= 31
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


def test_pipeline_redacts_personal_data_unless_told_not_to():
    outcome = FetchOutcome(url=BASE + "/p", status=200, role="article", text="<p>call 13812345678</p>")
    assert "13812345678" not in outcome_to_page(outcome, "r1", keep_personal_data=False).text()
    kept = outcome_to_page(outcome, "r1", keep_personal_data=True)
    assert "13812345678" in kept.text() and kept.run_id == "r1" and kept.origin == "crawl"
