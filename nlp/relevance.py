"""Is a page about credit systems?  A weighted vocabulary score against a threshold.

The crawler uses the score to prefer links from relevant pages; processing stores
it on each article as `relevance` and decides `is_relevant`.  Terms and threshold
live in `nlp/data/relevance.toml` so an operator can retune them without code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nlp.terms import WeightedTerms, term_table


@dataclass
class Relevance:
    terms: WeightedTerms
    threshold: float
    version: str

    def score(self, text: str) -> float:
        return round(self.terms.score(text), 3)

    def is_relevant(self, score: float) -> bool:
        return score >= self.threshold


def load_relevance(path: Path | None = None) -> Relevance:
    source = path or resources.files("nlp") / "data" / "relevance.toml"
    where = str(path or "nlp/data/relevance.toml")
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{where}: {exc}") from exc
    threshold = data.get("threshold")
    if not isinstance(threshold, (int, float)):
        raise ValueError(f"{where}: field 'threshold' must be a number")
    return Relevance(term_table(data, where), float(threshold), str(data.get("version", "")))
