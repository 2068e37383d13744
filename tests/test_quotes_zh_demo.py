"""Every quote a reader sees in the Chinese demo articles has its speaker, the right one.

The expected speakers were read from the articles (creditlens/demosite/articles/*/*.toml)
by a person, quote by quote, in the order the quotes appear: a named person, an unnamed
member of an organisation (一位法官, 一名代表, 有关负责人, with that organisation), an office
of one (…执行局), or an organisation speaking for itself.  A city that speaks (宿迁市宣布)
is its government; a city a person lives or works in is never their organisation.
"""

from __future__ import annotations

import pytest

from creditlens.demosite.model import load_articles
from nlp.annotate import Annotator

# slug: [(speaker, organisation, how the quote begins), ...] as published (traditional stays traditional)
EXPECTED = {
    "shixin-mingdan-xinyong-xiufu-chaxun": [
        ("有关负责人", "最高人民法院执行局", "失信被执行人"),
        ("有关负责人", "最高人民法院执行局", "纳入名单不是"),
        ("有关负责人", "国家发展改革委", "此次上线的一"),
        ("王女士", None, "她去年因一起"),
        ("王女士", None, "以前要跑好几"),
        ("专家", None, "社会信用体系"),
    ],
    "suqian-xinyong-baogao-tidai-zhengming": [
        ("宿迁市", "宿迁市", "企业在申请上"),
        ("宿迁市发展改革委", "宿迁市发展改革委", "企业通过“信"),
        ("业内人士", None, "以信用报告替"),
    ],
    "qiantang-hongmingdan-xinyidai": [
        ("孙立", "浙江省发展改革委", "我们把纳税信"),
        ("吴建平", None, "公司去年凭借"),
        ("吴建平", None, "以前最怕跑银"),
        ("专家", None, "守信激励不能"),
        ("钱明", "浙江工商大学", "红名单的评价"),
    ],
    "qiantang-juzhi-zui-xihu-fayuan": [
        ("李明", None, "王某2021"),
        ("李明", None, "这类‘老赖’"),
        ("李明", None, "现在通过网络"),
        ("黄涛", "西湖区人民法院", "今年以来该院"),
        ("黄涛", "西湖区人民法院", "对拒不执行的"),
        ("孙慧", "西湖区人民法院", "追究刑事责任"),
        ("孙慧", None, "被执行人在提"),
    ],
    "qiantang-shixin-jipiao-320wan-renci": [
        ("刘建国", "最高人民法院执行局", "被纳入名单的"),
        ("刘建国", "最高人民法院执行局", "过去一年失信"),
        ("刘建国", "最高人民法院执行局", "法院在纳入名"),
        ("最高人民法院执行局", "最高人民法院执行局", "根据自201"),
        ("周华", "浙江大学光华法学院", "名单有进有出"),
        ("最高人民法院", "最高人民法院", "今年晚些时候"),
    ],
    "qiantang-xianzhi-gaoxiaofei-wenda": [
        ("一位法官", "杭州市中级人民法院", "限制高消费令"),
        ("杭州市中级人民法院执行局", "杭州市中级人民法院", "2023年该"),
        ("王志强", "浙江省高级人民法院", "很多人以为只"),
        ("王志强", "浙江省高级人民法院", "被执行人是单"),
        ("王志强", "浙江省高级人民法院", "限制高消费并"),
        ("王志强", "浙江省高级人民法院", "今年以来，全"),
        ("浙江省高级人民法院", "浙江省高级人民法院", "被执行人因本"),
    ],
    "qiantang-xinyong-xiufu-pianju": [
        ("赵丽", None, "她经营的小店"),
        ("赵丽", None, "对方说认识里"),
        ("赵丽", None, "交钱之后对方"),
        ("陈䶮", None, "正规的信用修"),
        ("陈䶮", None, "凡是声称可以"),
        ("国家发展改革委办公厅", "国家发展改革委", "任何机构和个"),
        ("有关负责人", "国家发展改革委", "去年以来全国"),
        ("有关负责人", "浙江省市场监管局", "信用修复要靠"),
    ],
    "qiantang-zhengxin-geren-xinxi": [
        ("中国人民银行征信中心", "中国人民银行征信中心", "截至今年6月"),
        ("有关负责人", "百行征信", "百行征信的个"),
        ("钱芳", None, "她在一个月内"),
        ("钱芳", None, "银行说我的征"),
        ("刘明", "中国政法大学", "征信机构采集"),
        ("中国人民银行", "中国人民银行", "任何机构未经"),
    ],
    "weigang-gangren-beilie-shixin": [
        ("羅志明", "深圳市中級人民法院", "香港居民在內"),
        ("羅志明", "深圳市中級人民法院", "兩地法院近年"),
        ("一名代表", "香港律師會", "不少港人並不"),
        ("一名代表", "香港律師會", "很多人是在過"),
        ("一名代表", "香港律師會", "建議有內地商"),
    ],
    "weigang-hangzhou-zhixingju-yitian": [
        ("李偉", None, "我們的工作從"),
        ("李偉", None, "判決寫在紙上"),
        ("李偉", None, "如果一個工人"),
        ("李偉", None, "法院會暫時終"),
        ("一位法官", "杭州市中級人民法院", "這些合作令債"),
    ],
    "weigang-laolai-ditu-xiaochengxu": [
        ("河北省高級人民法院執行局", "河北省高級人民法院", "上線以來累計"),
        ("張紅", "河北省高級人民法院", "公開是為了督"),
        ("張紅", "河北省高級人民法院", "名單上的資料"),
        ("鄭少華", "香港大學法律學院", "把失信者的位"),
        ("鄭少華", "香港大學法律學院", "個人信息保護"),
    ],
    "weigang-p2p-wangdai-qingtui": [
        ("楊美玲", None, "我每個月都去"),
        ("中國銀保監會", "中國銀保監會", "高峰期全國約"),
        ("上海市地方金融監督管理局", "上海市地方金融監督管理局", "惡意逃廢債行"),
        ("高平", "上海財經大學", "清退工作的關"),
        ("高平", "上海財經大學", "出借人的錢大"),
    ],
    "weigang-shehui-xinyong-lifa": [
        ("有關負責人", "國家發展和改革委員會", "近年一些地方"),
        ("有關負責人", "國家發展和改革委員會", "草案的一個重"),
        ("王錫明", "北京大學法學院", "立法把散見於"),
        ("王錫明", "北京大學法學院", "草案對個人信"),
    ],
    "weigang-zhima-xinyong-mianyajin": [
        ("馮俊", None, "以前租屋要押"),
        ("馮俊", None, "現在信用就是"),
        ("螞蟻集團", "螞蟻集團", "芝麻信用的免"),
        ("梁家明", "香港中文大學新聞與傳播學院", "信用評分原本"),
        ("梁家明", "香港中文大學新聞與傳播學院", "評分模型如何"),
        ("中國人民銀行", "中國人民銀行", "任何機構開展"),
        ("馮俊", None, "他並不清楚自"),
        ("馮俊", None, "只知道按時還"),
    ],
}


@pytest.fixture(scope="module")
def quotes_by_slug():
    articles = [a for a in load_articles() if a.language == "zh"]
    items = [(a.slug, a.title + "\n\n" + "\n\n".join(a.paragraphs), "zh") for a in articles]
    return {result.article_id: result.quotes for result in Annotator(model="blank").annotate(items)}


def test_every_chinese_demo_article_has_its_speakers_listed(quotes_by_slug):
    assert set(quotes_by_slug) == set(EXPECTED)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_every_quote_has_a_person_a_member_of_an_organisation_or_an_organisation_as_speaker(quotes_by_slug, slug):
    for quote in quotes_by_slug[slug]:
        person = (quote.entity_id or "").startswith("person.")
        assert quote.speaker.strip() and (person or quote.role or quote.organisation), quote
        assert not quote.organisation or not quote.organisation.startswith(("据", "據")), quote


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_every_quote_has_the_speaker_a_reader_names(quotes_by_slug, slug):
    found = [(q.speaker, q.organisation, q.quote) for q in quotes_by_slug[slug]]
    assert len(found) == len(EXPECTED[slug]), found
    for (speaker, organisation, quote), expected in zip(found, EXPECTED[slug]):
        assert (speaker, organisation) == expected[:2] and quote.startswith(expected[2]), (speaker, organisation, quote)
