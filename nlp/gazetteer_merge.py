"""Where the model's names and the gazetteer's names overlap, which one becomes the entity.

The gazetteer's phrase matches (a `span_ruler` after `ner`, in `doc.spans["gazetteer"]`)
and the model's entities are merged by one rule:

- a catalogued name wins over every model entity it overlaps, so the model's
  mistakes in this field are corrected ("Alibaba" called a place, "Supreme People's"
  cut from "Court") and the entity carries its catalogue id;
- except when the model's entity is a longer name that contains the catalogued one
  and extends it with words of the name itself: "Hong Kong Baptist University" is not
  "Hong Kong", "East China University of Political Science and Law" is not "China
  University of Political Science and Law".  The model's span is kept (linking then
  looks its whole form up in the catalogue).

The words around the catalogued name make it part of a longer name when every one of
them is capitalised, a number, or a joining word ("of", "and", "for", "the", ...), and
at least one is capitalised; a possessor before it ("Ant's Huabei"), punctuation
("HANGZHOU — Ant Group") or a lower-case word ("Henan province", where "province" is
a designator, not part of the name) leaves the catalogued name alone.  A longer name
the model calls PERSON takes the catalogued label ("Tencent Cloud" is not a person).

Before this rule the gazetteer ran as an entity ruler *before* `ner`; the model then
never saw the longer names at all, since NER keeps preset entities and starts its
own around them (bench/entity_recall.py counts what that lost).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

SPANS_KEY = "gazetteer"
_JOINING = frozenset("of and for the on in at de du la & -".split())
_WORD = re.compile(r"\S+")


def keeps_catalogued_name(before: str, after: str) -> bool:
    """True when the text `before` and `after` a catalogued name inside a model entity
    is not part of one longer name, so the catalogued name is the entity."""
    if re.search(r"['\u2019]s?\s*$", before) or not (before.strip() or after.strip()):
        return True
    words = _WORD.findall(before) + _WORD.findall(after)
    capitalised = False
    for word in words:
        word = word.strip("'\u2019")
        if word.lower() in _JOINING:
            continue
        if not re.fullmatch(r"[\w][\w'\u2019.&-]*", word):
            return True  # punctuation: a dateline, a list, a dash
        if word[0].isupper() or word[0].isdigit():
            capitalised = capitalised or word[0].isupper()
            continue
        return True
    return not capitalised


@Language.component("gazetteer_merge")
def merge_gazetteer(doc: Doc) -> Doc:
    catalogued = filter_spans(doc.spans.get(SPANS_KEY, []))
    if not catalogued:
        return doc
    model = list(doc.ents)
    kept: list[Span] = []
    text = None  # `doc.text` is rebuilt token by token on every access: read it once, when needed
    for span in catalogued:
        container = next((e for e in model if e.start <= span.start and span.end <= e.end
                          and (e.start, e.end) != (span.start, span.end)), None)
        if container is not None:
            text = doc.text if text is None else text
        if container is not None and not keeps_catalogued_name(
            text[container.start_char : span.start_char], text[span.end_char : container.end_char]
        ):
            if container.label_ == "PERSON" and span.label_ != "PERSON":
                model[model.index(container)] = Span(doc, container.start, container.end, label=span.label_)
            continue
        kept.append(span)
    survivors = [e for e in model if not any(e.start < s.end and s.start < e.end for s in kept)]
    doc.ents = sorted(survivors + kept, key=lambda s: s.start)
    return doc
