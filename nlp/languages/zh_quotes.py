"""Who is quoted in a Chinese article, saying what, for which organisation.

Chinese news attributes speech in a few fixed shapes (verbs and markers are data,
nlp/data/zh/quotes.toml):

  direct     李明说：“……”        “……，”周华说。        “……”，该院指出。
             a quotation with no attribution continues the last speaker of its paragraph
  indirect   李明说，……。         赵刚表示，……。        据王芳介绍，……。
             ……，他说。           某部门在声明中指出，……。

The speaker is what stands before the verb, once adverbs, time words and a setting
(在接受记者采访时) are set aside: a person (with the organisation and role written before
the name: 杭州中院执行局局长王建国), a surname with a title (王法官), a pronoun (他/她, the
person named last), an organisation speaking for itself, or an unnamed member of one
(杭州市中级人民法院一位法官: the speaker is a judge of that court, not the court).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from nlp.datafiles import read_data_file
from nlp.linking import Mention
from nlp.quotes import FoundQuote

_MIN_CLAIM_CHARS = 4
_MIN_QUOTE_CHARS = 10  # shorter quotations count only when they end in punctuation
_ORGANISATIONS = frozenset({"ORG", "FAC", "GPE", "PRODUCT"})
_AFFILIATIONS = _ORGANISATIONS - {"GPE"}  # 杭州市民赵丽 lives in a city; she does not speak for it


@dataclass
class QuoteRules:
    verbs: re.Pattern
    according: re.Pattern
    between: re.Pattern
    pronouns: tuple[str, ...]
    unnamed: tuple[str, ...]
    existential: tuple[str, ...]
    offices: re.Pattern
    organisation_words: re.Pattern
    quoted: re.Pattern

    @classmethod
    def load(cls) -> "QuoteRules":
        data, where = read_data_file("zh/quotes.toml")
        try:
            verbs = "|".join(sorted(map(re.escape, data["verbs"]), key=len, reverse=True))
            according = "|".join(sorted(map(re.escape, data["according_to_verbs"]), key=len, reverse=True))
            words = "|".join(sorted(map(re.escape, data["between"]), key=len, reverse=True))
            ends = "".join(map(re.escape, data["setting_ends"]))
            marks = [(re.escape(a), re.escape(b)) for a, b in data["quote_marks"]]
            pronouns, unnamed = tuple(data["pronouns"]), tuple(data["unnamed_markers"])
            existential = tuple(data["existential"])
            offices = "|".join(sorted(map(re.escape, data["offices"]), key=len, reverse=True))
            ner, ner_where = read_data_file("zh/ner.toml")
            organisation_words = "|".join(sorted(map(re.escape, ner["organisation_words"]), key=len, reverse=True))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{where}: missing or malformed field {exc}") from None
        return cls(
            verbs=re.compile(f"(?:{verbs})"),
            according=re.compile(rf"据(?P<who>[^，,。！？“”]{{1,40}}?)(?:{according})[，,：:]"),
            between=re.compile(rf"(?:{words}|在[^，,。“”]{{1,20}}?[{ends}]|[，,])*"),
            pronouns=pronouns,
            unnamed=unnamed,
            existential=existential,
            offices=re.compile(f"(?:{offices})"),
            organisation_words=re.compile(f"(?:{organisation_words})$"),
            quoted=re.compile("|".join(f"{a}([^{b}\n]+){b}" for a, b in marks)),
        )


@dataclass
class _Speaker:
    name: str
    entity_id: str | None
    organisation: str | None = None
    organisation_id: str | None = None
    role: str | None = None


def find_quotes(text: str, simple: str, sentences: list[tuple[int, int]], mentions: list[Mention],
                rules: QuoteRules, roles: re.Pattern) -> list[FoundQuote]:
    return _Finder(text, simple, sentences, mentions, rules, roles).quotes()


class _Finder:
    def __init__(self, text, simple, sentences, mentions, rules: QuoteRules, roles: re.Pattern):
        self.text, self.simple, self.sentences = text, simple, sentences
        self.rules, self.roles = rules, roles
        self.quoted = [m.span() for m in rules.quoted.finditer(simple)]
        self.attributed: list[tuple[int, int]] = []  # quotations the direct pass gave a speaker
        self.mentions = [m for m in mentions if not self._inside_quote(m.start)]
        self.full_names: dict[str, str] = {}
        for m in self.mentions:
            if m.label == "PERSON" and len(m.text) > len(self.full_names.get(m.entity_id, "")):
                self.full_names[m.entity_id] = m.text

    def quotes(self) -> list[FoundQuote]:
        found, unattributed = self._direct()
        for start, end in self.sentences:
            quote = self._indirect(start, end)
            if quote is not None:
                found.append(quote)
        found.sort(key=lambda q: q.start_char)
        # a quotation with no attribution continues the last speaker of its paragraph
        for start, body in unattributed:
            paragraph = self.text.count("\n", 0, start)
            earlier = [q for q in found if q.start_char < start and self.text.count("\n", 0, q.start_char) == paragraph]
            if earlier:
                found.append(replace(earlier[-1], quote=body, kind="direct", start_char=start))
        found.sort(key=lambda q: q.start_char)
        return _same_unnamed_speakers(found)

    # --- direct quotations ------------------------------------------------------------
    def _direct(self) -> tuple[list[FoundQuote], list[tuple[int, str]]]:
        found, unattributed = [], []
        for start, end in self.quoted:
            body = self.text[start + 1 : end - 1].strip().rstrip("，,")
            if len(body) < _MIN_QUOTE_CHARS and body[-1:] not in "，,。！？!?":
                continue  # a name or a slogan in quotation marks (“信用中国”, “有进有出”), not speech
            speaker = self._speaker_before(start) or self._speaker_after(end)
            if speaker is None:
                unattributed.append((start, body))
                continue
            self.attributed.append((start, end))
            found.append(self._quote(speaker, body, "direct", start))
        return found, unattributed

    def _speaker_after(self, quote_end: int) -> _Speaker | None:
        """“……，”周华说。 / “……”，该院指出。"""
        window_end = min(len(self.simple), quote_end + 60)
        window = self.simple[quote_end:window_end]
        lead = re.match(r"[，,]?", window).end()
        stop = re.search(r"[。！？，,：:“\n]", window[lead:])
        clause_end = quote_end + lead + (stop.start() if stop else len(window) - lead)
        for verb in self.rules.verbs.finditer(self.simple, quote_end + lead, clause_end):
            speaker = self._subject(quote_end + lead, verb.start())
            if speaker is not None:
                return speaker
        return None

    def _speaker_before(self, quote_start: int) -> _Speaker | None:
        """李明说：“……” / 他表示：“……”"""
        head = self.simple[self._sentence_start(quote_start):quote_start]
        verb = re.search(rf"({self.rules.verbs.pattern})[：:，,]?\s*$", head)
        if not verb:
            return None
        verb_start = quote_start - len(head) + verb.start()
        return self._subject(self._clause_start(verb_start), verb_start)

    # --- indirect speech --------------------------------------------------------------
    def _indirect(self, start: int, end: int) -> FoundQuote | None:
        if any(qs <= start < qe for qs, qe in self.quoted):
            return None
        sentence = self.simple[start:end]
        according = self.rules.according.search(sentence)
        if according and not self._inside_quote(start + according.start()):
            speaker = self._subject(start + according.start("who"), start + according.end("who"))
            body = self._claim(start + according.end(), end)
            if speaker is not None and body:
                return self._quote(speaker, body, "indirect", start)
        for verb in self.rules.verbs.finditer(self.simple, start, end):
            if self._inside_quote(verb.start()):
                continue
            after = self.simple[verb.end():end]
            clause_start = self._clause_start(verb.start())
            if clause_start > start and re.fullmatch(r"[。！？.!?\s]*", after):
                # ……，他说。 the attribution ends the sentence; the claim is before it
                speaker = self._subject(clause_start, verb.start())
                body = self._claim(start, clause_start)
            else:
                # 李明说，……。 the claim follows the verb, after an optional comma or colon
                if "“" in after[:2] or "「" in after[:2] or clause_start != start and not self._is_subject_clause(
                        start, clause_start):
                    continue
                speaker = self._subject(clause_start, verb.start())
                body = self._claim(verb.end(), end)
            if speaker is not None and body:
                return self._quote(speaker, body, "indirect", start)
        return None

    def _is_subject_clause(self, start: int, clause_start: int) -> bool:
        """A comma after an opening time or place phrase (近日，李明说) still opens the sentence."""
        return clause_start - start <= 12 and not any(start <= m.start < clause_start for m in self.mentions)

    def _claim(self, start: int, end: int) -> str | None:
        body = self.text[start:end].strip().lstrip("，,：:").rstrip("。！？.!?，, ").strip()
        if any(start <= quote_start < end for quote_start, _ in self.attributed):
            return None  # the quotation is the claim, and the direct pass has it
        return body if len(body) >= _MIN_CLAIM_CHARS else None

    # --- speakers ---------------------------------------------------------------------
    def _subject(self, start: int, verb_start: int, resolve_pronouns: bool = True) -> _Speaker | None:
        """The speaker written between `start` and the verb, or None when what stands there
        is not a speaker (a claim, a place, an object)."""
        # set aside adverbs, time words and settings before the verb
        subject = _strip_suffix(self.simple[start:verb_start], self.rules.between)
        end = start + len(subject)
        if not subject:
            return None
        for pronoun in self.rules.pronouns:
            if subject.endswith(pronoun) and len(subject) - len(pronoun) <= 2:
                return self._pronoun(start) if resolve_pronouns else None
        inside = [m for m in self.mentions if start <= m.start and m.end <= end]
        if inside and inside[-1].end == end:
            last = inside[-1]
            if last.label == "PERSON":
                organisation = next((m for m in reversed(inside[:-1]) if m.label in _AFFILIATIONS), None)
                role_from = organisation.end if organisation else start
                role = self._role_in(role_from, last.start) or self._role_in(last.start, last.end)
                if not self._only_descriptors(start, last.start, inside[:-1]):
                    return None
                return _Speaker(self.full_names.get(last.entity_id, last.text), last.entity_id,
                                organisation.text if organisation else None,
                                organisation.entity_id if organisation else None, role)
            if last.label in _ORGANISATIONS and end - start - (last.end - last.start) <= 16:
                return _Speaker(last.text, last.entity_id, last.text, last.entity_id, None)
            return None
        office = inside[-1] if inside and inside[-1].label in _ORGANISATIONS else None
        if office is not None and self.rules.offices.fullmatch(self.simple, office.end, end):
            # 杭州市中级人民法院执行局 / 国家发展改革委办公厅: an office of that organisation speaks
            return _Speaker(self.text[office.start:end], None, office.text, office.entity_id, None)
        role = re.search(f"(?:{self.roles.pattern})$", subject)
        if role:
            person = next((m for m in reversed(inside) if m.label == "PERSON" and m.end == start + role.start()), None)
            if person is not None:  # 王法官 / 王建国法官; 王女士 with no full name is known by both
                name = self.full_names.get(person.entity_id, person.text)
                if person.entity_id.startswith("person.surname."):
                    name = self.text[person.start:end]
                return _Speaker(name, person.entity_id, None, None, role.group(0))
            before = subject[: role.start()]
            marker = next((w for w in self.rules.unnamed if before.endswith(w)), None)
            if before in self.rules.existential:  # 也有专家提醒: some expert, the role alone
                start, before = start + len(before), ""
            if marker is not None or not before.strip():
                # 杭州市中级人民法院一位法官: an unnamed judge of that court
                member_start = start + len(before) - len(marker or "")
                unnamed = self.text[member_start:end]
                organisation, organisation_id = self._organisation_before(
                    [m for m in inside if m.end <= member_start], member_start)
                return _Speaker(unnamed, None, organisation, organisation_id, role.group(0))
            organisation = next((m for m in reversed(inside) if m.label in _ORGANISATIONS), None)
            if organisation is not None and organisation.end == start + role.start():
                return _Speaker(self.text[organisation.start:end], None, organisation.text, organisation.entity_id,
                                role.group(0))
        return None

    def _organisation_before(self, before: list[Mention], position: int) -> tuple[str | None, str | None]:
        """The organisation written last before `position`: a name of one, or a place with an
        organisation word after it (香港律师会, a body the catalogue does not know, has no id)."""
        organisation = next((m for m in reversed(before) if m.label in _ORGANISATIONS), None)
        if organisation is None:
            return None, None
        gap = self.simple[organisation.end:position]
        if gap and len(gap) <= 6 and self.rules.organisation_words.search(gap):
            return self.text[organisation.start:position], None
        return organisation.text, organisation.entity_id

    def _only_descriptors(self, start: int, person_start: int, before: list[Mention]) -> bool:
        """Between the clause start and the name stand only organisations and titles, or a
        description ending in 的 and a title or an occupation (湖州一家纺织企业的负责人吴建平,
        在深圳工作的程序员冯俊)."""
        rest = self.simple[start:person_start]
        if re.search(f"的(?:{self.roles.pattern}|[\u4e00-\u9fff]{{1,4}})$", rest):
            return True
        for m in reversed(before):
            rest = rest.replace(self.simple[m.start:m.end], "")
        rest = self.roles.sub("", rest)
        return len(re.sub(r"[的、和及与\s]", "", rest)) <= 4

    def _role_in(self, start: int, end: int) -> str | None:
        roles = list(self.roles.finditer(self.simple, start, end))
        return roles[-1].group(0) if roles else None

    def _pronoun(self, position: int) -> _Speaker | None:
        people = [m for m in self.mentions if m.label == "PERSON" and m.end <= position
                  and not m.entity_id.startswith("person.anonymous.")]
        unnamed = self._unnamed_speaker_between(people[-1].end if people else 0, position)
        if unnamed is not None:  # 香港律师会一名代表说…… “……”他说: the representative, not the person named before
            return unnamed
        if not people:
            return None
        person = people[-1]
        return _Speaker(self.full_names.get(person.entity_id, person.text), person.entity_id)

    def _unnamed_speaker_between(self, start: int, end: int) -> _Speaker | None:
        """The last unnamed speaker (一名代表, 一位法官) attributed between `start` and `end`."""
        found = None
        for verb in self.rules.verbs.finditer(self.simple, start, end):
            if self._inside_quote(verb.start()):
                continue
            speaker = self._subject(max(start, self._clause_start(verb.start())), verb.start(), resolve_pronouns=False)
            if speaker is not None and speaker.entity_id is None and speaker.role:
                found = speaker
        return found

    def _quote(self, speaker: _Speaker, body: str, kind: str, start: int) -> FoundQuote:
        organisation, organisation_id, role = speaker.organisation, speaker.organisation_id, speaker.role
        if speaker.entity_id and speaker.entity_id.startswith("person.") and not (organisation or role):
            organisation, organisation_id, role = self._affiliation(speaker.entity_id)
        return FoundQuote(speaker.name, body, speaker.entity_id, organisation, organisation_id, role, kind, start)

    def _affiliation(self, entity_id: str) -> tuple[str | None, str | None, str | None]:
        """The organisation and title written before the person's first full mention."""
        for mention in self.mentions:
            if mention.entity_id != entity_id:
                continue
            clause = self._clause_start(mention.start)
            before = [m for m in self.mentions if clause <= m.start and m.end <= mention.start]
            organisation = next((m for m in reversed(before) if m.label in _AFFILIATIONS), None)
            role = self._role_in(organisation.end if organisation else clause, mention.start)
            role = role or next((r.group(0) for r in [self.roles.match(self.simple, mention.end)] if r), None)
            if organisation or role:
                return (organisation.text if organisation else None,
                        organisation.entity_id if organisation else None, role)
        return None, None, None

    # --- positions ----------------------------------------------------------------------
    def _inside_quote(self, position: int) -> bool:
        return any(s < position < e for s, e in self.quoted)

    def _sentence_start(self, position: int) -> int:
        starts = [s for s, _ in self.sentences if s <= position]
        return starts[-1] if starts else 0

    def _clause_start(self, position: int) -> int:
        sentence_start = self._sentence_start(position)
        commas = [m.end() for m in re.finditer(r"[，,；;：:”」]", self.simple[sentence_start:position])]
        return sentence_start + commas[-1] if commas else sentence_start


def _same_unnamed_speakers(found: list[FoundQuote]) -> list[FoundQuote]:
    """该负责人 / 该法官 is the unnamed official of that role quoted before: the same speaker."""
    resolved = []
    for quote in found:
        if quote.entity_id is None and quote.role and quote.speaker == f"该{quote.role}":
            earlier = [q for q in resolved if q.entity_id is None and q.role == quote.role]
            if earlier:
                quote = replace(quote, speaker=earlier[-1].speaker, organisation=earlier[-1].organisation,
                                organisation_id=earlier[-1].organisation_id)
        resolved.append(quote)
    return resolved


def _strip_suffix(text: str, pattern: re.Pattern) -> str:
    """`text` without the longest run of `pattern` words at its end."""
    for cut in range(len(text)):
        if pattern.fullmatch(text, cut) and text[cut:]:
            return text[:cut]
    return text
