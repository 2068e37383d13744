"""Direct and indirect quotes attributed to the right speaker, organisation and role."""

import pytest

from nlp.gazetteer import Gazetteer
from nlp.linking import Linker
from nlp.quotes import find_quotes
from nlp.tagging import build_pipeline, sentence_spans

GAZETTEER = '''
version = "test.1"

[[entity]]
id = "court.hangzhou_intermediate_court"
name = "Hangzhou Intermediate People's Court"
type = "court"
label = "ORG"
aliases = []
aliases_zh = []
admin_level = ""
parent = ""

[[entity]]
id = "media.caixin"
name = "Caixin"
type = "media"
label = "ORG"
aliases = []
aliases_zh = []
admin_level = ""
parent = ""
'''


@pytest.fixture(scope="module")
def quotes_of(tmp_path_factory):
    path = tmp_path_factory.mktemp("gaz") / "entities.toml"
    path.write_text(GAZETTEER, encoding="utf-8")
    gazetteer = Gazetteer.load(path)
    nlp, linker = build_pipeline(None, gazetteer), Linker(gazetteer)

    def run(text):
        doc = nlp(text)
        return find_quotes(text, sentence_spans(text), linker.link(doc, text))

    return run


def test_said_name_of_organisation(quotes_of):
    (quote,) = quotes_of('"The list is not a punishment, it is a reminder," said Li Wei of the '
                         "Hangzhou Intermediate People's Court.")
    assert (quote.speaker, quote.entity_id, quote.kind) == ("Li Wei", "person.li_wei", "direct")
    assert quote.quote == "The list is not a punishment, it is a reminder"
    assert (quote.organisation, quote.organisation_id) == ("Hangzhou Intermediate People's Court",
                                                           "court.hangzhou_intermediate_court")


def test_said_name_role_at_organisation(quotes_of):
    (quote,) = quotes_of('"Debtors who can pay must pay," said Li Wei, a judge at the '
                         "Hangzhou Intermediate People's Court.")
    assert (quote.speaker, quote.role, quote.organisation_id) == (
        "Li Wei", "judge", "court.hangzhou_intermediate_court")


def test_pronoun_resolves_to_most_recent_person(quotes_of):
    found = quotes_of("Zhang Hua, a law professor, criticised the map. Chen Mei runs a shop in Wenzhou. "
                      '"I did not know my name was on a map at all," she said.')
    (quote,) = [q for q in found if q.kind == "direct"]
    assert (quote.speaker, quote.entity_id) == ("Chen Mei", "person.chen_mei")


def test_continuation_and_surname_speaker(quotes_of):
    found = quotes_of('Liu Jianguo is deputy director of the bureau. "Most people we list can pay," Liu said. '
                      '"A judgment is not a suggestion."')
    assert [(q.speaker, q.entity_id, q.kind) for q in found] == [
        ("Liu Jianguo", "person.liu_jianguo", "direct"),
        ("Liu Jianguo", "person.liu_jianguo", "direct"),
    ]
    assert found[1].quote == "A judgment is not a suggestion."


def test_told_that(quotes_of):
    (quote,) = quotes_of("Zhang Wei told Caixin that the blacklist had changed how his company borrows.")
    assert (quote.speaker, quote.entity_id, quote.kind) == ("Zhang Wei", "person.zhang_wei", "indirect")
    assert quote.quote == "the blacklist had changed how his company borrows"


def test_according_to(quotes_of):
    found = quotes_of("Wu Qiang is a lawyer in Shanghai. According to Wu, most listed debtors never "
                      "receive a notice before their names are published.")
    (quote,) = found
    assert (quote.speaker, quote.entity_id, quote.kind) == ("Wu Qiang", "person.wu_qiang", "indirect")
    assert quote.quote.startswith("most listed debtors never receive a notice")


def test_trailing_attribution_with_pronoun(quotes_of):
    found = quotes_of("Liu Jianguo spoke at the meeting. Courts must remove names within three working days "
                      "of payment, he said.")
    (quote,) = found
    assert (quote.speaker, quote.kind) == ("Liu Jianguo", "indirect")
    assert quote.quote == "Courts must remove names within three working days of payment"


def test_scare_quotes_are_not_quotes(quotes_of):
    assert quotes_of('Local media call them "deadbeat debtors" and publish their photos.') == []


def test_sentence_spans_cover_text_and_respect_abbreviations():
    text = 'Mr. Li met U.S. officials. "It is over," he said. 最高法发布。他说。\n\nNext 3.2 million.'
    spans = sentence_spans(text)
    assert [text[a:b].strip() for a, b in spans] == [
        "Mr. Li met U.S. officials.", '"It is over," he said.', "最高法发布。", "他说。", "Next 3.2 million."]
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))


def test_pronoun_after_an_unnamed_speaker_is_not_the_last_named_person(quotes_of):
    found = quotes_of('Helen Xu, a lawyer in Shanghai, advises platforms. A product manager at a social app said '
                      'the company had been told it could be fined. "We cannot ask every user for documents," she said.')
    direct = [q for q in found if q.kind == "direct"]
    assert [(q.speaker, q.entity_id, q.role) for q in direct] == [
        ("product manager at a social app", None, "product manager")]


@pytest.mark.parametrize("day", ["on Monday", "last week", "on Friday morning"])
def test_an_indirect_quote_starting_with_a_decimal_number_is_not_cut_at_its_point(quotes_of, day):
    """'said on Monday that 4.75 million ...': the time words before 'that' never reach into the number."""
    (quote,) = quotes_of(f"The Hangzhou Intermediate People's Court said {day} that 4.75 million yuan had been "
                         "recovered from listed debtors this year.")
    assert quote.quote.startswith("4.75 million yuan had been recovered")
    assert quote.organisation_id == "court.hangzhou_intermediate_court"
