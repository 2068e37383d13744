"""Corrections to the Chinese model's persons, places and organisations.

LAC tags names as they are written in running text; a few regular shapes it gets wrong
are fixed here by rule (data: nlp/data/zh/ner.toml): a pair of one-character country
names (中美) is two places, a place followed by 队 or 代表团 is an organisation, an
"organisation" that is only a place name ending in 市 or 县 is a place, and a person
written as surname and title (王法官, 胡老, 唐外长) is the surname: the title is a role,
which quotes report as such, and the linker joins the surname to the full name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.datafiles import read_data_file
from nlp.languages.zh_linking import NameLists


@dataclass
class NameRules:
    abbreviations: frozenset[str]
    team: re.Pattern
    place_suffixes: tuple[str, ...]
    organisation_words: re.Pattern
    names: NameLists
    titled: re.Pattern
    trailers: re.Pattern
    places: frozenset[str]
    organisations: frozenset[str]
    government: re.Pattern
    edges: str

    @classmethod
    def load(cls, names: NameLists) -> "NameRules":
        data, where = read_data_file("zh/ner.toml")
        try:
            team = "|".join(sorted(map(re.escape, data["team_suffixes"]), key=len, reverse=True))
            words = "|".join(map(re.escape, data["organisation_words"]))
            family = "|".join(sorted(map(re.escape, names.surnames), key=len, reverse=True))
            titles = "|".join(map(re.escape, names.roles))
            return cls(frozenset(data["abbreviations"]), re.compile(f"(?:{team})"),
                       tuple(data["place_suffixes"]), re.compile(f"(?:{words})"), names,
                       re.compile(f"(?P<surname>{family})(?:{titles})"),
                       re.compile("(?:" + "|".join(map(re.escape, data["place_trailers"])) + ")$"),
                       frozenset(data["places"]), frozenset(data["organisations"]),
                       re.compile("(?:" + "|".join(map(re.escape, data["government_words"])) + ")$"),
                       str(data["edge_characters"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{where}: missing or malformed field {exc}") from None

    def apply(self, text: str, words: list[tuple[int, int, str]], name_tags: dict[str, str]) -> list[tuple[int, int, str]]:
        """Persons, places and organisations (start, end, PER|LOC|ORG) among tagged words."""
        fixed = []
        for start, end, tag in words:
            name = text[start:end]
            label = name_tags.get(tag)
            if label is None:
                if name in self.places:
                    fixed.append((start, end, "LOC"))
                elif name in self.organisations:
                    fixed.append((start, end, "ORG"))
                continue
            trimmed = name.strip(self.edges)
            if trimmed != name and len(trimmed) >= 2:
                start, name = start + name.index(trimmed), trimmed
                end = start + len(name)
            if label == "ORG" and len(name) < 2:
                continue
            government = self.government.search(name) if label == "ORG" else None
            if government:
                if government.start() >= 2:
                    fixed.append((start, start + government.start(), "LOC"))
                continue
            if label == "LOC" and 1 < len(name) <= 3 and all(ch in self.abbreviations for ch in name):
                fixed.extend((start + i, start + i + 1, "LOC") for i in range(len(name)))
                continue
            if label == "PER":
                titled = self.titled.fullmatch(name)
                if titled:
                    fixed.append((start, start + titled.end("surname"), "PER"))
                    continue
            if label == "LOC":
                trailer = self.trailers.search(name)
                if trailer and trailer.start() >= 2:
                    fixed.append((start, start + trailer.start(), "LOC"))
                    continue
                team = self.team.match(text, end)
                if team:
                    fixed.append((start, team.end(), "ORG"))
                    continue
            if (label == "ORG" and name.endswith(self.place_suffixes)
                    and not self.organisation_words.search(name)):
                label = "LOC"
            fixed.append((start, end, label))
        return fixed
