"""Line rules of nlp/boilerplate and the language rules of nlp/language, on hand-written lines."""

from __future__ import annotations

from lxml import html as lxml_html

from nlp.boilerplate import remove_link_farms, strip_boilerplate
from nlp.language import detect_language
from nlp.layouttables import is_layout_table, unwrap_layout_tables

STORY = "The court removed 1,204 people from the list after they repaid their debts, officials said."


def test_furniture_lines_go_and_story_lines_stay():
    furniture = [
        "Share this article", "Share: Facebook Twitter Email", "↑ Back to top", "Top", "Follow us on Weibo",
        "分享到微信", "返回顶部", "© 2024 The Test Gazette. All rights reserved.", "Copyright 2024 Gazette Media Ltd",
        "京ICP备12345678号", "Read more: Courts trim blacklists in three provinces", "Related stories",
        "Never miss the latest news by signing up to our newsletter today!",
        "主站蜘蛛池模板: 免费在线观看| 最新彩票平台| 网赚项目日赚",
        "免费在线观看高清视频 | 最新彩票平台注册送彩金 | 手机号码测吉凶免费查询 | 网赚项目日赚五百元",
        "Home | World | China | Business | Opinion", "Photo: Reuters/Jane Roe", "Next article", "上一篇：法院清理名单",
        "Last updated: 5 March 2024",
        "当前位置 Location: 首页 > China > 正文", "您现在的位置：首页 >> 国内新闻", "Home > News > China", "You are here: News",
        "（责任编辑：王静 Editor: Wang Jing）", "责任编辑：王静", "(Editor: Wang Jing)",
        "未经授权禁止转载、摘编、复制或建立镜像", "转载请注明出处",
        "关于我们 About | 联系我们 Contact | 网站地图 Site map", "About us | Contact us | Privacy policy | Terms of use",
    ]
    story = [STORY, "Top officials said the review would continue.", "Share prices of listed lenders rose 3%.",
             "| Province | Listed | Removed |", "| Hebei | 1,020 | 210 |",
             "The photo is © Reuters, which licensed it to several outlets that printed it in full on Monday.",
             "Editors at the paper said the list had been checked twice.", "Homeowners > renters, the survey found.",
             "Contact tracing | a new front for the credit bureaus"]
    assert strip_boilerplate("\n".join(story[:2] + furniture + story[2:])).split("\n") == story


def test_link_farm_blocks_are_cut_from_the_tree_with_their_surroundings_kept():
    titles = ["免费在线观看高清视频", "最新彩票平台注册送彩金", "手机号码测吉凶免费查询", "网赚项目日赚五百元", "正规代开发票联系方式"]
    spam = " ".join(f'<a href="http://s{i}.example/">{t}</a>' for i, t in enumerate(titles))
    tree = lxml_html.fromstring(
        f"<html><body><article><p>{STORY}</p><div>{spam}</div> tail text"
        f'<p>See <a href="/a">法院</a> and <a href="/b">信用</a>.</p></article></body></html>'
    )
    assert remove_link_farms(tree) == 1
    text = tree.text_content()
    assert STORY in text and "tail text" in text and "法院" in text
    assert not any(t in text for t in titles)


def test_language_of_english_with_chinese_names_and_of_chinese():
    assert detect_language(STORY + " The list is known as 失信被执行人名单 in Chinese.") == "en"
    assert detect_language("最高人民法院表示，今年已有一千二百余名失信被执行人被移出名单。") == "zh"
    assert detect_language("信用スコアの導入について、政府は慎重な姿勢を示した。") == "ja"
    assert detect_language("Das Gericht hat die Liste der säumigen Schuldner gekürzt, sagten Beamte.") == "de"
    assert detect_language("12345 --- !!!") is None


def test_layout_tables_are_unwrapped_and_data_tables_kept():
    story = "".join(f"<p>{STORY}</p>" for _ in range(3))
    frame = (f"<table width='1000' cellpadding='0'><tr><td width='680' valign='top'><h1>Title</h1>{story}</td>"
             "<td width='300'><ul><li><a href='/a'>Hot story</a></li></ul></td></tr></table>")
    # a frame around inline text: nothing runs together, nothing to unwrap
    crumb = "<table width='1000'><tr><td>当前位置: <a href='/'>首页</a> &gt; 正文</td></tr></table>"
    data = ("<table border='1'><tr><td>Hebei</td><td>1,020</td></tr><tr><td>Henan</td><td>980</td></tr>"
            "<tr><td><div><p>Hubei</p></div></td><td><p>410</p><div><img src='x.png'></div></td></tr></table>")
    headed = f"<table><tr><th>Province</th></tr><tr><td>{story}</td></tr></table>"
    # one long cell of several paragraphs among many short ones is still a cell of a grid
    schedule = ("<table>" + "".join(f"<tr><td>0{n}.03.</td><td>{STORY}</td></tr>" for n in range(1, 7))
                + f"<tr><td>07.03.</td><td><p>{STORY}</p><p>{STORY[:60]}</p></td></tr></table>")
    tables = {name: lxml_html.fromstring(html) for name, html in
              {"frame": frame, "crumb": crumb, "data": data, "headed": headed, "schedule": schedule}.items()}
    assert {name: is_layout_table(t) for name, t in tables.items()} == {
        "frame": True, "crumb": False, "data": False, "headed": False, "schedule": False}

    inline_story = "<br><br>".join([STORY] * 3)
    nested = (f"<table width='1000'><tr><td width='680'><h2>Title</h2>{story}{data}</td>"
              f"<td width='300'>Side</td></tr><tr><td colspan='2'>Footer</td></tr></table>"
              f"<table width='1000'><tr><td>{inline_story}</td><td><ol><li>Hot story</li></ol></td></tr></table>")
    tree = lxml_html.fromstring(f"<html><body>{nested}</body></html>")
    assert unwrap_layout_tables(tree) == 2
    assert [t.xpath("string(.//td)") for t in tree.iter("table")] == ["Hebei"]
    cells = tree.xpath("/html/body/div/div/*")
    assert [cell.tag for cell in cells] == ["div", "p", "p", "p", "div"]  # a cell of inline text is a paragraph
    assert cells[3].text_content() == STORY * 3
