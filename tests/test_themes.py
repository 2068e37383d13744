"""The theme taxonomy (nlp/data/themes.toml) tags short texts written here as a reader would."""

from __future__ import annotations

import pytest

from nlp.themes import Taxonomy

TRAVEL_BAN = (
    "Courts barred 1.2 million dishonest judgment debtors from flying last year. People on the "
    "blacklist cannot buy plane tickets, and airlines refuse to sell them air tickets until they "
    "repay. A businessman said he was stopped at the airport when trying to book flights to Shenzhen."
)
SESAME = (
    "Sesame Credit, the scoring arm of Ant Group, gives Alipay users a credit score between 350 and 950. "
    "A higher Sesame Credit score lets users rent bikes and flats without a deposit, and the credit "
    "scores also draw on payment and borrowing history."
)
SHAMING = (
    "Courts are turning to public shaming: a loudspeaker on a van broadcasts debtors' names, a special "
    "ringtone tells callers that the person they are calling is a dishonest debtor, and cinemas show "
    "their faces before films. Officials say shaming debtors in public works."
)
COURT_ZH = (
    "最高人民法院通报，今年已有300万名失信被执行人被纳入失信名单。"
    "法院表示，老赖拒不执行判决，将依法采取强制执行措施，并限制其乘坐飞机。"
)


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def themes_of(taxonomy: Taxonomy, text: str) -> list[str]:
    return [theme for theme, _ in taxonomy.score(text)]


def test_a_travel_ban_paragraph_gets_the_flight_ban_theme(taxonomy):
    hits = dict(taxonomy.score(TRAVEL_BAN))
    assert "TRAVEL_BAN_FLIGHTS" in hits
    assert hits["TRAVEL_BAN_FLIGHTS"] >= taxonomy_min(taxonomy, "TRAVEL_BAN_FLIGHTS")


def test_a_sesame_credit_paragraph_gets_financial_scoring_first(taxonomy):
    assert themes_of(taxonomy, SESAME)[0] == "FINANCIAL_CREDIT_SCORING"


def test_a_shaming_paragraph_gets_public_shaming(taxonomy):
    assert "PUBLIC_SHAMING" in themes_of(taxonomy, SHAMING)


def test_a_negative_term_excludes_the_theme(taxonomy):
    assert "PUBLIC_SHAMING" not in themes_of(taxonomy, SHAMING + " Critics compared it to body shaming.")
    no_fly_zone = TRAVEL_BAN + " Separately, NATO discussed a no-fly zone."
    assert "TRAVEL_BAN_FLIGHTS" not in themes_of(taxonomy, no_fly_zone)


def test_a_passing_mention_does_not_qualify(taxonomy):
    football = (
        "The striker scored twice as Shanghai beat Beijing 3-1 in front of 50,000 fans. The club's "
        "sponsor, whose logo sits beside a Sesame Credit advertisement at the stadium, celebrated "
        "with the players. The coach said the team would rest before the cup final."
    )
    assert themes_of(taxonomy, football) == []


def test_chinese_terms_count(taxonomy):
    hits = themes_of(taxonomy, COURT_ZH)
    assert hits[0] == "COURT_DEBTOR_BLACKLIST"


@pytest.mark.parametrize(
    "text, theme",
    [
        ("A Guangzhou court said on Monday that 41,000 residents had been added to its blacklist of dishonest "
         "debtors this year.", "COURT_DEBTOR_BLACKLIST"),
        ("Hebei courts showed laolai and other judgment defaulters on cinema screens.", "COURT_DEBTOR_BLACKLIST"),
        ("Listed debtors were barred from flying and from buying plane tickets in June.", "TRAVEL_BAN_FLIGHTS"),
    ],
)
def test_a_one_sentence_text_gets_its_theme(taxonomy, text, theme):
    """A short text names its subject once: it needs only its share of the minimum."""
    assert theme in themes_of(taxonomy, text)


@pytest.mark.parametrize(
    "text",
    [
        "Airlines raised the price of plane tickets on flights to Sanya.",
        "Sesame Credit sponsored the match.",
        "The Supreme People's Court met on Tuesday.",
        "Debtors and creditors met at the court.",
    ],
)
def test_a_short_text_with_one_passing_mention_gets_no_theme(taxonomy, text):
    assert themes_of(taxonomy, text) == []


def test_the_length_share_shrinks_with_the_text_down_to_the_floor(taxonomy):
    assert taxonomy.length_share("word " * 400) == 1
    assert taxonomy.length_share("word " * 90) == pytest.approx(90 / taxonomy.full_length_words)
    assert taxonomy.length_share("three words only") == taxonomy.short_text_floor
    assert taxonomy.length_share("法院" * 90) == pytest.approx(90 / taxonomy.full_length_words)  # a Han character is half a word


def test_an_unrelated_text_carries_no_theme(taxonomy):
    weather = "Typhoon signal No 8 was raised on Tuesday; ferries were suspended and schools closed."
    assert taxonomy.score(weather) == []


def test_scores_are_sorted_best_first(taxonomy):
    scores = [score for _, score in taxonomy.score(TRAVEL_BAN + " " + SESAME)]
    assert scores == sorted(scores, reverse=True) and len(scores) >= 2


def test_the_taxonomy_covers_the_field_and_records_its_version(taxonomy):
    ids = [theme.id for theme in taxonomy.themes]
    assert len(ids) >= 28 and len(set(ids)) == len(ids)
    assert taxonomy.version
    rows = taxonomy.catalog_rows()
    assert {row["taxonomy_version"] for row in rows} == {taxonomy.version}
    assert all(row["name"] and row["description"] for row in rows)
    for required in ("COURT_DEBTOR_BLACKLIST", "TRAVEL_BAN_FLIGHTS", "TRAVEL_BAN_TRAINS", "PUBLIC_SHAMING",
                     "CORPORATE_SOCIAL_CREDIT", "FINANCIAL_CREDIT_SCORING", "RED_LISTS_REWARDS",
                     "INTERNET_CREDIT_BLACKLIST", "PRIVACY_DATA_PROTECTION", "CREDIT_REPAIR_APPEALS",
                     "GOVERNMENT_INTEGRITY", "PILOT_CITIES", "FOREIGN_BUSINESS_VIEW", "P2P_LENDING_COLLAPSE",
                     "CHARITY_DONATION_FRAUD"):
        assert required in ids


def test_every_theme_needs_more_than_one_mention_of_any_single_term(taxonomy):
    """The calibration rule the data file states: no term alone reaches a theme's minimum."""
    for theme in taxonomy.themes:
        heaviest = max([*theme.terms.english.values(), *theme.terms.chinese.values()])
        assert heaviest < theme.min_score, theme.id
        assert theme.terms.chinese, f"{theme.id} has no Chinese terms"


def taxonomy_min(taxonomy: Taxonomy, theme_id: str) -> float:
    return next(theme.min_score for theme in taxonomy.themes if theme.id == theme_id)


# loading a taxonomy file ---------------------------------------------------------------

GOOD = '''
version = "test-7"

[[theme]]
id = "RAIL"
name = "Rail"
description = "Trains"
min_score = 2.0
terms = { "train" = 1.0, "high-speed rail" = 1.5 }
terms_zh = { "高铁" = 1.5 }
negative = ["model train"]
'''


def test_a_taxonomy_file_records_its_version_and_scores(tmp_path):
    path = tmp_path / "themes.toml"
    path.write_text(GOOD, encoding="utf-8")
    taxonomy = Taxonomy.load(path)
    assert taxonomy.version == "test-7"
    assert taxonomy.catalog_rows() == [
        {"theme": "RAIL", "taxonomy_version": "test-7", "name": "Rail", "description": "Trains"}]
    assert taxonomy.score("The train, the TRAIN and  high-speed\nrail.") == [("RAIL", 3.5)]
    assert taxonomy.score("坐高铁，再坐高铁") == [("RAIL", 3.0)]
    assert taxonomy.score("A train and a model train") == []
    assert taxonomy.score("One train only") == []


@pytest.mark.parametrize(
    "broken, message",
    [
        (GOOD.replace('min_score = 2.0', ''), "field 'min_score' must be a number"),
        (GOOD.replace('min_score = 2.0', 'min_score = 0'), "must be above 0"),
        (GOOD.replace('"train" = 1.0', '"train" = "heavy"'), "field 'terms' must be a table"),
        (GOOD.replace('negative = ["model train"]', 'negative = "model train"'), "field 'negative' must be a list"),
        (GOOD.replace('negative =', 'negatives ='), "unknown field(s) negatives"),
        (GOOD + GOOD.replace('version = "test-7"', ''), "field 'id' must be present and unique"),
        (GOOD.replace('version = "test-7"', ''), "field 'version' must be set"),
        (GOOD.replace('[[theme]]', '[[theme'), "themes.toml"),
        ('version = "1"\n', "no [[theme]] entries"),
        (GOOD.replace('version = "test-7"', 'version = "test-7"\n[scoring]\nfull_length_word = 100'),
         "[scoring] has unknown field(s) full_length_word"),
        (GOOD.replace('version = "test-7"', 'version = "test-7"\n[scoring]\nshort_text_floor = 0'),
         "'short_text_floor' must be above 0"),
    ],
)
def test_a_broken_taxonomy_file_is_a_one_line_error(tmp_path, broken, message):
    path = tmp_path / "themes.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ValueError) as error:
        Taxonomy.load(path)
    assert message in str(error.value) and "\n" not in str(error.value)
