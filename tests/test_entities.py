"""Gazetteer loading and validation, the ruler fixing the model, linking to canonical ids."""

import pytest

from nlp.gazetteer import Gazetteer, GazetteerError
from nlp.linking import Linker, normalise
from nlp.tagging import build_pipeline

SMALL = '''
version = "test.1"

[[entity]]
id = "court.supreme_peoples_court"
name = "Supreme People's Court"
type = "court"
label = "ORG"
aliases = ["SPC", "China's Supreme People's Court"]
aliases_zh = ["最高人民法院", "最高法"]
admin_level = ""
parent = ""

[[entity]]
id = "company.alibaba"
name = "Alibaba"
type = "company"
label = "ORG"
aliases = ["Alibaba Group"]
aliases_zh = ["阿里巴巴"]
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

[[entity]]
id = "city.hangzhou"
name = "Hangzhou"
type = "city"
label = "GPE"
aliases = []
aliases_zh = ["杭州"]
admin_level = "prefecture_city"
parent = "province.zhejiang"
'''


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory) -> Gazetteer:
    path = tmp_path_factory.mktemp("gaz") / "entities.toml"
    path.write_text(SMALL, encoding="utf-8")
    return Gazetteer.load(path)


@pytest.fixture(scope="module")
def nlp(gazetteer):
    return build_pipeline(None, gazetteer)


def link(nlp, gazetteer, text):
    return Linker(gazetteer).link(nlp(text))


def test_gazetteer_loads(gazetteer):
    assert gazetteer.version == "test.1"
    assert [e.id for e in gazetteer.entries][:2] == ["court.supreme_peoples_court", "company.alibaba"]
    assert gazetteer.by_id()["city.hangzhou"].parent == "province.zhejiang"


def test_shipped_gazetteer_loads():
    shipped = Gazetteer.load()
    assert len(shipped.entries) >= 150
    by_id = shipped.by_id()
    assert "最高人民法院" in by_id["court.supreme_peoples_court"].aliases_zh


@pytest.mark.parametrize(
    "replace, message",
    [
        (('type = "company"', 'type = "firm"'), "entity company.alibaba: field 'type'"),
        (('label = "GPE"\naliases = []', 'label = "CITY"\naliases = []'), "entity city.hangzhou: field 'label'"),
        (('aliases = ["Alibaba Group"]', 'aliases = "Alibaba Group"'), "entity company.alibaba: field 'aliases'"),
        (('parent = "province.zhejiang"', 'parent = "province.nowhere"'), "entity city.hangzhou: field 'parent'"),
        (('aliases = ["Alibaba Group"]', 'aliases = ["SPC"]'), "entity company.alibaba: alias 'SPC'"),
        (('id = "city.hangzhou"', 'id = "Hangzhou City"'), "field 'id'"),
    ],
)
def test_validation_names_entry_and_field(tmp_path, replace, message):
    path = tmp_path / "entities.toml"
    path.write_text(SMALL.replace(*replace), encoding="utf-8")
    with pytest.raises(GazetteerError, match=message.replace("(", r"\(")):
        Gazetteer.load(path)


def test_unreadable_gazetteer(tmp_path):
    with pytest.raises(GazetteerError, match="no such file|No such file"):
        Gazetteer.load(tmp_path / "missing.toml")


def test_normalise():
    assert normalise("the Supreme People’s Court") == normalise("Supreme People's Court") == "supreme peoples court"
    assert normalise("SPC's") == "spc"


def test_spellings_of_one_institution_share_an_id(nlp, gazetteer):
    text = ("The Supreme People's Court said on Monday that the SPC would publish more names. "
            "China's Supreme People's Court also runs the list. The Supreme People’s Court agreed. "
            "最高人民法院发布了名单。")
    ids = {m.text: m.entity_id for m in link(nlp, gazetteer, text)}
    assert set(ids.values()) == {"court.supreme_peoples_court"}
    assert {"SPC", "Supreme People's Court", "最高人民法院"} <= set(ids)


def test_gazetteer_fixes_model_label(nlp, gazetteer):
    """The small model calls Alibaba a place ("an affiliate of Alibaba": GPE) or misses it;
    the ruler makes it the company."""
    mentions = link(nlp, gazetteer, "Alibaba shares rose in Hangzhou, Zhejiang province, on Friday. "
                                    "Sesame Credit is run by an affiliate of Alibaba.")
    assert [m.label for m in mentions if m.text == "Alibaba"] == ["ORG", "ORG"]
    found = {m.text: (m.label, m.entity_id) for m in mentions}
    assert found["Alibaba"] == ("ORG", "company.alibaba")
    assert found["Hangzhou"] == ("GPE", "city.hangzhou")
    assert found["Zhejiang province"] == ("GPE", "province.zhejiang")


def test_unlinked_entities_get_stable_derived_ids(nlp, gazetteer):
    mentions = link(nlp, gazetteer, "Li Wei met officials from Tencent in Shenzhen on Tuesday.")
    ids = {m.text: m.entity_id for m in mentions}
    assert ids["Li Wei"] == "person.li_wei"
    assert ids["Shenzhen"] == "gpe.shenzhen"
    assert not any(m.label in {"DATE", "CARDINAL"} for m in mentions)


def test_surname_mentions_attach_to_full_name(nlp, gazetteer):
    text = ("Zhou Ming, a former restaurant owner, was placed on the list in March. "
            "Zhou said he had agreed a payment plan. A debtor surnamed Zhou in the next village "
            "was also listed, and Wang Fang said she would appeal. Wang has two children.")
    mentions = [m for m in link(nlp, gazetteer, text) if m.label == "PERSON"]
    by_text = {}
    for m in mentions:
        by_text.setdefault(m.text, set()).add(m.entity_id)
    assert by_text["Zhou Ming"] == {"person.zhou_ming"}
    assert by_text["Zhou"] == {"person.zhou_ming"}
    assert by_text["Wang"] == {"person.wang_fang"}
    surnamed = [m for m in mentions if text[m.start - len("surnamed "):m.start] == "surnamed "]
    assert surnamed and surnamed[0].entity_id == "person.zhou_ming"
