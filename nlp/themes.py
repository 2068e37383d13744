"""The fixed theme taxonomy of credit-system coverage (in the manner of GDELT's GKG themes).

Themes are data (`nlp/data/themes.toml`, versioned): each has weighted English and
Chinese terms, negative terms that exclude it, and a minimum score.  Every hit is
stored with its score and the taxonomy version, so counts made under different
versions are never mixed silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nlp.datafiles import read_data_file
from nlp.terms import WeightedTerms, term_table


THEME_FIELDS = {"id", "name", "description", "min_score", "terms", "terms_zh", "negative"}


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
        return cls(str(data.get("version", "")), themes)

    def score(self, text: str) -> list[tuple[str, float]]:
        """The themes this text carries, with their scores, best first."""
        hits = []
        for theme in self.themes:
            score = theme.terms.score(text)
            if score >= theme.min_score and not theme.negative.any_in(text):
                hits.append((theme.id, round(score, 3)))
        return sorted(hits, key=lambda hit: -hit[1])

    def catalog_rows(self) -> list[dict]:
        return [
            {"theme": t.id, "taxonomy_version": self.version, "name": t.name, "description": t.description}
            for t in self.themes
        ]


def _is_chinese(term: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in term)
