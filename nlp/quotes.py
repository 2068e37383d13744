"""Who is quoted, saying what, and for which organisation.

News writing attributes speech in a handful of fixed shapes, so rules over the named
entities and sentences find it without a dependency parser (tagging.py keeps the
parser out; bench/nlp_speed.py shows what it would cost):

  direct     "...," said Li Wei of the Hangzhou Intermediate People's Court.
             "...," said Li Wei, a judge at the Hangzhou Intermediate People's Court.
             "...," she said.          Li said: "..."
             a second quoted passage with no attribution continues the last speaker
  indirect   Zhang told Caixin that ...      Liu said the list had shrunk ...
             According to Wu, ...            ..., he said.

A speaker is resolved to a person entity when the text names one (a pronoun to the
person most recently named before it), and keeps the organisation and role the text
gives in apposition ("a judge at X", "of X", "court spokesman Li").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from nlp.linking import Mention

_VERBS = (
    r"said|says|say|told|tells|added|adds|explained|noted|argued|warned|stated|wrote|writes|insisted|claimed|"
    r"acknowledged|admitted|asked|suggested|stressed|emphasi[sz]ed|recalled|complained|conceded|believes|"
    r"believed|cautioned|countered|replied|recounted|observed|remarked|announced|confirmed"
)
_VERB = re.compile(rf"\b(?:{_VERBS})\b")
_QUOTED = re.compile(r"\u201c([^\u201d\n]+)\u201d|\"([^\"\n]+)\"")
# adverbs and auxiliaries that may stand between a speaker and the verb ("Liu also said")
_BETWEEN = r"(?:\s+(?:also|later|previously|then|once|has|had|have|further|again|recently|earlier))*"
_APPOSITION = re.compile(r"^\s*,\s+(?:(?:a|an|the)\s+)?(?P<role>[^,.;\"\u201c\u201d]{2,80}?)(?=\s*[,.;\"\u201c\u201d]|$)")
_OF_ORGANISATION = re.compile(r"^\s+(?:of|from|at|with)\s+(?P<org>[^,.;\"\u201c\u201d]{2,80})")
_ROLE_ORG_SPLIT = re.compile(r"\s+(?:at|of|with|from|for|in)\s+(?=the\s|[A-Z])")
# an apposition that is a clause ("who runs a shop", "adding that ...") gives no role
_RELATIVE = re.compile(r"(?:who|which|whose|whom|that|where|when)\b|.*\bthat\b", re.IGNORECASE)
# words before a name that make it something other than the speaker ("documents reviewed by X")
_NOT_ROLE_WORDS = re.compile(r"\b(?:by|of|from|with|in|to|for|on|at|and|or|that)\b|\w+ed\b", re.IGNORECASE)
_ACCORDING_TO = re.compile(r"\baccording to\s+", re.IGNORECASE)
_SENTENCE_OPENING = re.compile(r"\s*(?:(?:but|and|yet|however|meanwhile),?\s+)?", re.IGNORECASE)
# what may stand between a speaker's name and the verb: an apposition and adverbs
_NAME_TO_VERB = re.compile(rf"(?:\s*,[^\"\u201c\u201d]{{1,160}},)?{_BETWEEN}\s*")
# what may stand between the verb and the reported claim: "said on Monday that", "said, however, that";
# a time word is a word, never "that" nor a number ("said on Tuesday that 12.88 million ...")
_TIME_WORD = r"(?!that\b)[A-Za-z]+\b"
_THAT = re.compile(
    rf"^\s*,?\s*(?:(?:however|though|also|on (?:{_TIME_WORD} ){{0,2}}{_TIME_WORD}|last {_TIME_WORD}|this {_TIME_WORD}"
    r"|in a statement|in an interview"
    r"(?: with [^,]{1,40}?)?)\s*,?\s*)*"
    r"(?:(?:in|at|on|during|after|before|last|this)\b[^,.;]{0,60}?\s+(?=that\b))?(?:that\s+)?",
    re.IGNORECASE,
)
# "told Caixin that ...": without "that" what follows "told" is rarely the claim
_TOLD_OBJECT = re.compile(r"^\s+(?:[\w.'\u2019-]+\s+){1,5}?(?:that\s+|(?=[:,]))[:,]?\s*")
# ", deputy director of the enforcement bureau," / ", a lawyer,": a title set off by commas
_TITLE_APPOSITION = re.compile(
    r",\s+(?:(?:a|an|the)\s+[^,]{1,60}|[a-z][^,]{0,40}?\s(?:of|at|with|from|for)\s+(?:the\s+)?[^,]{1,80})(?=,)"
)
# a sentence whose subject is an unnamed person: "A product manager at a social app said ..."
_UNNAMED = re.compile(
    rf"\s*(?:(?:but|and|yet|however|meanwhile),?\s+)?(?:a|an|one)\s+(?P<who>[a-z][^,.;\"\u201c\u201d]{{2,80}}?)"
    rf"(?=\s+(?:{_VERBS})\b)",
    re.IGNORECASE,
)
# where the role in an unnamed speaker's description ends ("product manager | at a social app")
_DESCRIPTION_END = re.compile(r"\s+(?:at|of|with|from|for|in|on|who|based|familiar)\b")
_MIN_QUOTE_WORDS = 4
_MAX_ROLE_WORDS = 8


@dataclass
class FoundQuote:
    speaker: str
    quote: str
    entity_id: str | None
    organisation: str | None
    organisation_id: str | None
    role: str | None
    kind: str
    start_char: int


@dataclass
class _Speaker:
    name: str
    entity_id: str | None
    mention_end: int  # where the name ends in the text, to read the apposition after it
    mention: Mention | None
    role: str | None = None  # for an unnamed speaker, the role the description gives


def find_quotes(text: str, sentences: list[tuple[int, int]], mentions: list[Mention]) -> list[FoundQuote]:
    finder = _Finder(text, sentences, mentions)
    return finder.direct() + finder.indirect()


class _Finder:
    def __init__(self, text: str, sentences: list[tuple[int, int]], mentions: list[Mention]):
        self.text = text
        self.sentences = sentences
        self.sentence_starts = [s for s, _ in sentences]
        self.quoted = [
            (m.start(), m.end())
            for m in _QUOTED.finditer(text)
            if len((m.group(1) or m.group(2)).split()) >= _MIN_QUOTE_WORDS or (m.group(1) or m.group(2))[-1:] in ",.?!"
        ]
        self.mentions = mentions
        self.people = [m for m in mentions if m.label == "PERSON" and not self._inside_quote(m.start)]
        self.speakers = [m for m in mentions if m.label in {"PERSON", "ORG"} and not self._inside_quote(m.start)]
        # the fullest form each person is named by in this article: the name quotes report
        self.full_names: dict[str, str] = {}
        for m in self.people:
            if len(m.text) > len(self.full_names.get(m.entity_id, "")):
                self.full_names[m.entity_id] = m.text
        # unnamed speakers ("A product manager at a Guangzhou app said ..."), by where they speak
        self.unnamed: list[tuple[int, _Speaker]] = []
        for start, end in sentences:
            found = _UNNAMED.match(text, start, end)
            if found and not self._inside_quote(found.start("who")):
                description = found.group("who")
                role = _DESCRIPTION_END.split(description, 1)[0]
                self.unnamed.append(
                    (found.start("who"), _Speaker(description, None, found.end("who"), None, role.strip()))
                )

    # --- direct quotations ------------------------------------------------------------
    def direct(self) -> list[FoundQuote]:
        found: list[FoundQuote] = []
        last: tuple[_Speaker, int] | None = None  # previous speaker and the paragraph it spoke in
        for start, end in self.quoted:
            body = self.text[start + 1 : end - 1].strip().rstrip(",")
            speaker = self._speaker_after(end) or self._speaker_before(start)
            paragraph = self.text.count("\n", 0, start)
            if speaker is None and last is not None and last[1] == paragraph:
                speaker = last[0]
            if speaker is None:
                continue
            last = (speaker, paragraph)
            found.append(self._quote(speaker, body, "direct", start))
        return found

    def _speaker_after(self, quote_end: int) -> _Speaker | None:
        """'"...," said Li Wei' / '"...," Li Wei said' / '"...," she said' / '"...," according to Wu'."""
        window = self.text[quote_end : self._sentence_end(quote_end - 1)]
        verb_first = re.match(rf"^\s*,?\s*(?:{_VERBS})\s+", window)
        if verb_first:
            return self._name_at(quote_end + verb_first.end(), allow_role_words=True)
        according = re.match(r"^\s*,?\s*according to\s+", window, re.IGNORECASE)
        if according:
            return self._name_at(quote_end + according.end(), allow_role_words=True)
        name_first = re.match(rf"^\s*,?\s*(?P<who>[^,.;\"\u201c\u201d]{{1,60}}?){_BETWEEN}\s+(?:{_VERBS})\b", window)
        if name_first:
            return self._name_at(quote_end + name_first.start("who"), allow_role_words=True)
        return None

    def _speaker_before(self, quote_start: int) -> _Speaker | None:
        """'Li Wei said: "..."' / 'Li said, "..."'."""
        sentence_start = self._sentence_start(quote_start)
        window = self.text[sentence_start:quote_start]
        found = re.search(rf"(?P<who>[^,.;\"\u201c\u201d]{{1,60}}?){_BETWEEN}\s+(?:{_VERBS})(?:\s+\w+)?\s*[:,]?\s*$", window)
        if found:
            return self._name_at(sentence_start + found.start("who"), allow_role_words=True)
        return None

    # --- indirect speech --------------------------------------------------------------
    def indirect(self) -> list[FoundQuote]:
        found = []
        for start, end in self.sentences:
            # the words outside quotation marks; what follows a quotation is its attribution,
            # and what precedes one is a claim only when it ends a sentence of its own
            if any(quote_start <= start < quote_end for quote_start, quote_end in self.quoted):
                continue
            opening = next((qs for qs, _ in self.quoted if start <= qs < end), None)
            if opening is not None:
                if not re.search(r"[.!?]\s*$", self.text[start:opening]):
                    continue
                end = opening
            sentence = self.text[start:end]
            quote = self._according_to(sentence, start) or self._reported(sentence, start)
            if quote:
                found.append(quote)
        return found

    def _according_to(self, sentence: str, offset: int) -> FoundQuote | None:
        match = _ACCORDING_TO.search(sentence)
        if not match:
            return None
        speaker = self._name_at(offset + match.end(), allow_role_words=True)
        if speaker is None:
            return None
        if match.start() == 0 or not sentence[: match.start()].strip(" ,"):
            # "According to Wu Jing, deputy director of the bureau, local courts ...": the claim
            # starts after the speaker's title
            title = _TITLE_APPOSITION.match(self.text, speaker.mention_end, offset + len(sentence))
            after_name = title.end() - offset if title else speaker.mention_end - offset
            comma = sentence.find(",", after_name)
            body = sentence[comma + 1 :] if comma != -1 else ""
        else:
            body = sentence[: match.start()]
        body = _clean(body)
        return self._quote(speaker, body, "indirect", offset) if _is_claim(body) else None

    def _reported(self, sentence: str, offset: int) -> FoundQuote | None:
        for verb in _VERB.finditer(sentence):
            before = sentence[: verb.start()]
            tail = re.match(rf"^(?P<body>.+),\s*(?P<who>[^,]{{1,60}}?){_BETWEEN}\s*$", before)
            # '..., he said.' / '..., Liu said on Wednesday.'
            if tail and len(sentence[verb.end() :].split()) <= 4:
                speaker = self._name_at(offset + tail.start("who"), allow_role_words=False)
                if speaker:
                    body = _clean(tail.group("body"))
                    if _is_claim(body):
                        return self._quote(speaker, body, "indirect", offset)
            # 'Zhang told Caixin that ...' / 'Liu said the list had shrunk ...'
            subject = _SENTENCE_OPENING.match(before)
            speaker = self._name_at(offset + subject.end(), allow_role_words=True, until=offset + verb.start())
            speaker = speaker or next(
                (s for at, s in self.unnamed if offset <= at and s.mention_end <= offset + verb.start()
                 and not self.text[s.mention_end : offset + verb.start()].strip()), None)
            if speaker:
                rest = sentence[verb.end() :]
                lead = _TOLD_OBJECT.match(rest) if verb.group(0) in {"told", "tells"} else _THAT.match(rest)
                if lead is None:
                    continue
                body = _clean(rest[lead.end() :])
                if _is_claim(body):
                    return self._quote(speaker, body, "indirect", offset)
        return None

    # --- speakers ---------------------------------------------------------------------
    def _name_at(self, position: int, allow_role_words: bool, until: int | None = None) -> _Speaker | None:
        """The speaker named at `position`: a person or organisation entity starting there
        (after a few lower-case role words such as 'court spokesman' when allowed), or a
        pronoun resolved to the person most recently named before it.  With `until`,
        nothing but an apposition and adverbs may stand between the name and that
        position (the verb)."""
        window = self.text[position : position + 80]
        pronoun = re.match(r"\s*(he|she|they)\b", window, re.IGNORECASE)
        if pronoun:
            person = self._person_before(position)
            unnamed = [speaker for at, speaker in self.unnamed if at < position]
            if unnamed and (person is None or self.unnamed[len(unnamed) - 1][0] > person.start):
                return unnamed[-1]
            if person is None:
                return None
            return _Speaker(self.full_names.get(person.entity_id, person.text), person.entity_id,
                            position + pronoun.end(), None)
        limit = position + (40 if allow_role_words else 3)
        for mention in self.speakers:
            if position <= mention.start <= limit:
                lead = self.text[position : mention.start]
                if lead.strip() and (not re.fullmatch(r"\s*(?:[A-Za-z\-']+\s+){1,4}", lead) or _NOT_ROLE_WORDS.search(lead)):
                    return None
                if until is not None and not _NAME_TO_VERB.fullmatch(self.text[mention.end : until]):
                    return None
                name = self.full_names.get(mention.entity_id, mention.text) if mention.label == "PERSON" else mention.text
                return _Speaker(name, mention.entity_id, mention.end, mention)
            if mention.start > limit:
                break
        return None

    def _person_before(self, position: int) -> Mention | None:
        before = [m for m in self.people if m.end <= position]
        return before[-1] if before else None

    def _quote(self, speaker: _Speaker, body: str, kind: str, start: int) -> FoundQuote:
        role, organisation, organisation_id = self._affiliation(speaker)
        return FoundQuote(speaker.name, body, speaker.entity_id, organisation, organisation_id, role, kind, start)

    def _affiliation(self, speaker: _Speaker) -> tuple[str | None, str | None, str | None]:
        """Role and organisation as the article gives them for this speaker: an organisation
        speaks for itself; a person's come from the apposition after any mention of them
        (usually the first, where the full name is introduced) or the role words before it."""
        if speaker.mention is None and speaker.entity_id is None:
            return speaker.role, None, None
        if speaker.mention is not None and speaker.mention.label == "ORG":
            return None, speaker.mention.text, speaker.mention.entity_id
        mentions = [speaker.mention] if speaker.mention is not None else []
        mentions += [m for m in self.people if m.entity_id == speaker.entity_id and m is not speaker.mention]
        for mention in mentions:
            found = self._apposition(mention)
            if found != (None, None, None):
                return found
        return None, None, None

    def _apposition(self, mention: Mention) -> tuple[str | None, str | None, str | None]:
        after = self.text[mention.end : self._sentence_end(mention.end)]
        of_org = _OF_ORGANISATION.match(after)
        if of_org:
            organisation, organisation_id = self._organisation(mention.end + of_org.start("org"), of_org.group("org"))
            return None, organisation, organisation_id
        apposition = _APPOSITION.match(after)
        if (apposition and not _VERB.match(apposition.group("role")) and not _RELATIVE.match(apposition.group("role"))
                and not apposition.group("role")[0].isdigit()):
            phrase = apposition.group("role")
            phrase_start = mention.end + apposition.start("role")
            split = self._role_organisation_split(phrase, phrase_start)
            if split:
                role = phrase[: split.start()]
                organisation, organisation_id = self._organisation(phrase_start + split.end(), phrase[split.end() :])
            else:
                role, organisation, organisation_id = phrase, None, None
            role = re.sub(r"\s+(?:based|working|who)$", "", role.strip())
            if len(role.split()) <= _MAX_ROLE_WORDS:
                return role, organisation, organisation_id
        before = self.text[max(0, mention.start - 40) : mention.start]
        titles = re.search(
            rf"(?:^|\b(?:a|an|the|to|{_VERBS})\s+|[,.:]\s+)((?:[a-z][a-z\-]+\s+){{1,3}}?)(?:surnamed\s+)?$", before
        )
        if titles and not _VERB.search(titles.group(1)) and not re.search(r"\b(?:the|a|an|and|by|to|of|with)\s", titles.group(1)):
            return titles.group(1).strip(), None, None
        return None, None, None

    def _role_organisation_split(self, phrase: str, phrase_start: int) -> re.Match | None:
        """Where the role ends and the organisation begins in 'professor of law at Renmin
        University': before the organisation entity when there is one, else at the first
        preposition introducing a name or a definite phrase."""
        for mention in self.mentions:
            offset = mention.start - phrase_start
            if 0 < offset < len(phrase) and mention.label in {"ORG", "FAC", "GPE"}:
                prepositions = list(_ROLE_ORG_SPLIT.finditer(phrase, 0, offset + 1))
                if prepositions and prepositions[-1].end() >= offset - 4:  # "at (the) X"
                    return prepositions[-1]
        return _ROLE_ORG_SPLIT.search(phrase)

    def _organisation(self, position: int, phrase: str) -> tuple[str, str | None]:
        phrase = re.split(r"\s+(?:who|which|that|said|says)\b", phrase)[0].strip()
        for mention in self.mentions:
            if position <= mention.start < position + len(phrase) and mention.label in {"ORG", "FAC", "GPE"}:
                return mention.text, mention.entity_id
        return phrase, None

    # --- positions ----------------------------------------------------------------------
    def _inside_quote(self, position: int) -> bool:
        return any(s < position < e for s, e in self.quoted)

    def _sentence_index(self, position: int) -> int:
        return max(0, bisect.bisect_right(self.sentence_starts, position) - 1)

    def _sentence_start(self, position: int) -> int:
        return self.sentences[self._sentence_index(position)][0] if self.sentences else 0

    def _sentence_end(self, position: int) -> int:
        return self.sentences[self._sentence_index(position)][1] if self.sentences else len(self.text)


def _clean(body: str) -> str:
    return body.strip().strip(",").rstrip(".").strip()


def _is_claim(body: str) -> bool:
    return len(body.split()) >= _MIN_QUOTE_WORDS
