"""Chinese terms of the bundled taxonomy, on Chinese paragraphs written for these tests."""

import pytest

from nlp.languages.zh_script import simplified
from nlp.themes import Taxonomy


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy.load()


@pytest.mark.parametrize("text, expected", [
    ("法院将其纳入失信被执行人名单，并依法限制购买飞机票和乘坐飞机。这名老赖此后无法出行。",
     {"COURT_DEBTOR_BLACKLIST", "TRAVEL_BAN_FLIGHTS"}),
    ("被执行人被限制购买火车票，不得乘坐高铁和动车，也不能购买高铁票。", {"TRAVEL_BAN_TRAINS"}),
    ("法院发出限制高消费令，被执行人不得入住星级酒店，子女不得就读高收费私立学校。", {"CONSUMPTION_RESTRICTIONS"}),
    ("各部门签署合作备忘录，对失信主体实施联合惩戒，真正做到一处失信，处处受限。", {"JOINT_PUNISHMENT"}),
    ("履行义务后，企业可以提出信用修复申请，依法移出名单，信用修复机构不得收费。", {"CREDIT_REPAIR_APPEALS"}),
    ("守信红名单上的企业享受绿色通道和免押金服务，信易贷也向它们倾斜。", {"RED_LISTS_REWARDS"}),
    ("芝麻信用的信用分和百行征信的个人征信报告，都属于金融征信的范畴。", {"FINANCIAL_CREDIT_SCORING"}),
    ("个人信息保护法实施后，收集敏感个人信息必须取得单独同意，防止个人隐私泄露。", {"PRIVACY_DATA_PROTECTION"}),
    ("多地在火车站和商场的大屏幕上曝光失信被执行人，还开通了失信彩铃。", {"PUBLIC_SHAMING"}),
])
def test_chinese_paragraphs_get_the_themes_a_reader_names(taxonomy, text, expected):
    assert expected <= {theme for theme, _ in taxonomy.score(text)}


def test_a_passing_mention_gives_no_theme(taxonomy):
    assert taxonomy.score("他买了一张飞机票。") == []


def test_traditional_text_scores_like_simplified_once_converted(taxonomy):
    traditional = "法院將其納入失信被執行人名單，並依法限制購買飛機票和乘坐飛機。這名老賴此後無法出行。"
    assert taxonomy.score(simplified(traditional)) == taxonomy.score(
        "法院将其纳入失信被执行人名单，并依法限制购买飞机票和乘坐飞机。这名老赖此后无法出行。")
    assert taxonomy.score(traditional) != taxonomy.score(simplified(traditional))


def test_every_theme_has_chinese_terms(taxonomy):
    assert all(theme.terms.chinese for theme in taxonomy.themes)


def test_the_hong_kong_spelling_of_privacy_is_the_privacy_theme(taxonomy):
    # 私隱 converts to 私隐, not to the mainland 隐私: the HK forms are terms of their own
    text = simplified("私隱專員表示，「老賴地圖」公開他人位置，涉嫌侵犯個人私隱，或違反私隱條例。")
    assert "PRIVACY_DATA_PROTECTION" in {theme for theme, _ in taxonomy.score(text)}
