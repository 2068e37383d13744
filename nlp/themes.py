"""The fixed theme taxonomy of credit-system coverage (in the manner of GDELT's GKG themes).

Themes are data (`nlp/data/themes.toml`, versioned): each has weighted English and
Chinese terms, negative terms that exclude it, and a minimum score.  Every hit is
stored with its score and the taxonomy version, so counts made under different
versions are never mixed silently.

A theme's minimum is set for an article of several paragraphs, which repeats its
vocabulary; a text of one or two sentences says what it is about once.  So the
minimum shrinks in proportion to the text's length below `[scoring] full_length_words`,
never below `short_text_floor` of itself, and a short text still needs two term
occurrences: one passing mention never carries a theme.  docs/themes.md explains
the scoring with worked examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from nlp.datafiles import read_data_file
from nlp.terms import WeightedTerms, term_table


THEME_FIELDS = {"id", "name", "description", "min_score", "terms", "terms_zh", "negative"}
SCORING_FIELDS = {"full_length_words", "short_text_floor"}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")


@dataclass
class Theme:
    id: str
    name: str
    description: str
    terms: WeightedTerms
    negative: WeightedTerms
    min_score: float


@dataclass
class Taxonomy:
    version: str
    themes: list[Theme]
    full_length_words: int = 120
    short_text_floor: float = 0.6

    @classmethod
    def load(cls, path: Path | None = None) -> "Taxonomy":
        data, where = read_data_file("themes.toml", path)
        themes, seen = [], set()
        for number, entry in enumerate(data.get("theme", []), 1):
            theme_id = entry.get("id")
            here = f"{where}: theme {theme_id or '#' + str(number)}"
            if not theme_id or theme_id in seen:
                raise ValueError(f"{here}: field 'id' must be present and unique")
            if not isinstance(entry.get("min_score"), (int, float)):
                raise ValueError(f"{here}: field 'min_score' must be a number")
            negative = entry.get("negative", [])
            if not isinstance(negative, list) or not all(isinstance(term, str) and term.strip() for term in negative):
                raise ValueError(f"{here}: field 'negative' must be a list of terms")
            unknown = sorted(set(entry) - THEME_FIELDS)
            if unknown:
                raise ValueError(f"{here}: unknown field(s) {', '.join(unknown)} (a typo would silently drop terms)")
            if entry["min_score"] <= 0:
                raise ValueError(f"{here}: field 'min_score' must be above 0, or every text would carry the theme")
            seen.add(theme_id)
            themes.append(
                Theme(
                    id=theme_id,
                    name=entry.get("name", theme_id),
                    description=entry.get("description", ""),
                    terms=term_table(entry, here),
                    negative=WeightedTerms(
                        {t: 1.0 for t in negative if not _is_chinese(t)},
                        {t: 1.0 for t in negative if _is_chinese(t)},
                    ),
                    min_score=float(entry["min_score"]),
                )
            )
        if not themes:
            raise ValueError(f"{where}: no [[theme]] entries")
        if not str(data.get("version", "")).strip():
            raise ValueError(f"{where}: field 'version' must be set, so counts under different taxonomies never mix")
        return cls(str(data.get("version", "")), themes, **_scoring(data.get("scoring", {}), where))

    def score(self, text: str) -> list[tuple[str, float]]:
        """The themes this text carries, with their scores, best first."""
        share = None  # measured only when a score falls short of a full minimum
        hits = []
        for theme in self.themes:
            counts = theme.terms.counts(text)
            score = theme.terms.score_counts(counts)
            enough = score >= theme.min_score
            if not enough and score >= theme.min_score * self.short_text_floor and sum(counts.values()) >= 2:
                share = self.length_share(text) if share is None else share
                enough = score >= theme.min_score * share
            if enough and not theme.negative.any_in(text):
                hits.append((theme.id, round(score, 3)))
        return sorted(hits, key=lambda hit: -hit[1])

    def length_share(self, text: str) -> float:
        """How much of a theme's minimum this text must reach: 1 for a full-length
        article, less for a short one, never below the floor.  Length is counted in
        words, a Han character counting as half a word."""
        words = len(_WORD.findall(_HAN.sub(" ", text))) + len(_HAN.findall(text)) / 2
        return max(self.short_text_floor, min(1.0, words / self.full_length_words))

    def catalog_rows(self) -> list[dict]:
        return [
            {"theme": t.id, "taxonomy_version": self.version, "name": t.name, "description": t.description}
            for t in self.themes
        ]


def _scoring(table: object, where: str) -> dict:
    """The `[scoring]` table: how short texts are scored (defaults when absent)."""
    if not isinstance(table, dict):
        raise ValueError(f"{where}: [scoring] must be a table")
    unknown = sorted(set(table) - SCORING_FIELDS)
    if unknown:
        raise ValueError(f"{where}: [scoring] has unknown field(s) {', '.join(unknown)}")
    scoring = {}
    if "full_length_words" in table:
        words = table["full_length_words"]
        if not isinstance(words, int) or isinstance(words, bool) or words < 1:
            raise ValueError(f"{where}: [scoring] field 'full_length_words' must be a whole number above 0")
        scoring["full_length_words"] = words
    if "short_text_floor" in table:
        floor = table["short_text_floor"]
        if not isinstance(floor, (int, float)) or isinstance(floor, bool) or not 0 < floor <= 1:
            raise ValueError(f"{where}: [scoring] field 'short_text_floor' must be above 0 and at most 1")
        scoring["short_text_floor"] = float(floor)
    return scoring


def _is_chinese(term: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in term)
