"""Who speaks in Chinese quotes: unnamed members of bodies, offices, described speakers,
and what is (not) an organisation.  Sentences written for these tests."""

import pytest

from nlp.annotate import Annotator


@pytest.fixture(scope="module")
def annotator():
    return Annotator(model="blank")


def quotes(annotator, text):
    (result,) = annotator.annotate([("a", text, "zh")])
    return [(q.speaker, q.entity_id, q.organisation, q.organisation_id, q.role, q.kind) for q in result.quotes]


@pytest.mark.parametrize("text", [
    "广州市中级人民法院执行局局长罗志明说，该院去年执行了大量案件。\n"
    "香港律师会一名代表说，不少港人并不知道自己在内地有未履行的判决。“很多人是在过关时才发现，”他说。",
    "廣州市中級人民法院執行局局長羅志明說，該院去年執行了大量案件。\n"
    "香港律師會一名代表說，不少港人並不知道自己在內地有未履行的判決。「很多人是在過關時才發現，」他說。",
])
def test_an_unnamed_member_of_a_body_speaks_and_he_is_that_member_not_the_person_named_before(annotator, text):
    first, *member = quotes(annotator, text)
    assert first[0] in ("罗志明", "羅志明") and first[1] == "person.罗志明"
    body = "香港律师会" if "律师会" in text else "香港律師會"
    assert member == [("一名代表", None, body, None, "代表", "indirect"), ("一名代表", None, body, None, "代表", "direct")]


def test_according_to_is_not_part_of_a_court_name(annotator):
    ((speaker, entity_id, organisation, organisation_id, role, _),) = quotes(
        annotator, "据滨江区人民法院执行局局长黄海透露，今年已有十九名被执行人被追究刑事责任。")
    assert (speaker, entity_id, role) == ("黄海", "person.黄海", "执行局局长")
    assert organisation == "滨江区人民法院" and "据" not in organisation_id


@pytest.mark.parametrize("text, speaker", [
    ("在深圳工作的程序员马骏说，他已经还清了全部欠款。", "马骏"),
    ("宁波市民钱芬告诉记者，她的贷款申请被银行拒绝了。", "钱芬"),
    ("广州退休教师杨美华说，她至今只拿回不到一成的本金。", "杨美华"),
])
def test_a_city_the_speaker_lives_or_works_in_is_not_their_organisation(annotator, text, speaker):
    ((found, _, organisation, organisation_id, _, _),) = quotes(annotator, text)
    assert found == speaker and (organisation, organisation_id) == (None, None)


@pytest.mark.parametrize("text, speaker, organisation_id", [
    ("据杭州市中级人民法院执行局透露，该院去年发出限制消费令一万余份。", "杭州市中级人民法院执行局",
     "court.hangzhou_intermediate_court"),
    ("國家發展改革委辦公廳在聲明中指出，任何機構不得以信用修復為名收取費用。", "國家發展改革委辦公廳", "ministry.ndrc"),
])
def test_an_office_speaks_for_its_organisation(annotator, text, speaker, organisation_id):
    ((found, entity_id, _, found_organisation_id, _, _),) = quotes(annotator, text)
    assert (found, entity_id, found_organisation_id) == (speaker, None, organisation_id)


@pytest.mark.parametrize("text, speaker, role", [
    ("宁波一家服装企业的负责人陈建平说，公司凭借信用拿到了一笔贷款。", "陈建平", "负责人"),
    ("“判决写在纸上，收不到钱就毫无意义，”在执行局工作了八年的法官周伟说。", "周伟", "法官"),
])
def test_a_person_described_before_their_title_is_the_speaker(annotator, text, speaker, role):
    ((found, entity_id, _, _, found_role, _),) = quotes(annotator, text)
    assert (found, entity_id, found_role) == (speaker, f"person.{speaker}", role)


def test_some_expert_is_the_speaker_of_also_some_experts_warn(annotator):
    ((speaker, entity_id, organisation, _, role, kind),) = quotes(annotator, "也有专家提醒，红名单不能变成变相的行政干预。")
    assert (speaker, entity_id, organisation, role, kind) == ("专家", None, None, "专家", "indirect")
