"""The taxonomy tags the bundled demo articles as a reader would.

The demo articles (creditlens/demosite/articles/*/*.toml) were written for the project,
each with a title, paragraphs and the tags an editor gave it.  For each, the themes a
reader would name as what the article is about must be found, and themes it is not
about must not be.  Passing mentions may or may not add further themes.
"""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from nlp.languages.zh_script import simplified
from nlp.themes import Taxonomy

ARTICLES = resources.files("creditlens") / "demosite" / "articles"

# slug: (themes it is about, themes it is not about)
EXPECTED = {
    "beacon-debtors-settle-after-listing": ({"COURT_DEBTOR_BLACKLIST"}, set()),
    "beacon-cac-online-credit-list": ({"INTERNET_CREDIT_BLACKLIST"}, {"COURT_DEBTOR_BLACKLIST"}),
    "beacon-charity-fraud-crackdown": ({"CHARITY_DONATION_FRAUD"}, {"EMPLOYMENT_OFFICE_RESTRICTIONS"}),
    "beacon-government-integrity-arrears": ({"GOVERNMENT_INTEGRITY"}, set()),
    "beacon-ndrc-credit-repair-rules": ({"CREDIT_REPAIR_APPEALS", "CORPORATE_SOCIAL_CREDIT"}, set()),
    "beacon-rail-ban-spring-figures": ({"TRAVEL_BAN_TRAINS", "TRAVEL_BAN_FLIGHTS", "COURT_DEBTOR_BLACKLIST"}, set()),
    "beacon-rongcheng-points-village": ({"PILOT_CITIES", "RED_LISTS_REWARDS"}, set()),
    "beacon-spc-dishonest-list-milestone": ({"COURT_DEBTOR_BLACKLIST"}, set()),
    "beacon-suqian-red-list-rewards": ({"RED_LISTS_REWARDS", "PILOT_CITIES"}, set()),
    "court-list-flight-ban-figures": ({"COURT_DEBTOR_BLACKLIST", "TRAVEL_BAN_FLIGHTS"}, set()),
    "draft-guideline-personal-credit-repair": ({"CREDIT_REPAIR_APPEALS"}, set()),
    "pacific-wire-credit-law-draft": ({"LEGAL_FRAMEWORK_LEGISLATION"}, set()),
    "zhejiang-red-list-loan-discounts": ({"RED_LISTS_REWARDS"}, set()),
    "county-court-wechat-notices-id-numbers": ({"COURT_DEBTOR_BLACKLIST", "PRIVACY_DATA_PROTECTION"}, set()),
    "dongfang-charity-crowdfunding-fraud": ({"CHARITY_DONATION_FRAUD"}, set()),
    "dongfang-credit-repair-scams-p2p": ({"CREDIT_REPAIR_APPEALS", "P2P_LENDING_COLLAPSE"}, set()),
    "dongfang-debtor-shamed-on-screen": ({"PUBLIC_SHAMING", "COURT_DEBTOR_BLACKLIST"}, set()),
    "dongfang-hangzhou-court-laolai": ({"COURT_DEBTOR_BLACKLIST"}, set()),
    "dongfang-rail-ban-holiday-count": ({"TRAVEL_BAN_TRAINS", "COURT_DEBTOR_BLACKLIST"}, set()),
    "dongfang-rongcheng-volunteer-points": ({"PILOT_CITIES", "RED_LISTS_REWARDS"}, set()),
    "dongfang-sesame-deposit-free-youth": ({"FINANCIAL_CREDIT_SCORING"}, set()),
    "dongfang-summer-travel-restrictions": ({"TRAVEL_BAN_FLIGHTS", "COURT_DEBTOR_BLACKLIST"}, set()),
    "shixin-mingdan-xinyong-xiufu-chaxun": ({"COURT_DEBTOR_BLACKLIST", "CREDIT_REPAIR_APPEALS"}, set()),
    "suqian-xinyong-baogao-tidai-zhengming": ({"CORPORATE_SOCIAL_CREDIT", "PILOT_CITIES"}, set()),
    "china-lawmakers-review-credit-law": ({"LEGAL_FRAMEWORK_LEGISLATION"}, set()),
    "credit-repair-agencies-crackdown": ({"CREDIT_REPAIR_APPEALS"}, set()),
    "harbour-blacklist-debtors-pay-up": ({"COURT_DEBTOR_BLACKLIST"}, set()),
    "harbour-debtor-map-500-metres": ({"DEBTOR_MAPS_APPS", "PRIVACY_DATA_PROTECTION"}, set()),
    "harbour-livestream-charity-blacklist": ({"CHARITY_DONATION_FRAUD", "INTERNET_CREDIT_BLACKLIST"}, set()),
    "harbour-loudspeakers-ringtones": ({"PUBLIC_SHAMING"}, set()),
    "harbour-p2p-investors-still-waiting": ({"P2P_LENDING_COLLAPSE"}, set()),
    "harbour-privacy-law-credit-data": ({"PRIVACY_DATA_PROTECTION"}, set()),
    "harbour-stranded-at-the-gate": ({"TRAVEL_BAN_FLIGHTS", "CREDIT_REPAIR_APPEALS"}, set()),
    "harbour-suqian-scores-retreat": ({"PILOT_CITIES"}, set()),
    "harbour-wrongly-listed-appeal": ({"CREDIT_REPAIR_APPEALS", "COURT_DEBTOR_BLACKLIST"}, set()),
    "typhoon-signal-eight-ferries-suspended": (set(), {"TRAVEL_BAN_FLIGHTS"}),
    "baihang-alternative-data-thin-file": ({"FINANCIAL_CREDIT_SCORING"}, set()),
    "hotel-facial-recognition-blacklist-privacy": ({"PRIVACY_DATA_PROTECTION", "SURVEILLANCE_FACIAL_RECOGNITION"}, set()),
    "ledger-ant-data-sharing-privacy": ({"FINANCIAL_CREDIT_SCORING", "PRIVACY_DATA_PROTECTION"}, set()),
    "ledger-lenders-read-court-blacklist": ({"COURT_DEBTOR_BLACKLIST"}, set()),
    "ledger-baihang-coverage-growth": ({"FINANCIAL_CREDIT_SCORING"}, set()),
    "ledger-corporate-credit-eu-chamber": ({"CORPORATE_SOCIAL_CREDIT", "FOREIGN_BUSINESS_VIEW"}, set()),
    "ledger-p2p-aftermath-fintech": ({"P2P_LENDING_COLLAPSE"}, set()),
    "ledger-platforms-cac-compliance": ({"INTERNET_CREDIT_BLACKLIST"}, set()),
    "ledger-samr-abnormal-operations-list": ({"CORPORATE_SOCIAL_CREDIT"}, set()),
    "ledger-sesame-credit-explainer": ({"FINANCIAL_CREDIT_SCORING"}, set()),
    "ledger-us-firms-credit-ratings": ({"FOREIGN_BUSINESS_VIEW", "CORPORATE_SOCIAL_CREDIT"}, set()),
    "sodium-ion-batteries-budget-evs": (set(), set()),
    "qiantang-shixin-jipiao-320wan-renci": ({"COURT_DEBTOR_BLACKLIST", "TRAVEL_BAN_FLIGHTS"}, set()),
    "qiantang-xianzhi-gaoxiaofei-wenda": ({"CONSUMPTION_RESTRICTIONS", "COURT_DEBTOR_BLACKLIST"}, set()),
    "qiantang-xinyong-xiufu-pianju": ({"CREDIT_REPAIR_APPEALS"}, set()),
    "qiantang-hongmingdan-xinyidai": ({"RED_LISTS_REWARDS"}, {"COURT_DEBTOR_BLACKLIST"}),
    "qiantang-zhengxin-geren-xinxi": ({"FINANCIAL_CREDIT_SCORING", "PRIVACY_DATA_PROTECTION"}, set()),
    "qiantang-juzhi-zui-xihu-fayuan": ({"COURT_DEBTOR_BLACKLIST"}, set()),
    "weigang-hangzhou-zhixingju-yitian": ({"COURT_DEBTOR_BLACKLIST"}, set()),
    "weigang-zhima-xinyong-mianyajin": ({"FINANCIAL_CREDIT_SCORING"}, {"COURT_DEBTOR_BLACKLIST"}),
    "weigang-laolai-ditu-xiaochengxu": ({"DEBTOR_MAPS_APPS", "PRIVACY_DATA_PROTECTION"}, set()),
    "weigang-gangren-beilie-shixin": ({"COURT_DEBTOR_BLACKLIST", "TRAVEL_BAN_TRAINS"}, set()),
    "weigang-p2p-wangdai-qingtui": ({"P2P_LENDING_COLLAPSE"}, set()),
    "weigang-shehui-xinyong-lifa": ({"LEGAL_FRAMEWORK_LEGISLATION"}, set()),
}


def demo_articles() -> dict[str, dict]:
    articles = {}
    for outlet in ARTICLES.iterdir():
        if outlet.is_dir():
            for file in outlet.iterdir():
                if file.name.endswith(".toml"):
                    article = tomllib.loads(file.read_text(encoding="utf-8"))
                    articles[article["slug"]] = article
    return articles


@pytest.fixture(scope="module")
def themes_by_slug() -> dict[str, set[str]]:
    taxonomy = Taxonomy.load()
    return {
        slug: {theme for theme, _ in taxonomy.score(simplified(article["title"] + "\n\n" + "\n\n".join(article["paragraphs"])))}
        for slug, article in demo_articles().items()
    }


def test_every_demo_article_has_an_expectation(themes_by_slug):
    assert set(themes_by_slug) == set(EXPECTED)
    # only the off-topic articles are about no theme; every other expectation names at least one
    irrelevant = {slug for slug, article in demo_articles().items() if not article.get("relevant", True)}
    assert {slug for slug, (about, _) in EXPECTED.items() if not about} == irrelevant


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_a_demo_article_gets_the_themes_a_reader_would_name(themes_by_slug, slug):
    about, not_about = EXPECTED[slug]
    found = themes_by_slug[slug]
    if not about:  # about none of the themes: tagged with none
        assert not found, f"wrongly tagged {sorted(found)}"
    assert about <= found, f"missing {sorted(about - found)}; found {sorted(found)}"
    assert not (not_about & found), f"wrongly tagged {sorted(not_about & found)}"


def test_irrelevant_demo_articles_carry_no_theme(themes_by_slug):
    irrelevant = [slug for slug, article in demo_articles().items() if not article.get("relevant", True)]
    assert irrelevant and all(not themes_by_slug[slug] for slug in irrelevant)
