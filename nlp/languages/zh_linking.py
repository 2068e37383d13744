"""Ids for the names in a Chinese article: catalogue entries, courts by pattern, people.

* A gazetteer alias (最高人民法院, 芝麻信用) carries its entry's id, the same id the English
  name (Supreme People's Court, Sesame Credit) carries, so counts add up across languages.
* A court the gazetteer does not list is named by a fixed pattern (浙江省温州市中级人民法院,
  温州中院, 西湖区人民法院); it gets an id derived from its place and level
  (`court.zhejiang_wenzhou_intermediate_court`), the place's catalogue id giving the
  province when the text names only the city.
* A person named in full (王建国) gets `person.王建国`; a later surname with a title (王法官,
  王副院长) or the bare surname tagged by the model joins the nearest full name of that
  surname in the same article.
* An anonymised party (王某, 张某某) is not a person anyone could count across articles:
  its id is scoped to the article (a digest of its text), so two articles' 王某 never merge;
  so is a surname that no full name in the article explains (李副院长 alone).

All matching runs on the simplified copy of the text (zh_script); offsets are shared.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from nlp.datafiles import read_data_file
from nlp.gazetteer import Gazetteer
from nlp.languages.zh_script import simplified
from nlp.linking import Mention

_LEVELS = {"高级人民法院": "high_peoples_court", "中级人民法院": "intermediate_court", "互联网法院": "internet_court",
           "金融法院": "financial_court", "知识产权法院": "ip_court", "人民法院": "peoples_court"}
_ORDINALS = {"第一": "no1_", "第二": "no2_", "第三": "no3_", "第四": "no4_", "第五": "no5_"}
_PLACE_SUFFIX = "省|自治区|特别行政区|市|自治州|地区|盟|区|县|旗"


@dataclass
class NameLists:
    surnames: frozenset[str]
    anonymous: re.Pattern
    roles: list[str]

    @classmethod
    def load(cls) -> "NameLists":
        data, where = read_data_file("zh/names.toml")
        try:
            single = set(data["surnames"].split()[0]) if data["surnames"].split() else set()
            surnames = frozenset(single | set(data["compound_surnames"]))
            markers = "|".join(sorted(map(re.escape, data["anonymous_markers"]), key=len, reverse=True))
            roles = sorted(data["roles"], key=len, reverse=True)
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{where}: missing or malformed field {exc}") from None
        family = "|".join(sorted(map(re.escape, surnames), key=len, reverse=True))
        anonymous = re.compile(rf"(?:{family})(?:{markers})")
        return cls(surnames, anonymous, roles)


class ChineseLinker:
    def __init__(self, gazetteer: Gazetteer, names: NameLists):
        self.entries = {entry.id: entry for entry in gazetteer.entries}
        self.index: dict[str, str] = {}
        for entry in gazetteer.entries:
            for form in entry.surface_forms():
                self.index.setdefault(simplified(form).casefold(), entry.id)
        self.names = names
        places = "|".join(sorted((re.escape(f) for f in self.index if re.fullmatch(r"[\u4e00-\u9fff]{2,}", f)),
                                 key=len, reverse=True))
        han = r"(?:(?![和与及在的是对向从被由了据])[\u4e00-\u9fff])"
        self._court = re.compile(
            rf"(?P<province>{han}{{2,7}}?(?:省|自治区))?(?P<city>{han}{{1,6}}?(?:市|自治州|地区))?"
            rf"(?P<district>{han}{{1,6}}?(?:区|县|旗))?(?P<ordinal>第[一二三四五])?"
            rf"(?P<level>{'|'.join(_LEVELS)})"
            rf"|(?P<short>{places})(?P<abbreviation>[一二三四]?中院|高院)"
        )
        self.roles = re.compile("|".join(map(re.escape, names.roles)))

    def link(self, spans: list[tuple[int, int, str, str]], text: str, simple: str) -> list[Mention]:
        """Mentions of an article from its entity spans (start, end, label, gazetteer id or "")."""
        mentions = []
        for start, end, label, known in spans:
            mention = self._mention(start, end, label, known, text, simple)
            if mention is not None:
                mentions.append(mention)
        mentions.extend(self._courts(text, simple, mentions))
        mentions.extend(self._anonymous(text, simple, mentions))
        mentions.sort(key=lambda m: m.start)
        self._join_people(text, simple, mentions)
        return mentions

    def _mention(self, start, end, label, known, text, simple) -> Mention | None:
        surface = text[start:end]
        key = simple[start:end].casefold()
        entity_id = known if known in self.entries else self.index.get(key)
        if entity_id:
            return Mention(start, end, surface, self.entries[entity_id].label, entity_id, True)
        if label == "PERSON":
            if self.names.anonymous.fullmatch(key):
                return Mention(start, end, surface, label, _article_id("anonymous", key, text))
            return Mention(start, end, surface, label, f"person.{key}")
        court = self._court.match(key)
        if court and (court.end() == len(key) or label == "ORG"):
            # 杭州中院执行局: the court is what the catalogue counts; its office is not a name.
            # 人民法院 alone is courts in general, not one court.
            court_id = self._court_id(court)
            end = start + court.end()
            return Mention(start, end, text[start:end], "ORG", court_id) if court_id else None
        return Mention(start, end, surface, label, f"{label.lower()}.{key}")

    def _courts(self, text: str, simple: str, mentions: list[Mention]) -> list[Mention]:
        """Courts the model did not find as one name (or cut in two)."""
        found = []
        for match in self._court.finditer(simple):
            start, end = match.span()
            overlapping = [m for m in mentions if m.start < end and start < m.end]
            if any(m.start <= start and end <= m.end for m in overlapping):
                continue
            court_id = self._court_id(match)
            if not court_id:
                continue
            for m in overlapping:  # 温州市 + 中级人民法院: the court swallows its place
                mentions.remove(m)
            found.append(Mention(start, end, text[start:end], "ORG", court_id))
        return found

    def _court_id(self, match: re.Match) -> str:
        """The court's id, or "" when no place names it (人民法院: courts in general)."""
        if match.group("short"):
            place_id = self.index.get(match.group("short"))
            abbreviation = match.group("abbreviation")
            ordinal = {"一": "no1_", "二": "no2_", "三": "no3_", "四": "no4_"}.get(abbreviation[0], "")
            level = "high_peoples_court" if abbreviation == "高院" else f"{ordinal}intermediate_court"
            parts = self._places(place_id, match.group("short"))
        else:
            level = _ORDINALS.get(match.group("ordinal") or "", "") + _LEVELS[match.group("level")]
            parts = []
            for group in ("province", "city", "district"):
                name = match.group(group)
                if name:
                    place_id = self.index.get(name) or self.index.get(re.sub(f"(?:{_PLACE_SUFFIX})$", "", name))
                    parts += [slug for slug in self._places(place_id, name) if slug not in parts]
        known = f"court.{'_'.join(parts[-1:] + [level])}" if parts else ""
        if known in self.entries:  # the gazetteer's own id for 杭州中院, 北京一中院, ...
            return known
        return f"court.{'_'.join(parts + [level])}" if parts else ""

    def _places(self, place_id: str | None, name: str) -> list[str]:
        """Slugs of a place and the province above it: ['zhejiang', 'wenzhou']."""
        if not place_id:
            return [re.sub(f"(?:{_PLACE_SUFFIX})$", "", name) or name]
        chain, entry = [], self.entries.get(place_id)
        while entry is not None and entry.type not in ("country",):
            chain.insert(0, entry.id.split(".", 1)[1])
            entry = self.entries.get(entry.parent)
        return chain

    def _anonymous(self, text: str, simple: str, mentions: list[Mention]) -> list[Mention]:
        found = []
        for match in self.names.anonymous.finditer(simple):
            start, end = match.span()
            if any(m.start < end and start < m.end for m in mentions):
                continue
            found.append(Mention(start, end, text[start:end], "PERSON", _article_id("anonymous", match.group(0), text)))
        return found

    def _join_people(self, text: str, simple: str, mentions: list[Mention]) -> None:
        """Surnames with a title (王法官) and lone surnames join the nearest full name."""
        full = [m for m in mentions if m.label == "PERSON" and self._is_full_name(simple[m.start:m.end])]
        for mention in list(mentions):
            if mention.label != "PERSON" or mention in full or _article_scoped(mention):
                continue
            name = simple[mention.start:mention.end]
            surname = self._surname(name)
            if surname is None or (name != surname and not self.roles.fullmatch(name[len(surname):])):
                continue
            chosen = _nearest([m for m in full if simple[m.start:m.end].startswith(surname)], mention.start)
            # a surname no full name in the article explains is somebody in this article only
            mention.entity_id = chosen.entity_id if chosen is not None else _article_id("surname", surname, text)
        taken = [(m.start, m.end) for m in mentions]
        for person in full:
            surname = self._surname(simple[person.start:person.end])
            for match in re.finditer(rf"{re.escape(surname)}(?={self.roles.pattern})", simple):
                start, end = match.span()
                if start <= person.start or any(s < end and start < e for s, e in taken):
                    continue
                chosen = _nearest([m for m in full if simple[m.start:m.end].startswith(surname)], start)
                if chosen is person:
                    mentions.append(Mention(start, end, text[start:end], "PERSON", person.entity_id))
                    taken.append((start, end))
        mentions.sort(key=lambda m: m.start)

    def _is_full_name(self, name: str) -> bool:
        """王建国, not 王, 王某 or 王法官."""
        surname = self._surname(name)
        rest = name[len(surname):] if surname else ""
        return bool(rest) and not self.roles.fullmatch(rest) and not self.names.anonymous.fullmatch(name)

    def _surname(self, name: str) -> str | None:
        if name[:2] in self.names.surnames:
            return name[:2]
        return name[:1] if name[:1] in self.names.surnames else None


def _article_scoped(mention: Mention) -> bool:
    return mention.entity_id.startswith(("person.anonymous.", "person.surname."))


def _nearest(candidates: list[Mention], position: int) -> Mention | None:
    before = [m for m in candidates if m.start < position]
    return before[-1] if before else (candidates[0] if candidates else None)


def _article_id(kind: str, name: str, text: str) -> str:
    """An id valid only inside this article: 王某 here is nobody's 王某 elsewhere."""
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return f"person.{kind}.{name}.{digest}"
