"""Is a page about credit systems?  A weighted vocabulary score against a threshold.

The crawler uses the score to prefer links from relevant pages; processing stores
it on each article as `relevance` and decides `is_relevant`.  Terms and threshold
live in `nlp/data/relevance.toml` so an operator can retune them without code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nlp.datafiles import read_data_file
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
    data, where = read_data_file("relevance.toml", path)
    threshold = data.get("threshold")
    if not isinstance(threshold, (int, float)):
        raise ValueError(f"{where}: field 'threshold' must be a number")
    return Relevance(term_table(data, where), float(threshold), str(data.get("version", "")))
