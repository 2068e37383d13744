"""Give every name found in an article an entity id, so counts add up across spellings.

Gazetteer hits arrive with their id from the span ruler (nlp/gazetteer_merge.py).  A name the model found is
looked up by its normalised form among every gazetteer name and alias, so "the
Supreme People's Court", "Supreme People’s Court" and "SPC" land on one id.  A name
the gazetteer does not know gets an id derived from its label and normalised form
("person.li_wei"), stable across articles and runs.  News style names a person in
full once and by surname afterwards ("Zhou said", "a debtor surnamed Zhou"); such a
mention joins the full name given in the same article, so one person is one id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from nlp.gazetteer import Gazetteer

# labels that name something; numbers, dates and amounts are the figures' business
NAME_LABELS = frozenset("PERSON ORG GPE LOC NORP FAC PRODUCT LAW EVENT".split())
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+")
_POSSESSIVE = re.compile(r"'s?$")
_HONORIFIC = re.compile(r"^(?:mr|mrs|ms|miss|dr|prof|professor|judge|madam|mme)\.?\s+", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
_LOWERCASE_LEAD = re.compile(r"^(?:[a-z][\w-]*\s+)+(?=[A-Z\u00c0-\u024f])")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_DANGLING = re.compile(r"\s(?:of|for|and|on|in)$")
_JOINER = re.compile(r" (?:the )?")
_SURNAMED = re.compile(r"\bsurnamed\s+([A-Z][a-z]+)\b")


@dataclass
class Mention:
    start: int
    end: int
    text: str
    label: str
    entity_id: str
    in_gazetteer: bool = False


def normalise(name: str) -> str:
    """The form names are compared in: case-folded, curly apostrophes straightened, a
    leading article, a possessive ending and punctuation dropped, spaces collapsed."""
    text = _SPACES.sub(" ", name.replace("\u2019", "'").casefold()).strip()
    text = _LEADING_ARTICLE.sub("", text)
    text = _POSSESSIVE.sub("", text)
    return _SPACES.sub(" ", _NON_WORD.sub("", text)).strip()


def derived_id(label: str, name: str) -> str:
    slug = normalise(name).replace(" ", "_")
    return f"{label.lower()}.{slug}" if slug else ""


class Linker:
    def __init__(self, gazetteer: Gazetteer):
        self.entries = gazetteer.by_id()
        self.index: dict[str, str] = {}
        for entry in gazetteer.entries:
            for form in entry.surface_forms():
                self.index.setdefault(normalise(form), entry.id)

    def link(self, doc: Doc, text: str | None = None) -> list[Mention]:
        """The linked mentions of a document; pass its `text` when at hand, since
        `doc.text` is rebuilt token by token on every access."""
        text = doc.text if text is None else text
        mentions = [m for m in (self._mention(ent) for ent in doc.ents) if m is not None]
        mentions = self._rejoin(text, mentions)
        mentions.extend(self._surnamed(text, mentions))
        mentions.extend(_repeated_surnames(text, mentions))
        mentions.sort(key=lambda m: m.start)
        _attach_surnames(mentions)
        return mentions

    def _mention(self, ent) -> Mention | None:
        if ent.ent_id_ in self.entries:
            entry = self.entries[ent.ent_id_]
            return Mention(ent.start_char, ent.end_char, ent.text, entry.label, entry.id, True)
        if ent.label_ not in NAME_LABELS or not any(ch.isalpha() for ch in ent.text) or _HAN.search(ent.text):
            return None  # numbers, and the English model's guesses inside Chinese text
        start, end, text = ent.start_char, ent.end_char, ent.text
        possessive = re.search(r"['\u2019]s?$", text)
        if possessive:  # "Fang Lijuan's": the name without its possessive ending
            end, text = end - len(possessive.group(0)), text[: possessive.start()]
        article = _LEADING_ARTICLE.match(text.casefold())
        if article and ent.label_ != "PERSON":
            start, text = start + article.end(), text[article.end():]
        descriptor = _LOWERCASE_LEAD.match(text) if ent.label_ == "PERSON" else None
        if descriptor:  # "volunteer Lü Ran": the model took the descriptor into the name
            start, text = start + descriptor.end(), text[descriptor.end():]
        entity_id = self.index.get(normalise(text))
        if entity_id:
            return Mention(start, end, text, self.entries[entity_id].label, entity_id, True)
        if ent.label_ == "PERSON":
            entity_id = derived_id("person", _HONORIFIC.sub("", text))
        else:
            entity_id = derived_id(ent.label_, text)
        return Mention(start, end, text, ent.label_, entity_id) if entity_id else None

    def _rejoin(self, text: str, mentions: list[Mention]) -> list[Mention]:
        """'Communication University of' + 'China': a gazetteer place inside a longer
        name stops the model at the place, leaving a name that ends in a preposition;
        joined again, the whole name is one mention."""
        joined: list[Mention] = []
        for mention in mentions:
            previous = joined[-1] if joined else None
            if (previous is not None and not previous.in_gazetteer and _DANGLING.search(previous.text)
                    and _JOINER.fullmatch(text[previous.end : mention.start])):
                name = text[previous.start : mention.end]
                entity_id = self.index.get(normalise(name))
                if entity_id:
                    joined[-1] = Mention(previous.start, mention.end, name, self.entries[entity_id].label, entity_id, True)
                else:
                    joined[-1] = Mention(previous.start, mention.end, name, previous.label, derived_id(previous.label, name))
                continue
            joined.append(mention)
        return joined

    @staticmethod
    def _surnamed(text: str, mentions: list[Mention]) -> list[Mention]:
        """'a debtor surnamed Zhou': the model rarely tags a lone surname after 'surnamed'."""
        found = []
        for match in _SURNAMED.finditer(text):
            start, end = match.span(1)
            if not any(m.start < end and start < m.end for m in mentions):
                found.append(Mention(start, end, match.group(1), "PERSON", derived_id("person", match.group(1))))
        return found


def _repeated_surnames(text: str, mentions: list[Mention]) -> list[Mention]:
    """Surnames of people named in full that the model missed or mislabelled on their own
    ("Wang has two children", tagged ORG): a capitalised word equal to such a surname is
    that person."""
    surnames = set()
    for mention in mentions:
        words = _HONORIFIC.sub("", mention.text).split()
        if mention.label == "PERSON" and len(words) > 1:
            surnames.update({words[0], words[-1]})
    if not surnames:
        return []
    for mention in mentions:
        if not mention.in_gazetteer and mention.label != "PERSON" and mention.text in surnames:
            mention.label = "PERSON"
    found = []
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(surnames, key=len, reverse=True))) + r")\b")
    for match in pattern.finditer(text):
        start, end = match.span()
        if not any(m.start < end and start < m.end for m in mentions):
            found.append(Mention(start, end, match.group(0), "PERSON", derived_id("person", match.group(0))))
    return found


def _attach_surnames(mentions: list[Mention]) -> None:
    """Point one-word person mentions at the full name in the same article that starts or
    ends with that word (Chinese names put the surname first, Western names last); the
    nearest full name before the mention wins, else the first one after it."""
    people = [m for m in mentions if m.label == "PERSON"]
    full = [(m, normalise(_HONORIFIC.sub("", m.text)).split()) for m in people]
    full = [(m, words) for m, words in full if len(words) > 1]
    for mention in people:
        words = normalise(_HONORIFIC.sub("", mention.text)).split()
        if len(words) != 1:
            continue
        candidates = [m for m, names in full if words[0] in (names[0], names[-1])]
        before = [m for m in candidates if m.start < mention.start]
        chosen = before[-1] if before else (candidates[0] if candidates else None)
        if chosen is not None:
            mention.entity_id = chosen.entity_id
