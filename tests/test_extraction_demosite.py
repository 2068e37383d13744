"""Extraction and de-duplication on the demo news site: realistic templates with known truth."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from importlib import resources

import pytest
from trafilatura.utils import decode_file

from creditlens.demosite import DemoSite
from nlp.dedup import DuplicateIndex
from nlp.extraction import extract_pages


pytestmark = pytest.mark.slow  # serves and extracts the whole demo site

# Never route 127.0.0.1 through an http_proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str) -> str:
    try:
        response = _OPENER.open(url, timeout=10)
    except urllib.error.HTTPError as error:  # error pages still have a body to classify
        response = error
    charset = response.headers.get_content_charset()
    body = response.read()
    return body.decode(charset) if charset else decode_file(body)  # GBK pages declare it in <meta> only


def linked_pages(html: str, base: str) -> set[str]:
    """Same-site HTML pages a home page links to (feeds and sitemaps are not HTML pages)."""
    links = {urllib.parse.urljoin(base, href).split("#")[0].split("?")[0] for href in re.findall(r'href="([^"]+)"', html)}
    return {url for url in links if url.startswith(base) and not url.endswith((".xml", ".css", ".js"))}


@pytest.fixture(scope="module")
def site_pages():
    with DemoSite() as site:
        urls = [a.url for a in site.articles]
        urls += [o.base_url for o in site.outlets] + [o.base_url + "no-such-page.html" for o in site.outlets]
        pages = {url: fetch(url) for url in urls}
        for outlet in site.outlets:  # section fronts and pagination linked from the home page
            for url in linked_pages(pages[outlet.base_url], outlet.base_url):
                pages.setdefault(url, fetch(url))
        extractions = dict(extract_pages(((url, html, None) for url, html in pages.items()), workers=2))
        yield site, extractions


def test_articles_are_extracted_with_their_metadata(site_pages):
    site, extractions = site_pages
    for expected in site.articles:
        extraction = extractions[expected.url]
        if expected.kind != "article":
            continue
        assert extraction.page_kind == "article", (expected.url, extraction.reason)
        article = extraction.article
        assert article.title == expected.title
        assert article.language == expected.language
        assert (article.author or "") == expected.author
        assert abs(article.published_at - expected.published) <= timedelta(days=1)
        assert expected.paragraphs[0][:60] in article.text and expected.paragraphs[-1][-60:] in article.text
        for comment in expected.comments:
            assert comment.text not in article.text


def test_table_layout_outlet_gives_the_story_alone_one_paragraph_a_line(site_pages):
    """dongfang lays its pages out with tables: breadcrumb row, story cell, sidebar cell."""
    site, extractions = site_pages
    laid_out = [a for a in site.articles if a.outlet == "dongfang" and a.kind == "article"]
    assert laid_out
    for expected in laid_out:
        text = extractions[expected.url].article.text
        assert text.split("\n") == list(expected.paragraphs), expected.url  # nothing else, one a line
        for furniture in ["当前位置", "Location:", "首页 >", "责任编辑", "Editor:", "热点排行", "相关新闻",
                          "关于我们", "网站地图", "版权所有", "未经授权禁止转载"]:
            assert furniture not in text, (expected.url, furniture)
    long_stories = [a for a in laid_out if a.language == "en"]  # 8-9 paragraphs, once run together on ~3 lines
    assert long_stories and all(len(extractions[a.url].article.text.split("\n")) >= 5 for a in long_stories)


def test_chinese_outlets_give_the_story_alone(site_pages):
    """qiantang (GB18030) and weigang (traditional characters) wrap stories in their own furniture."""
    site, extractions = site_pages
    furniture = {"qiantang": ["您现在的位置", "来源：钱塘法治报", "编辑：陈晓", "打印本页", "相关阅读", "本周热读",
                              "扫码关注", "版权所有", "举报电话"],
                 "weigang": ["Cookies", "分享：", "相關新聞", "熱門新聞", "版權所有", "私隱政策", "廣告"]}
    for outlet, words in furniture.items():
        stories = [a for a in site.articles if a.outlet == outlet]
        assert len(stories) >= 6
        for expected in stories:
            text = extractions[expected.url].article.text
            lines = text.split("\n")
            assert lines[lines[0] == expected.title:] == list(expected.paragraphs), expected.url  # headline may lead
            assert not [w for w in words if w in text], expected.url


def test_paywall_stubs_listings_and_error_pages_are_not_articles(site_pages):
    site, extractions = site_pages
    for expected in site.articles:
        if expected.kind == "paywall":
            assert extractions[expected.url].page_kind == "paywall"
    for outlet in site.outlets:
        assert extractions[outlet.base_url].page_kind == "listing", extractions[outlet.base_url].reason
        assert extractions[outlet.base_url + "no-such-page.html"].page_kind == "error_page"
    article_urls = {a.url for a in site.articles}
    others = {url: e for url, e in extractions.items() if url not in article_urls}
    assert len(others) > 3 * len(site.outlets)  # home, 404 page, sections, later pages
    for url, extraction in others.items():
        assert extraction.page_kind != "article", (url, extraction.article.text[:200])


def test_injected_spam_never_reaches_the_text(site_pages):
    site, extractions = site_pages
    spam = (resources.files("creditlens.demosite") / "templates" / "spam_links.txt").read_text(encoding="utf-8").split()
    spammed = [a for a in site.articles if a.spam_block]
    assert spammed
    for expected in spammed:
        text = extractions[expected.url].article.text
        assert not any(title in text for title in spam)


def test_syndicated_copies_point_at_the_original(site_pages, tmp_path):
    site, extractions = site_pages
    articles = [e.article for e in extractions.values() if e.article is not None]
    DuplicateIndex.open(tmp_path).assign(articles)
    by_url = {a.url: a for a in articles}
    by_slug = {a.slug: by_url[a.url] for a in site.articles if a.url in by_url}
    syndicated = [a for a in site.articles if a.syndicated_from and a.url in by_url]
    assert syndicated
    for expected in syndicated:
        assert by_url[expected.url].duplicate_of == by_slug[expected.syndicated_from].article_id
    originals = {by_slug[a.syndicated_from].article_id for a in syndicated}
    assert all(a.duplicate_of is None for a in articles if a.article_id in originals)
    grouped = {a.url for a in articles if a.duplicate_of}
    assert grouped == {a.url for a in syndicated}
