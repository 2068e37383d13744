"""The offline demo news site serves what the crawler and extractor tests rely on."""

import html
import re
import tomllib
import urllib.error
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ET

import pytest

from creditlens.demosite import DemoSite, load_articles

# Never route 127.0.0.1 through an http_proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def fetch(url: str, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={k.replace("_", "-"): v for k, v in headers.items()})
    try:
        with _OPENER.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def decode(outlet: str, body: bytes) -> str:
    return html.unescape(body.decode({"dongfang": "gbk", "qiantang": "gb18030"}.get(outlet, "utf-8")))


@pytest.fixture(scope="module")
def site():
    with DemoSite() as running:
        yield running


@pytest.fixture(scope="module")
def sources(site):
    return {s["id"]: s for s in tomllib.loads(site.sources_toml())["source"]}


def sitemap_locs(url: str) -> list[str]:
    """All <loc> URLs, following a sitemap index one level down."""
    status, _, body = fetch(url)
    assert status == 200, url
    root = ET.fromstring(body)
    locs = [loc.text for loc in root.iter(f"{SM}loc")]
    if root.tag == f"{SM}sitemapindex":
        return [loc for child in locs for loc in sitemap_locs(child)]
    return locs


def test_sources_toml_lists_every_outlet_with_crawler_fields(site, sources):
    assert set(sources) == {"beacon", "harbour", "ledger", "dongfang", "qiantang", "weigang"}
    fields = {"id", "name", "homepage", "country", "language", "kind", "feeds", "sitemaps", "start_urls",
              "allowed_domains"}
    for outlet in site.outlets:
        source = sources[outlet.id]
        assert set(source) == fields
        assert source["homepage"] == outlet.base_url == source["start_urls"][0]
        assert source["allowed_domains"][0] == "127.0.0.1"
        assert source["allowed_domains"][1].endswith(".example")
    assert sources["ledger"]["feeds"][0].endswith("/atom.xml")


def test_every_outlet_serves_home_robots_feed_and_sitemaps(site, sources):
    for outlet in site.outlets:
        assert fetch(outlet.base_url)[0] == 200
        status, _, robots = fetch(outlet.base_url + "robots.txt")
        assert status == 200
        assert "Disallow: /private/" in robots.decode()
        assert f"Sitemap: {outlet.base_url}sitemap.xml" in robots.decode()

        status, _, feed = fetch(sources[outlet.id]["feeds"][0])
        assert status == 200
        feed_root = ET.fromstring(feed)
        feed_links = [e.text for e in feed_root.iter("link")] + [
            e.get("href") for e in feed_root.iter("{http://www.w3.org/2005/Atom}link")]
        locs = sitemap_locs(sources[outlet.id]["sitemaps"][0])

        public = {a.url for a in site.articles if a.outlet == outlet.id and not a.disallowed}
        assert public <= set(locs)
        assert public <= {link.split("?")[0] for link in feed_links}
        assert not any("/private/" in url for url in locs + feed_links)


def test_beacon_sitemap_is_an_index_with_google_news_entries(site):
    beacon = site.outlets[0]
    index = ET.fromstring(fetch(beacon.base_url + "sitemap.xml")[2])
    assert index.tag == f"{SM}sitemapindex"
    news = fetch(beacon.base_url + "sitemap-news.xml")[2]
    assert b"<news:news>" in news and b"<lastmod>" in news


def test_every_article_is_served_with_its_title_and_text(site):
    assert len(site.articles) == len(load_articles())
    for a in site.articles:
        status, headers, body = fetch(a.url)
        assert status == 200, a.url
        assert "ETag" in headers and "Last-Modified" in headers
        page = decode(a.outlet, body)
        assert a.title in page, a.url
        assert f'<link rel="canonical" href="{a.canonical_url}"' in page
        assert a.paragraphs[0] in page
        assert (a.paragraphs[-1] in page) == (a.kind != "paywall"), a.url
        assert ("免费在线观看高清视频" in page) == a.spam_block, a.url


def test_dongfang_pages_are_gbk_without_charset_header(site):
    dongfang = next(o for o in site.outlets if o.id == "dongfang")
    chinese = next(a for a in site.articles if a.outlet == "dongfang" and a.language == "zh")
    for url in (dongfang.base_url, chinese.url):
        status, headers, body = fetch(url)
        assert status == 200
        assert headers["Content-Type"] == "text/html"
        assert '<meta charset="gbk">' in body.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        fetch(chinese.url)[2].decode("utf-8")
    assert chinese.title in fetch(chinese.url)[2].decode("gbk")


def test_conditional_requests_get_304(site):
    url = site.articles[0].url
    _, headers, _ = fetch(url)
    status, _, body = fetch(url, If_None_Match=headers["ETag"])
    assert (status, body) == (304, b"")
    assert fetch(url, If_Modified_Since=headers["Last-Modified"])[0] == 304
    assert fetch(url, If_Modified_Since="Mon, 01 Jan 2001 00:00:00 GMT")[0] == 200
    assert fetch(url, If_None_Match='"stale"')[0] == 200


def test_unknown_path_is_404(site):
    for outlet in site.outlets:
        assert fetch(outlet.base_url + "no/such/page.html")[0] == 404


def test_private_page_is_linked_but_forbidden_by_robots(site):
    private = [a for a in site.articles if a.disallowed]
    assert private and all("/private/" in a.url for a in private)
    for a in private:
        base = a.url.split("/private/")[0] + "/"
        robots = urllib.robotparser.RobotFileParser()
        robots.parse(fetch(base + "robots.txt")[2].decode().splitlines())
        assert not robots.can_fetch("*", a.url)
        assert robots.can_fetch("*", base)


def crawl_listings(site, outlet) -> set[str]:
    """Every href on the outlet's listing pages (home, sections, pagination)."""
    articles = {a.url for a in site.articles}
    todo, seen, hrefs = [outlet.base_url], set(), set()
    while todo:
        url = todo.pop()
        seen.add(url)
        found = set(re.findall(r'href="([^"]+)"', decode(outlet.id, fetch(url)[2])))
        hrefs |= found
        todo += [h for h in found if h.startswith(outlet.base_url) and h not in articles | seen
                 and not re.search(r"[?#]|/amp/|\.xml$", h)]
    return hrefs


def test_listings_link_all_articles_with_tracking_parameters_and_fragments(site):
    for outlet in site.outlets:
        hrefs = crawl_listings(site, outlet)
        articles = [a for a in site.articles if a.outlet == outlet.id]
        assert {a.url for a in articles} <= hrefs  # including /private/ pages
        assert any("?utm_source=homepage&utm_medium=" in h for h in hrefs)
        assert {a.url + "#comments" for a in articles if a.comments} <= hrefs


def test_harbour_amp_pages_point_back_to_the_canonical_article(site):
    article = next(a for a in site.articles if a.outlet == "harbour")
    page = fetch(article.url)[2].decode()
    amp_url = re.search(r'<link rel="amphtml" href="([^"]+)"', page).group(1)
    assert "/amp/" in amp_url
    status, _, amp = fetch(amp_url)
    assert status == 200
    assert f'<link rel="canonical" href="{article.canonical_url}">' in amp.decode()


def test_ground_truth_special_cases_are_present():
    articles = {a.slug: a for a in load_articles()}
    copy = articles["china-lawmakers-review-credit-law"]
    assert articles[copy.syndicated_from].author == "" and copy.outlet != articles[copy.syndicated_from].outlet
    assert {a.outlet for a in articles.values() if not a.relevant} >= {"harbour", "ledger"}
    assert any(a.kind == "paywall" for a in articles.values())
    assert sum(a.language == "zh" and a.outlet == "dongfang" for a in articles.values()) >= 2

    text = " ".join(articles["county-court-wechat-notices-id-numbers"].paragraphs)
    id_number = re.search(r"\b\d{17}[\dX]\b", text).group()
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    assert "10X98765432"[sum(int(d) * w for d, w in zip(id_number, weights)) % 11] == id_number[-1]
    assert "138-0311-4726" in text


@pytest.mark.parametrize(
    "content, field",
    [
        ('slug = "x"\noutlet = "beacon"\ntitle = ', "not valid UTF-8 TOML"),
        ('slug = "broken"\noutlet = "beacon"\n', "'title': missing"),
        ("slug = 5\n", "'slug': expected str"),
    ],
)
def test_load_articles_names_file_and_field_on_bad_data(tmp_path, content, field):
    (tmp_path / "beacon").mkdir()
    (tmp_path / "beacon" / "broken.toml").write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(field)) as error:
        load_articles(tmp_path)
    assert "broken.toml" in str(error.value)
