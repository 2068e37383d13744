"""Weighted term lists in English and Chinese, scored against a text.

Themes and relevance are both "does this text use the vocabulary of X, and how
much": one scorer serves both.  English terms match whole words and phrases,
case-insensitively, with flexible white space; Chinese terms match as substrings
(Chinese is written without spaces).  A term counts at most `cap` times so one
repeated word cannot carry a text on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class WeightedTerms:
    english: dict[str, float]
    chinese: dict[str, float] = field(default_factory=dict)
    cap: int = 3

    def __post_init__(self) -> None:
        # one alternation per language, longest phrases first so "social credit system"
        # is matched before "social credit"
        self._weights = {t.lower(): w for t, w in self.english.items()}
        self._weights.update(self.chinese)
        english = sorted(self.english, key=len, reverse=True)
        self._english_re = (
            re.compile(
                r"(?<![\w])(" + "|".join(r"\s+".join(map(re.escape, t.split())) for t in english) + r")(?![\w])",
                re.IGNORECASE,
            )
            if english
            else None
        )
        chinese = sorted(self.chinese, key=len, reverse=True)
        self._chinese_re = re.compile("|".join(map(re.escape, chinese))) if chinese else None

    def counts(self, text: str) -> dict[str, int]:
        found: dict[str, int] = {}
        if self._english_re:
            for match in self._english_re.finditer(text):
                key = " ".join(match.group(1).lower().split())
                found[key] = found.get(key, 0) + 1
        if self._chinese_re:
            for match in self._chinese_re.finditer(text):
                found[match.group(0)] = found.get(match.group(0), 0) + 1
        return found

    def score(self, text: str) -> float:
        return self.score_counts(self.counts(text))

    def score_counts(self, counts: dict[str, int]) -> float:
        """The score of terms already counted: each weight times its count, capped."""
        return sum(self._weights[t] * min(n, self.cap) for t, n in counts.items())

    def any_in(self, text: str) -> bool:
        return bool(self.counts(text))


def term_table(entry: dict, where: str) -> WeightedTerms:
    """Read `terms` / `terms_zh` tables of a data-file entry, with a clear error on bad values."""
    tables = {}
    for key in ("terms", "terms_zh"):
        table = entry.get(key, {})
        if not isinstance(table, dict) or not all(
            isinstance(w, (int, float)) and not isinstance(w, bool) for w in table.values()
        ):
            raise ValueError(f"{where}: field '{key}' must be a table of term = weight")
        tables[key] = {str(t): float(w) for t, w in table.items()}
    return WeightedTerms(tables["terms"], tables["terms_zh"])
