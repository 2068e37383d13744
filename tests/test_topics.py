"""Topic models, their vocabulary and their quality measures, on small corpora written here."""

from __future__ import annotations

import io
import json
import math
import random

import numpy as np
import pytest
from scipy import sparse

from nlp.coherence import coherent_subset, diversity, npmi_matrix, presence, topic_npmi
from nlp.topics import Topic, TopicModel, TopicModelError, choose_k
from nlp.vocabulary import Vocabulary, plural_folds, tokens

GROUPS = {
    "courts": [
        "The court added the debtor to the blacklist of dishonest judgment debtors.",
        "Judges said the debtor ignored the enforcement order and the court seized assets.",
        "A court in Hebei published the names of debtors on a blacklist for unpaid judgments.",
        "Enforcement officers froze bank accounts after the court ruling against the debtor.",
    ],
    "scoring": [
        "Sesame Credit gives shoppers a score based on payments and borrowing history.",
        "A higher score lets users rent bikes without a deposit, Sesame Credit said.",
        "Ant Group's Sesame Credit score rewards prompt payments with cheaper loans.",
        "Lenders check the credit score before approving consumer loans and payments.",
    ],
    "football": [
        "The striker scored twice as the team won the football match at home.",
        "The coach praised his players after the team won the cup final match.",
        "Fans cheered the goalkeeper as the football team secured a late win.",
        "The league match ended in a draw after the striker missed a penalty.",
    ],
}


def corpus(copies: int = 6, seed: int = 1) -> tuple[list[str], list[str]]:
    """Articles of two to three sentences, each drawn from one group."""
    rng = random.Random(seed)
    texts, labels = [], []
    for group, sentences in GROUPS.items():
        for _ in range(copies):
            texts.append(" ".join(rng.sample(sentences, rng.randint(2, 3))))
            labels.append(group)
    return texts, labels


def small_model(method: str = "nmf", **params) -> TopicModel:
    texts, _ = corpus()
    return TopicModel(method, 3, random_state=0, min_df=2, max_df=0.9, **params).fit(texts)


# vocabulary --------------------------------------------------------------------------


def test_names_become_one_token_and_stop_words_go():
    words = tokens("But the Supreme People's Court said on Monday that the Cyberspace Administration "
                   "of China didn't act, and Mr Blair's aide agreed.")
    assert "supreme_people's_court" in words
    assert "cyberspace_administration_of_china" in words
    assert "blair" in words and "aide" in words
    for stop in ("the", "said", "monday", "but", "mr", "did", "not"):
        assert stop not in words


def test_acronyms_survive_but_numbers_and_long_title_case_runs_do_not_merge():
    words = tokens("The US and the EU fined 42 firms. Prime Minister Tony Blair Visits Beijing Today")
    assert "us" in words and "eu" in words and "42" not in words
    assert "prime" in words and "blair" in words
    assert not any("_" in w for w in words)


def test_a_name_does_not_run_across_a_line_break():
    assert tokens("Ant Group launches Sesame Credit\nBeijing residents") == [
        "ant_group", "launches", "sesame_credit", "beijing", "residents"]


def test_titles_split_off_and_two_names_joined_by_of_stay_two_names():
    words = tokens("Judge Zhang Wei of the Supreme People's Court met President Xi Jinping and General Motors.")
    assert words == ["judge", "zhang_wei", "supreme_people's_court", "met", "president", "xi_jinping",
                     "general_motors"]
    assert tokens("Xi Jinping spoke")[0] == tokens("President Xi Jinping spoke")[1]


def test_plurals_fold_only_onto_a_singular_the_corpus_uses():
    folds = plural_folds(["debtors", "debtor", "companies", "company", "bus", "news", "new", "taxes", "tax", "gas"])
    assert folds == {"debtors": "debtor", "companies": "company", "taxes": "tax"}


def test_vocabulary_prunes_by_document_frequency_and_counts_new_texts():
    texts = ["debtor court blacklist", "debtors court", "court score", "score payments"]
    vocabulary, counts = Vocabulary.build(texts, min_df=2, max_df=0.6)
    assert vocabulary.terms == ["debtor", "score"]  # "court" is in 3 of 4 texts, over max_df
    assert counts.shape == (4, 2) and sparse.issparse(counts)
    assert vocabulary.counts(["Debtors and more debtors, unknown words"]).toarray().tolist() == [[2.0, 0.0]]


def test_vocabulary_that_prunes_everything_is_a_clear_error():
    with pytest.raises(ValueError, match="no vocabulary left"):
        Vocabulary.build(["one text only", "another text"], min_df=5, max_df=1.0)


# coherence ---------------------------------------------------------------------------


def test_npmi_is_one_for_words_always_together_and_minus_one_for_words_never_together():
    # documents x terms: terms 0 and 1 always together, term 2 never with them
    matrix = presence(sparse.csr_matrix(np.array([[2, 1, 0], [1, 3, 0], [0, 0, 1], [0, 0, 4]])))
    assert topic_npmi(matrix, [0, 1]) == pytest.approx(1.0)
    # never together: gensim's epsilon (1e-12) keeps it finite, just above -1
    expected = math.log(1e-12 / (0.5 * 0.5)) / -math.log(1e-12)
    assert topic_npmi(matrix, [0, 2]) == pytest.approx(expected) == pytest.approx(-1.0, abs=0.06)


def test_npmi_is_zero_for_independent_words():
    # each term in half the documents, together in a quarter: P(a,b) = P(a) P(b)
    matrix = presence(sparse.csr_matrix(np.array([[1, 1], [1, 0], [0, 1], [0, 0]])))
    assert topic_npmi(matrix, [0, 1]) == pytest.approx(0.0, abs=1e-9)


def test_diversity_counts_unique_top_words():
    assert diversity([["a", "b"], ["c", "d"]]) == 1.0
    assert diversity([["a", "b"], ["a", "c"]]) == 0.75


# the model ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_topics_separate_the_groups(method):
    texts, labels = corpus()
    model = TopicModel(method, 3, random_state=0, min_df=2, max_df=0.9).fit(texts)
    dominant = model.document_topics.argmax(axis=1)
    for group in GROUPS:
        topics_of_group = {int(d) for d, label in zip(dominant, labels) if label == group}
        assert len(topics_of_group) == 1, (group, topics_of_group)
    assert len(set(dominant)) == 3
    assert -1.0 <= model.npmi <= 1.0 and 0.0 < model.diversity <= 1.0


def test_topics_have_labels_terms_weights_and_npmi():
    topics = small_model().topics(n_terms=5)
    assert len(topics) == 3 and all(isinstance(t, Topic) for t in topics)
    for topic in topics:
        assert len(topic.terms) == len(topic.weights) == 5
        assert topic.weights == sorted(topic.weights, reverse=True)
        assert topic.label == " / ".join(t.replace("_", " ") for t in topic.terms[:3])
        assert -1.0 <= topic.npmi <= 1.0
    all_terms = {term for topic in topics for term in topic.terms}
    assert {"debtor", "score", "match"} <= all_terms


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_new_texts_are_assigned_without_refitting_and_survive_storage(method):
    model = small_model(method)
    components = model.to_bytes()
    new = ["The court put another debtor on the blacklist.", "The striker won the match.", "", "zzz qqq"]
    weights = model.transform(new)
    assert weights.shape == (4, 3)
    assert np.allclose(weights[:2].sum(axis=1), 1.0) and np.allclose(weights[2:], 0.0)
    court = model.transform(["court debtor blacklist"])[0].argmax()
    assert weights[0].argmax() == court != weights[1].argmax()
    assert model.to_bytes() == components  # transform changed nothing
    restored = TopicModel.from_bytes(components)
    assert np.allclose(restored.transform(new), weights, atol=1e-6)
    assert restored.vocabulary == model.vocabulary and restored.params == model.params
    assert restored.npmi == model.npmi and restored.topics() == model.topics()


def test_fitting_is_reproducible_and_records_every_parameter():
    first, second = small_model(), small_model()
    assert first.to_bytes() == second.to_bytes()
    params = first.params
    assert params["method"] == "nmf" and params["k"] == 3 and params["random_state"] == 0
    assert params["vectorizer"]["min_df"] == 2 and params["vectorizer"]["vocabulary_version"]
    assert params["model"]["init"] == "nndsvd" and params["scikit-learn"]


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (("kmeans",), {}, "unknown topic method 'kmeans'"),
        (("nmf", 1), {}, "at least 2"),
        (("nmf", 5, "seven"), {}, "random_state must be an integer"),
        (("lda",), {"init": "nndsvd"}, "unknown lda parameter"),
        (("nmf",), {"min_df": "three"}, "min_df must be a document count"),
        (("nmf",), {"max_df": 1.5}, "max_df must be a document count"),
        (("nmf",), {"max_terms": 0}, "max_terms must be a positive integer"),
    ],
)
def test_bad_parameters_are_one_line_errors(args, kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        TopicModel(*args, **kwargs)
    assert "\n" not in str(error.value)


def test_a_bad_model_parameter_fails_at_fit_with_one_line():
    texts, _ = corpus()
    with pytest.raises(TopicModelError, match="bad nmf parameter: .*init") as error:
        TopicModel("nmf", 3, min_df=2, init="sideways").fit(texts)
    assert "\n" not in str(error.value)


def test_too_few_texts_unfitted_use_and_a_corrupt_blob_are_clear_errors():
    with pytest.raises(TopicModelError, match="cannot fit 5 topics on 2 texts"):
        TopicModel("nmf", 5).fit(["one", "two"])
    with pytest.raises(TopicModelError, match="not fitted"):
        TopicModel().transform(["text"])
    with pytest.raises(TopicModelError, match="unreadable"):
        TopicModel.from_bytes(b"not a model")


WORD_GROUPS = {
    "courts": "court judge debtor blacklist enforcement ruling verdict lawsuit plaintiff defendant appeal "
              "bailiff seizure judgment creditor arrears injunction hearing tribunal magistrate lawyer "
              "attorney testimony evidence docket prosecutor sentence damages settlement statute".split(),
    "scoring": "score lender loan borrower payment deposit rating algorithm app wallet merchant discount "
               "rental bike shopper consumer installment interest mortgage bureau fintech platform "
               "points tier reward limit overdraft repayment fee subscription".split(),
    "football": "striker goalkeeper coach match team league cup penalty goal referee stadium fans "
                "midfielder defender season transfer captain tournament final draw victory defeat "
                "pitch kickoff halftime substitute winger corner tackle trophy".split(),
}


COMMON_WORDS = ("year people week government city official report million plan month public today news "
                "money group local service police health school family area market company state").split()


def word_corpus(per_group: int = 12, seed: int = 2) -> list[str]:
    """Texts of 40 words drawn from one group's 30, the first words of a group far more
    often than the last (as in real text), plus 10 words of a pool every group uses; each
    topic has 25+ words of its own."""
    rng = random.Random(seed)
    texts = []
    for words in WORD_GROUPS.values():
        weights = [1 / (rank + 1) for rank in range(len(words))]
        texts += [" ".join(rng.choices(words, weights, k=40) + rng.choices(COMMON_WORDS, k=10))
                  for _ in range(per_group)]
    return texts


def test_choose_k_scores_every_k_and_prefers_the_number_of_real_groups():
    k, scores = choose_k(word_corpus(), range(2, 7))
    assert sorted(scores) == [2, 3, 4, 5, 6]
    for row in scores.values():
        assert row["score"] == pytest.approx(row["npmi"] * row["diversity"], abs=1e-5)
        assert not math.isnan(row["standard_error"])
        assert 0.0 <= row["stability"] <= 1.0 + 1e-9
    assert k == 3 and scores[3]["stability"] == max(row["stability"] for row in scores.values())


def test_choose_k_without_candidates_is_a_clear_error():
    with pytest.raises(TopicModelError, match="at least one value of k"):
        choose_k(word_corpus(), [])


# issue 17: sentences as the coherence context, terms chosen for coherence, written as used


def test_sentence_counts_add_up_to_document_counts_and_split_at_sentence_ends():
    texts = ["Courts list debtors. The court list grows!\nDebtors appeal", "A debtor appeals the court list."]
    vocabulary, counts, sentences = Vocabulary.build_with_sentences(texts, min_df=1, max_df=1.0)
    assert sentences.shape == (4, len(vocabulary.terms))
    assert np.allclose(sentences[:3].sum(axis=0), counts[0].toarray()) and np.allclose(sentences[3].toarray(), counts[1].toarray())
    assert Vocabulary.build(texts, min_df=1, max_df=1.0)[1].toarray().tolist() == counts.toarray().tolist()


def test_a_term_is_written_as_the_corpus_mostly_writes_it():
    vocabulary, _ = Vocabulary.build(["awards awards award", "company companies awards", "debtor debtors"], 1, 1.0)
    assert vocabulary.terms == ["award", "company", "debtor"]
    assert [vocabulary.written(term) for term in vocabulary.terms] == ["awards", "company", "debtor"]  # ties: singular


def test_npmi_matrix_is_symmetric_with_a_zero_diagonal():
    matrix = presence(sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1]])))
    pairs = npmi_matrix(matrix, [0, 1, 2])
    assert np.allclose(pairs, pairs.T) and np.allclose(np.diag(pairs), 0.0)
    assert topic_npmi(matrix, [0, 1, 2]) == pytest.approx(np.mean(pairs[np.triu_indices(3, k=1)]))


def test_coherent_subset_keeps_the_anchors_and_adds_the_terms_that_go_with_them():
    # terms 0, 2 and 4 always appear together; 1 and 3 appear alone
    rows = [[1, 0, 1, 0, 1]] * 4 + [[0, 1, 0, 0, 0], [0, 0, 0, 1, 0], [0, 1, 0, 1, 0]]
    matrix = presence(sparse.csr_matrix(np.array(rows)))
    assert coherent_subset(matrix, [0, 1, 2, 3, 4], 3) == [0, 2, 4]
    assert coherent_subset(matrix, [0, 1, 2, 3, 4], 3, keep=2) == [0, 1, 2]  # anchors stay, in candidate order
    assert coherent_subset(matrix, [3, 0], 3) == [3, 0]  # fewer candidates than wanted: all of them


def test_topic_terms_are_written_as_used_and_chosen_terms_come_first_by_weight():
    model = small_model()
    for topic in model.topics(n_terms=12):
        assert topic.weights[:10] == sorted(topic.weights[:10], reverse=True)
    assert model._topic_terms.shape == (3, 10)
    texts, _ = corpus()
    plural = [text.replace("added the debtor", "added the debtors").replace("said the debtor", "said the debtors")
              for text in texts]  # "debtors" now outnumbers "debtor" ("against the debtor")
    terms = {t for topic in TopicModel("nmf", 3, min_df=2, max_df=0.9).fit(plural).topics() for t in topic.terms}
    assert "debtors" in terms and "debtor" not in terms


def test_refinement_and_term_choice_are_recorded_and_can_be_turned_off():
    model = small_model()
    assert model.params["refine"] == {"refine": True, "lsa_dims": 100}
    assert model.params["terms"]["term_candidates"] == 20 and model.params["terms"]["anchor_terms"] == 2
    assert model.params["terms"]["coherence_context"] == "sentence"
    plain = small_model(refine=False, term_candidates=10, anchor_terms=1)
    assert plain.params["refine"]["refine"] is False and plain.params["terms"]["term_candidates"] == 10
    assert len(set(plain.document_topics.argmax(axis=1))) == 3
    assert small_model("lda").params["refine"] == {"refine": False}
    restored = TopicModel.from_bytes(plain.to_bytes())
    assert restored.params == plain.params and restored.topics() == plain.topics()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"term_candidates": 0}, "term_candidates must be an integer of at least 2"),
        ({"anchor_terms": 0}, "anchor_terms must be an integer of at least 1"),
        ({"lsa_dims": "many"}, "lsa_dims must be an integer"),
        ({"refine": "yes"}, "refine must be true or false"),
    ],
)
def test_bad_refinement_or_term_parameters_are_one_line_errors(kwargs, message):
    with pytest.raises(TopicModelError, match=message):
        TopicModel("nmf", 3, **kwargs)
    with pytest.raises(TopicModelError, match="unknown lda parameter"):
        TopicModel("lda", 3, refine=False)


def test_a_model_stored_before_issue_17_still_loads_shows_and_assigns():
    model = small_model()
    with np.load(io.BytesIO(model.to_bytes()), allow_pickle=False) as archive:
        stored = {name: archive[name] for name in archive.files if name not in ("topic_terms", "surface_from", "surface_to")}
    params = json.loads(str(stored["params"]))
    del params["refine"], params["terms"]
    stored["params"] = np.array(json.dumps(params))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **stored)
    old = TopicModel.from_bytes(buffer.getvalue())
    assert [len(t.terms) for t in old.topics()] == [10, 10, 10]
    for topic in old.topics():  # without chosen terms: plain weight order
        assert topic.weights == sorted(topic.weights, reverse=True)
    assert np.allclose(old.transform(["court debtor blacklist"]), model.transform(["court debtor blacklist"]), atol=1e-6)
