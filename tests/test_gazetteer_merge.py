"""Where the model's names and the gazetteer's overlap: the catalogued name wins, unless
the model found a longer name around it."""

import pytest
import spacy
from spacy.tokens import Span

from nlp.gazetteer import Gazetteer
from nlp.gazetteer_merge import SPANS_KEY, keeps_catalogued_name, merge_gazetteer
from nlp.linking import Linker
from nlp.tagging import build_pipeline


@pytest.mark.parametrize(
    "before, after, catalogued_wins",
    [
        ("", " Baptist University", False),  # Hong Kong | Baptist University
        ("East ", "", False),  # East | China University of Political Science and Law
        ("", " University of Finance and Economics", False),
        ("All-", " Federation of Trade Unions", False),
        ("", " province", True),  # a designator is not part of the name
        ("Ant's ", "", True),  # a possessor
        ("HANGZHOU \u2014 ", "", True),  # a dateline
        ("", "", True),
        ("the ", "", True),
    ],
)
def test_which_words_make_a_longer_name(before, after, catalogued_wins):
    assert keeps_catalogued_name(before, after) is catalogued_wins


def merged(words, model, catalogued):
    """Run the merge on a doc whose model entities and gazetteer spans are given as
    (start token, end token, label[, id])."""
    doc = spacy.blank("en").make_doc(" ".join(words))
    doc.ents = [Span(doc, s, e, label=label) for s, e, label in model]
    doc.spans[SPANS_KEY] = [Span(doc, s, e, label=label, span_id=entity_id) for s, e, label, entity_id in catalogued]
    return [(ent.text, ent.label_, ent.id_) for ent in merge_gazetteer(doc).ents]


def test_a_catalogued_name_replaces_the_model_entities_it_overlaps():
    words = "Supreme People 's Court said so".split()
    assert merged(words, [(0, 2, "PERSON")], [(0, 4, "ORG", "court.spc")]) == [
        ("Supreme People 's Court", "ORG", "court.spc")]


def test_a_longer_model_name_keeps_its_span():
    words = "She studies at Hong Kong Baptist University now".split()
    assert merged(words, [(3, 7, "ORG")], [(3, 5, "GPE", "sar.hong_kong")]) == [
        ("Hong Kong Baptist University", "ORG", "")]


def test_a_designator_leaves_the_catalogued_place():
    words = "Courts in Henan province said so".split()
    assert merged(words, [(2, 4, "GPE")], [(2, 3, "GPE", "province.henan")]) == [("Henan", "GPE", "province.henan")]


def test_a_longer_name_the_model_calls_a_person_takes_the_catalogued_label():
    words = "Tencent Cloud hosts the data".split()
    assert merged(words, [(0, 2, "PERSON")], [(0, 1, "ORG", "company.tencent")]) == [("Tencent Cloud", "ORG", "")]


@pytest.fixture(scope="module")
def names():
    gazetteer = Gazetteer.load()
    nlp, linker = build_pipeline(None, gazetteer), Linker(gazetteer)
    return lambda text: {m.text: m.entity_id for m in linker.link(nlp(text), text)}


@pytest.mark.parametrize(
    "text, name",
    [
        ("Wu Lin, an economist at Zhejiang University of Finance and Economics, disagreed.",
         "Zhejiang University of Finance and Economics"),
        ("The All-China Federation of Trade Unions called for reform.", "All-China Federation of Trade Unions"),
        ("The Shanghai Pudong Development Bank said it had listed the firms.", "Shanghai Pudong Development Bank"),
        ("Lawyers at Beijing Normal University disagreed.", "Beijing Normal University"),
    ],
)
def test_long_names_around_a_catalogued_place_are_not_cut(names, text, name):
    found = names(text)
    assert name in found, found
    assert found[name] != "university.zhejiang_university"
