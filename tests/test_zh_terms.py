"""Chinese articles reach the topic model as words: domain terms whole, catalogue names shared
with English articles, traditional and simplified alike, no stop words."""

from nlp.topics import TopicModel
from nlp.vocabulary import Vocabulary
from nlp.zh_terms import default_terms, stop_words, topic_text


def test_domain_terms_stay_whole_and_stop_words_go():
    words = default_terms().words("记者了解到，失信被执行人遭遇暴力催收后，我们发现他们已经主动履行义务。")
    assert "失信被执行人" in words and "暴力催收" in words
    assert not set(words) & stop_words()
    assert all(len(w) > 1 for w in words)


def test_traditional_and_simplified_text_give_the_same_words():
    assert default_terms().words("個人信息保護法實施後，徵信機構採集數據須經同意。") == \
        default_terms().words("个人信息保护法实施后，征信机构采集数据须经同意。")


def test_catalogue_aliases_become_the_name_english_articles_use():
    chinese = Vocabulary.build([topic_text("最高法通报失信名单。", "zh"), "The Supreme People's Court said."], 1, 1.0, 100)[0]
    assert [t for t in chinese.terms if "supreme" in t] == ["supreme_people's_court"]  # 最高法 and the English name


def test_only_chinese_is_rewritten():
    assert topic_text("Courts list debtors.", "en") == "Courts list debtors."
    assert topic_text("法院公布失信被执行人名单", "zh-Hant") == topic_text("法院公布失信被执行人名单", "zh")


def test_a_bilingual_model_gives_chinese_articles_topics():
    zh = [topic_text(t, "zh") for t in [
        "法院公布失信被执行人名单，限制高消费，限制乘坐飞机。", "失信被执行人被限制乘坐飞机和高铁，法院执行局通报。",
        "法院执行局把老赖纳入失信被执行人名单，限制高消费。", "芝麻信用评分免押金，征信机构采集个人信息。",
        "征信机构采集个人信息须经同意，芝麻信用评分。", "个人信息保护法规定征信机构采集个人信息。"]]
    en = ["Sesame Credit scores and credit reporting privacy.", "Credit reporting and Sesame Credit scores.",
          "Court blacklist travel ban debtors.", "Debtors on the court blacklist face a travel ban."]
    model = TopicModel(k=2, min_df=2, max_df=0.9).fit(zh + en)
    assert (model.document_topics[:6].sum(axis=1) > 0).all()
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in term) for term in model.vocabulary)


def test_sentences_stay_lines_and_neighbouring_names_stay_apart():
    text = topic_text("蚂蚁集团最高法通报失信名单。芝麻信用评分下降！", "zh")
    assert len(text.splitlines()) == 2  # coherence is counted per sentence
    terms = Vocabulary.build([text, "Ant Group and the Supreme People's Court."], 1, 1.0, 100)[0].terms
    assert "ant_group" in terms and "supreme_people's_court" in terms
