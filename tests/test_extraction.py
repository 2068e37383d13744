"""Extraction on hand-written pages: clean text, metadata, page kinds, failures."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from nlp.extraction import (
    Extraction,
    content_hash,
    count_words,
    extract_page,
    extract_pages,
    extraction_json,
)
from nlp.dates import parse_published
from nlp.standfirst import with_lead

PARAGRAPHS = [
    "The provincial high court said on Tuesday that it had removed 1,204 people from its list of "
    "dishonest judgment debtors after they repaid what they owed or reached settlements with creditors.",
    "Officials said the list, which bars people from buying plane and train tickets, had grown too long "
    "to manage and that many entries concerned debts that had already been settled years ago.",
    "Lawyers welcomed the review but said people who were listed by mistake still had no simple way "
    "to appeal, and that the court's online portal often failed to load for hours at a time.",
    "The court plans a second review in the spring and will publish the number of people removed.",
]
SPAM_TITLES = ["免费在线观看高清视频", "最新彩票平台注册送彩金", "手机号码测吉凶免费查询", "网赚项目日赚五百元",
               "正规代开发票联系方式", "足球比分直播免费看", "时时彩计划软件下载"]


def article_html(paragraphs=PARAGRAPHS, extra_body: str = "", head_extra: str = "") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    spam = " | ".join(f'<a href="http://spam{i}.example/">{t}</a>' for i, t in enumerate(SPAM_TITLES))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Court clears 1,204 debtors from blacklist | The Test Gazette</title>
<meta property="og:type" content="article">
<meta property="og:title" content="Court clears 1,204 debtors from blacklist">
<meta property="og:site_name" content="The Test Gazette">
<meta property="og:image" content="https://gazette.example/img/court.jpg">
<meta name="description" content="A provincial court trims its list of dishonest debtors.">
<meta name="author" content="Jane Roe">
<meta name="keywords" content="courts, blacklist">
<meta property="article:published_time" content="2024-03-05T09:30:00+08:00">
<meta property="article:section" content="China">
{head_extra}</head><body>
<div class="cookie-banner"><p>We use cookies to improve your experience. Accept all cookies.</p></div>
<nav><a href="/">Home</a> <a href="/china/">China</a> <a href="/world/">World</a></nav>
<main><article>
<h1>Court clears 1,204 debtors from blacklist</h1>
<p class="byline">By Jane Roe</p>
{body}
<div class="share"><p>Share this article</p><p>Facebook Twitter WhatsApp Email</p></div>
<div class="rel-links">{spam}</div>
<p><a href="#top">Back to top</a></p>
{extra_body}
</article></main>
<section class="comments"><h3>Comments</h3><p>Reader42: This is outrageous and the court should do more about it.</p></section>
<footer><p>Copyright © 2024 The Test Gazette Ltd. All rights reserved.</p></footer>
</body></html>"""


def test_article_text_is_clean_and_complete():
    extraction = extract_page(article_html(), "https://gazette.example/2024/03/05/court-clears-debtors", "gazette")
    assert extraction.page_kind == "article", extraction.reason
    text = extraction.article.text
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    assert text.split("\n")[-1] == PARAGRAPHS[-1]  # nothing after the last paragraph
    for furniture in ["Share this", "Facebook", "Back to top", "Copyright", "cookies", "Reader42"] + SPAM_TITLES:
        assert furniture not in text


def test_article_metadata():
    url = "https://gazette.example/2024/03/05/court-clears-debtors"
    article = extract_page(article_html(), url, "gazette").article
    assert article.article_id and article.url == url and article.source == "gazette"
    assert article.title == "Court clears 1,204 debtors from blacklist"
    assert article.author == "Jane Roe"
    assert article.published_at == datetime(2024, 3, 5, 1, 30, tzinfo=timezone.utc)
    assert article.language == "en"
    assert article.sitename == "The Test Gazette"
    assert article.description == "A provincial court trims its list of dishonest debtors."
    assert article.image == "https://gazette.example/img/court.jpg"
    assert "courts" in article.tags and "blacklist" in article.tags
    assert article.categories == ["China"]
    assert article.word_count == count_words(article.text) > 100
    assert article.content_hash == content_hash(article.text)
    assert article.duplicate_of is None and article.is_relevant is True


def test_spam_joined_by_bars_in_text_is_removed_even_without_links():
    spam_line = "<p>" + "| ".join(SPAM_TITLES) + "</p>"
    extraction = extract_page(article_html(extra_body=spam_line), "https://gazette.example/a/1")
    assert not any(title in extraction.article.text for title in SPAM_TITLES)


def test_chinese_article_language_and_word_count():
    paragraphs = ["最高人民法院表示，今年已有一千二百余名失信被执行人在履行义务后被移出名单。" * 2,
                  "法院称，名单限制当事人乘坐飞机和高铁，部分记录早已过时，需要定期清理。" * 2,
                  "律师表示欢迎这一做法，但认为被错误列入名单的人仍缺乏简便的申诉渠道。" * 2]
    html = article_html(paragraphs).replace('lang="en"', 'lang="zh-CN"').replace("Jane Roe", "刘洋")
    article = extract_page(html, "https://gazette.example/zh/1").article
    assert article.language == "zh"
    assert article.author == "刘洋"  # trafilatura drops one-word authors, i.e. every Chinese name
    cjk = sum(1 for ch in article.text if "\u4e00" <= ch <= "\u9fff")
    assert abs(article.word_count - cjk / 2) <= 0.1 * cjk


def test_impossible_dates_are_rejected():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert parse_published("2025-12-31T23:00:00+00:00", now) == datetime(2025, 12, 31, 23, tzinfo=timezone.utc)
    assert parse_published("2026-02-01", now) is None
    assert parse_published("1989-12-31", now) is None
    assert parse_published("not a date", now) is None
    assert parse_published("2020-05-01T08:00:00", now).tzinfo is timezone.utc
    future = article_html().replace("2024-03-05T09:30:00+08:00", "2999-03-05T09:30:00+08:00")
    assert extract_page(future, "https://gazette.example/a/2").article.published_at is None


def listing_html() -> str:
    items = "\n".join(
        f'<li class="teaser"><h3><a href="/2024/03/0{i}/story-{i}.html">Headline number {i} about credit repair rules</a></h3>'
        f"<p>Summary {i}: regulators describe how people may leave the blacklist after paying debts.</p>"
        f'<span class="date">2024-03-0{i}</span></li>'
        for i in range(1, 9)
    )
    return f"""<html><head><title>China news | The Test Gazette</title>
<meta property="og:type" content="website"></head><body>
<nav><a href="/">Home</a></nav><main><h1>China</h1><ul class="stories">{items}</ul></main></body></html>"""


def test_listing_page_is_not_an_article():
    extraction = extract_page(listing_html(), "https://gazette.example/news/china/latest")
    assert extraction.page_kind == "listing" and extraction.article is None
    assert extraction.reason.startswith("listing")


def index_page_html(introduction: list[str]) -> str:
    """A page of headline links to other stories (in a sidebar, not in the text
    trafilatura keeps) above an introduction of its own."""
    links = "\n".join(f'<div class="tile"><a href="/2024/03/0{i}/story-{i}.html">Headline number {i} about '
                      f"credit repair rules</a></div>" for i in range(1, 7))
    body = "\n".join(f"<p>{p}</p>" for p in introduction)
    return f"""<html><head><title>Credit blacklists | The Test Gazette</title></head><body>
<main><h1>Credit blacklists</h1>{body}</main><aside>{links}</aside></body></html>"""


def test_index_url_with_a_lead_paragraph_is_a_listing():
    lead = ["Our coverage of the court blacklists of dishonest debtors, the travel bans they bring "
            "and the people trying to get their names removed from them."]
    extraction = extract_page(index_page_html(lead), "https://gazette.example/tag/blacklists/")
    assert extraction.page_kind == "listing", extraction.reason
    assert extraction.reason.startswith("listing: index URL")


def test_index_url_whose_text_reads_as_a_story_is_an_article():
    """A site's home page that is one long introduction (an organisation's or a blog's) is
    content, whatever its URL says."""
    extraction = extract_page(index_page_html(PARAGRAPHS * 2), "https://gazette.example/")
    assert extraction.page_kind == "article", extraction.reason
    assert PARAGRAPHS[0] in extraction.article.text


def test_paywall_stub_is_not_an_article():
    box = ('<div class="paywall"><h3>This article is for subscribers</h3>'
           '<p>Subscribe for unlimited access.</p><a href="/login">Already a subscriber? Sign in</a></div>')
    extraction = extract_page(article_html(PARAGRAPHS[:1], extra_body=box), "https://gazette.example/a/3")
    assert extraction.page_kind == "paywall", extraction.reason


def test_error_page_is_not_an_article():
    html = ("<html><head><title>404 Not Found</title></head><body><h1>Page not found</h1>"
            "<p>Sorry, the page you were looking for has moved or never existed. Try the search box.</p></body></html>")
    extraction = extract_page(html, "https://gazette.example/missing")
    assert extraction.page_kind == "error_page" and extraction.reason.startswith("error page")


def test_short_page_is_too_short():
    html = "<html><head><title>Notice</title></head><body><p>The site will be down for maintenance tonight.</p></body></html>"
    assert extract_page(html, "https://gazette.example/notice").page_kind == "too_short"


def test_bad_input_fails_with_reason_and_never_raises():
    for html in ["", "   ", "\x00\x01\x02", "<html><body>" + "<div>" * 50000 + "x", "<<<>>>&&&"]:
        extraction = extract_page(html, "https://gazette.example/bad")
        assert extraction.page_kind in {"failed", "too_short"}
        assert extraction.article is None and extraction.reason


def test_xml_documents_are_not_pages():
    sitemap = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               + "".join(f"<url><loc>https://gazette.example/a/{i}</loc><lastmod>2024-03-0{i % 9 + 1}</lastmod></url>"
                         for i in range(60)) + "</urlset>")
    extraction = extract_page(sitemap, "https://gazette.example/sitemap.xml")
    assert extraction.page_kind == "not_html" and extraction.article is None
    xhtml = '<?xml version="1.0" encoding="utf-8"?>\n' + article_html()
    assert extract_page(xhtml, "https://gazette.example/a/5").page_kind == "article"


def test_extraction_json_shows_what_is_stored():
    row = extraction_json("page.html", extract_page(article_html(), "https://gazette.example/a/4"))
    assert {"path", "url", "title", "author", "date", "language", "sitename", "text", "page_kind", "reason"} <= set(row)
    assert row["date"] == "2024-03-05T01:30:00+00:00" and row["page_kind"] == "article"
    failed = extraction_json("x.html", Extraction("failed", None, "timeout after 30s"))
    assert failed["reason"] == "timeout after 30s" and failed["text"] is None
    listing = extraction_json("list.html", extract_page(listing_html(), "https://gazette.example/news/china/latest"))
    assert listing["page_kind"] == "listing" and listing["title"] is None
    assert "Summary 1: regulators describe" in listing["text"]  # the teaser cards it was judged on


@pytest.mark.slow
def test_extract_pages_survives_a_page_that_times_out():
    slow = "<html><body>" + "".join(
        f'<div class="c{i % 7}"><p>Paragraph {i} has some words in it to parse and score.</p><a href="/x{i}">link {i}</a></div>'
        for i in range(30000)) + "</body></html>"
    items = [(f"https://gazette.example/a/{i}", article_html(), "gazette") for i in range(4)]
    items.insert(1, ("https://gazette.example/slow", slow, "gazette"))
    results = dict(extract_pages(iter(items), workers=2, timeout=2.0))
    assert set(results) == {url for url, _, _ in items}
    assert results["https://gazette.example/slow"] == Extraction("failed", None, "timeout after 2s")
    assert all(results[f"https://gazette.example/a/{i}"].page_kind == "article" for i in range(4))


TABLE_PARAGRAPHS = [
    "The intermediate court in Wenzhou said on Friday that 2,310 companies had been removed from its list of "
    "dishonest judgment debtors this year after settling with their creditors or repaying what they owed.",
    "Firms on the list cannot bid for government contracts, issue bonds or receive subsidies, and their legal "
    "representatives are barred from flights, high-speed trains and luxury hotels until the debt is cleared.",
    "The court said a new online procedure lets a company apply for removal as soon as it has paid, with a "
    "decision promised within three working days instead of the month the paper process used to take.",
    "Business owners welcomed the faster procedure but said the list should also show when an entry was "
    "removed, because lenders and partners often rely on old copies saved by commercial data services.",
]
HOT_STORIES = ["Court names another forty firms on the list", "Credit repair scams exposed in three cities",
               "New rules for debt collectors take effect", "Debtors barred from flights rises to ten million",
               "Bank loans tied to corporate credit scores"]
DATA_TABLE = ("<table border='1' cellpadding='4' width='100%'><tr><th>Year</th><th>Firms listed</th><th>Firms removed</th></tr>"
              "<tr><td>2022</td><td>5,120</td><td>1,480</td></tr><tr><td>2023</td><td>4,870</td><td>2,310</td></tr></table>")


def table_layout_html(article_extra: str = "") -> str:
    """An old portal's page laid out with tables: a breadcrumb row, the story in one cell, a
    ranked list of hot stories in the cell beside it, an editor credit and a footer."""
    paragraphs = "\n".join(f"<p>{p}</p>" for p in TABLE_PARAGRAPHS)
    hot = "\n".join(f'<li><a href="/content/2024-05/0{i}/content_{i}.htm">{t}</a></li>' for i, t in enumerate(HOT_STORIES, 1))
    return f"""<html><head><meta charset="utf-8"><title>Wenzhou court clears 2,310 firms from blacklist_Eastern Daily</title>
</head><body>
<table width="1000" border="0" cellspacing="0" cellpadding="0" align="center">
<tr><td>当前位置 Location: <a href="/">首页</a> &gt; <a href="/china/">China</a> &gt; 正文</td></tr>
</table>
<table width="1000" border="0" cellspacing="0" cellpadding="0" align="center">
<tr>
<td width="680" valign="top">
<h1>Wenzhou court clears 2,310 firms from blacklist</h1>
<div>2024-05-10 09:12 &nbsp; 来源 Source: Eastern Daily &nbsp; 作者 Author: Chen Hao</div>
{paragraphs}
{article_extra}
<div>（责任编辑：李明 Editor: Li Ming）</div>
</td>
<td width="20"></td>
<td width="300" valign="top">
<div>热点排行 Hot stories</div>
<ol>{hot}</ol>
</td>
</tr>
</table>
<div class="bottom">
<p><a href="/about">关于我们 About us</a> | <a href="/contact">联系我们 Contact</a> | <a href="/map">网站地图 Site map</a></p>
<p>Eastern Daily 版权所有 Copyright &copy; 2004-2024. All Rights Reserved.</p>
<p>未经授权禁止转载、摘编、复制或建立镜像</p>
</div>
</body></html>"""


def test_table_layout_page_gives_the_story_one_paragraph_a_line():
    extraction = extract_page(table_layout_html(), "https://daily.example/content/2024-05/10/content_1.htm")
    assert extraction.page_kind == "article", extraction.reason
    assert extraction.article.text == "\n".join(TABLE_PARAGRAPHS)
    assert extraction.article.title == "Wenzhou court clears 2,310 firms from blacklist"


def test_data_table_inside_a_layout_table_is_kept_as_a_table():
    text = extract_page(table_layout_html(DATA_TABLE), "https://daily.example/content/2024-05/10/content_2.htm").article.text
    assert text.split("\n")[:4] == TABLE_PARAGRAPHS
    assert "| Year | Firms listed | Firms removed |" in text
    assert "| 2023 | 4,870 | 2,310 |" in text


def test_text_and_title_are_stored_in_nfc():
    """One letter, two spellings: Bengali YYA precomposed (U+09DF) and as YA + NUKTA; NFC
    keeps the second, so search and duplicate checks see one form whichever a page used."""
    decomposed, precomposed = "\u09af\u09bc", "\u09df"
    paragraphs = [p.replace("court", f"court ({precomposed})") for p in PARAGRAPHS]
    html = article_html(paragraphs).replace("<title>Court", f"<title>{precomposed} Court")
    html = html.replace('<meta property="og:title" content="Court', f'<meta property="og:title" content="{precomposed} Court')
    article = extract_page(html, "https://gazette.example/a/nfc").article
    assert precomposed not in article.text and f"court ({decomposed})" in article.text
    assert precomposed not in article.title and article.title.startswith(decomposed)


LEAD = "A provincial court trims its list of dishonest debtors after a review of settled cases."


def test_standfirst_trafilatura_drops_opens_the_text():
    """The lead in a block named like a listing's teaser; the page's description repeats it."""
    html = article_html().replace('<p class="byline">By Jane Roe</p>',
                                  f'<p class="byline">By Jane Roe</p><div class="article-teaser"><p>{LEAD}</p></div>')
    html = html.replace('content="A provincial court trims its list of dishonest debtors."', f'content="{LEAD}"')
    lines = extract_page(html, "https://gazette.example/a/lead").article.text.split("\n")
    assert lines[:3] == ["Court clears 1,204 debtors from blacklist", LEAD, PARAGRAPHS[0]]  # in its place


def test_description_not_shown_on_the_page_is_not_added():
    html = article_html().replace('content="A provincial court trims its list of dishonest debtors."', f'content="{LEAD}"')
    assert LEAD not in extract_page(html, "https://gazette.example/a/no-lead").article.text


def test_lead_already_in_the_text_is_not_repeated():
    html = article_html().replace('content="A provincial court trims its list of dishonest debtors."',
                                  f'content="{PARAGRAPHS[0]}"')
    lines = extract_page(html, "https://gazette.example/a/first").article.text.split("\n")
    assert lines[1:3] == PARAGRAPHS[:2] and lines.count(PARAGRAPHS[0]) == 1


def test_lead_outside_the_main_block_is_put_first():
    """A lead in the page header, above the <article> trafilatura takes as the main block."""
    html = article_html().replace("<main><article>", f'<main><header class="intro"><p>{LEAD}</p></header><article>')
    html = html.replace('content="A provincial court trims its list of dishonest debtors."', f'content="{LEAD}"')
    lines = extract_page(html, "https://gazette.example/a/header-lead").article.text.split("\n")
    assert lines.count(LEAD) == 1 and lines.index(LEAD) < lines.index(PARAGRAPHS[0])


def test_with_lead_goes_after_the_headline():
    assert with_lead("Headline\nBody.", "The lead.", "Headline") == "Headline\nThe lead.\nBody."
    assert with_lead("Body.", "The lead.", "Headline") == "The lead.\nBody."
    assert with_lead("", "The lead.", "Headline") == ""
