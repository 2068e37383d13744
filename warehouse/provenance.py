"""Where a reported figure came from: the reports of one quantity across outlets and time.

A number such as "4.9 million people barred from flights" travels: one outlet reports it
first, others repeat it for months or years, some rounding it (4.87 million becomes 4.9
million) or giving it in another currency.  Two reports are of the same quantity when

- **the unit is the same** after fixed conversions (warehouse/figure_unit_scales.toml:
  kilometres are 1,000 metres), or one of them restates the other's currency through the
  conversion an article gives itself ("RMB 97 billion ($14 billion)", linked by
  `figures.converted_from`).  Exchange rates change, so currencies are never converted
  otherwise; million and billion are already part of the stored value;
- **the value is equal up to rounding**: the less precise value is the more precise one
  rounded to its own last written digit (4,870,000 rounded to hundred thousands is
  4,900,000), and the two differ by at most `TOLERANCE` (5%) of the larger, so a rounding
  to one significant digit (3.2 million as 3 million) is a different figure.  A round
  number is read as rounded, so "40 days" also groups with "41 days".  Values reached
  through a currency conversion match within `TOLERANCE` alone, since each outlet converts
  at its own day's rate;
- **the subject is the same**: the key terms of the subjects (content words, plurals
  folded, the unit's own word left out; the sentence's words when a subject has none)
  overlap in at least `TERM_OVERLAP` (two thirds) of the smaller set; and the catalogue
  entities agree: places and organisations named in both figures' sentences must
  coincide in one at least, and those named in one sentence must appear somewhere in the
  other article (people are left out: they are usually who said it, not what it counts).

Reports are taken in order of publication; each joins the earliest group whose *first*
report it matches (never a later member, so rounding cannot drift along a chain) or starts
a group.  An article counts once per group (its first mention); undated articles are left
out, since they cannot be placed in time; a group needs two articles.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import tomllib
from bisect import bisect_left, insort
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources

import duckdb
import pyarrow as pa

TOLERANCE = 0.05
TERM_OVERLAP = 2 / 3
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")
_POSSESSIVE = re.compile(r"['\u2019]s\b")
_NUMBER_WORDS = frozenset("thousand thousands million millions billion billions trillion hundred hundreds "
                          "dozen dozens bn mn".split())


@dataclass(frozen=True)
class Reading:
    """A report's value in a base unit; `quantum` is its written precision in that unit."""

    unit: str
    value: float
    quantum: float
    converted: bool = False  # reached through the article's own currency conversion


@dataclass
class Report:
    """One figure as an article reports it, with what it is compared by."""

    article_id: str
    start_char: int
    published_at: datetime
    readings: list[Reading]
    terms: frozenset[str]
    sentence_entities: frozenset[str] = frozenset()
    article_entities: frozenset[str] = frozenset()


@dataclass
class Group:
    first: Report
    members: list[tuple[Report, Reading, Reading]] = field(default_factory=list)  # report, its reading, first's

    @property
    def group_id(self) -> str:
        return hashlib.sha1(f"{self.first.article_id}:{self.first.start_char}".encode()).hexdigest()[:16]


@functools.cache
def unit_scales() -> dict[str, tuple[str, float]]:
    data = tomllib.loads((resources.files("warehouse") / "figure_unit_scales.toml").read_text(encoding="utf-8"))
    return {unit: (base, float(factor)) for unit, (base, factor) in data["scales"].items()}


@functools.cache
def _stopwords() -> frozenset[str]:
    text = (resources.files("warehouse") / "stopwords_en.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def written_quantum(value: float) -> float:
    """The place of the last written digit: 4,900,000 -> 100,000; 4.87 -> 0.01; 1,850 -> 10."""
    exponent = Decimal(repr(abs(value))).normalize().as_tuple().exponent
    return 10.0 ** exponent


def reading(unit: str, value: float, converted: bool = False) -> Reading:
    base, factor = unit_scales().get(unit, (unit, 1.0))
    return Reading(base, value * factor, written_quantum(value) * factor, converted)


def key_terms(text: str, unit: str = "") -> frozenset[str]:
    """Content words, plurals folded ("flights" -> "flight"), without the unit's own word."""
    unit_words = {_fold(w) for w in _WORD.findall(unit.lower())}
    terms = set()
    for word in _WORD.findall(_POSSESSIVE.sub("", text.lower())):
        if word in _stopwords() or word in _NUMBER_WORDS:
            continue
        folded = _fold(word)
        if folded not in unit_words:
            terms.add(folded)
    return frozenset(terms)


def _fold(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def same_value(a: Reading, b: Reading) -> bool:
    if a.unit != b.unit or a.value <= 0 or b.value <= 0:
        return False
    if abs(a.value - b.value) > TOLERANCE * max(a.value, b.value):
        return False
    if a.converted or b.converted or a.value == b.value:
        return True
    coarse, fine = (a, b) if a.quantum >= b.quantum else (b, a)
    if coarse.quantum == fine.quantum:
        return False  # written to the same digit and different: another figure
    steps = (Decimal(repr(fine.value)) / Decimal(repr(coarse.quantum))).quantize(Decimal(1), ROUND_HALF_UP)
    return math.isclose(float(steps) * coarse.quantum, coarse.value, rel_tol=1e-9)


def same_subject(a: Report, b: Report) -> bool:
    if not a.terms or not b.terms:
        return False
    if len(a.terms & b.terms) < TERM_OVERLAP * min(len(a.terms), len(b.terms)):
        return False
    return _entities_agree(a, b) and _entities_agree(b, a)


def _entities_agree(a: Report, b: Report) -> bool:
    if a.sentence_entities and b.sentence_entities:
        return bool(a.sentence_entities & b.sentence_entities)
    if a.sentence_entities and b.article_entities:
        return bool(a.sentence_entities & b.article_entities)
    return True


def matching_readings(first: Report, report: Report) -> tuple[Reading, Reading] | None:
    """The report's reading and the first report's it equals (own units before conversions)."""
    for mine in report.readings:
        for theirs in first.readings:
            if same_value(mine, theirs):
                return mine, theirs
    return None


def group_reports(reports: list[Report]) -> list[Group]:
    """Groups of two articles or more, each with its first report and later repetitions."""
    groups: list[Group] = []
    # (unit, key term) -> sorted (first report's value, group): a match shares a unit and a term
    index: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    articles_of: list[set[str]] = []
    for report in sorted(reports, key=lambda r: (r.published_at, r.article_id, r.start_char)):
        chosen = None
        for number in sorted(_candidates(index, report)):
            group = groups[number]
            if not same_subject(group.first, report):
                continue
            readings = matching_readings(group.first, report)
            if readings is not None:
                chosen = (number, readings)
                break
        if chosen is None:
            groups.append(Group(report))
            articles_of.append({report.article_id})
            for r in report.readings:
                for term in report.terms:
                    insort(index[(r.unit, term)], (r.value, len(groups) - 1))
            continue
        number, (mine, theirs) = chosen
        if report.article_id not in articles_of[number]:  # an article's later mentions repeat its own report
            groups[number].members.append((report, mine, theirs))
            articles_of[number].add(report.article_id)
    return [group for group in groups if group.members]


def _candidates(index: dict[tuple[str, str], list[tuple[float, int]]], report: Report) -> set[int]:
    found = set()
    for r in report.readings:
        for term in report.terms:
            values = index.get((r.unit, term), [])
            low = bisect_left(values, (r.value * (1 - TOLERANCE), -1))
            for value, number in values[low:]:
                if value > r.value * (1 + TOLERANCE):
                    break
                found.add(number)
    return found


# -- the snapshot ------------------------------------------------------------------------

# Only figures with a value near one of another article's (same unit, within about 10%) are
# read into Python: buckets of width ln(1 + 2 * TOLERANCE) hold any two values within
# TOLERANCE in the same or neighbouring buckets, so the filter never drops a match.
_REPORTS_SQL = """
WITH dated AS (
    SELECT article_id, published_at, text FROM articles WHERE is_relevant AND published_at IS NOT NULL
), readings AS (
    SELECT f.article_id, coalesce(f.converted_from, f.start_char) AS start_char,
           coalesce(scales.base, f.unit) AS unit,
           floor(ln(f.value * coalesce(scales.factor, 1)) / ln(1 + 2 * $tolerance)) AS bucket
    FROM figures f SEMI JOIN dated USING (article_id)
    LEFT JOIN (SELECT unnest($units) AS unit, unnest($bases) AS base, unnest($factors) AS factor) scales
        ON scales.unit = f.unit
    WHERE f.value > 0
), shared AS (
    SELECT unit, bucket + nearby AS bucket
    FROM (SELECT DISTINCT unit, bucket, article_id FROM readings), (VALUES (-1), (0), (1)) AS t(nearby)
    GROUP BY ALL
    HAVING count(DISTINCT article_id) > 1
), candidates AS (
    SELECT DISTINCT article_id, start_char FROM readings SEMI JOIN shared USING (unit, bucket)
), reported AS (
    SELECT f.article_id, f.start_char, f.value, f.unit, f.subject, f.sentence, d.published_at,
           greatest(f.start_char - length(f.sentence), 0) AS around_start,
           substr(d.text, greatest(f.start_char - length(f.sentence), 0) + 1, 2 * length(f.sentence) + 1) AS around
    FROM figures f JOIN dated d USING (article_id) SEMI JOIN candidates USING (article_id, start_char)
    WHERE f.converted_from IS NULL AND f.value > 0
), placed AS (
    SELECT *, CASE WHEN instr(around, sentence) > 0 THEN around_start + instr(around, sentence) - 1 END AS sentence_start
    FROM reported
), conversions AS (
    SELECT c.article_id, c.converted_from AS start_char,
           list(c.unit ORDER BY c.start_char) AS units, list(c.value ORDER BY c.start_char) AS amounts
    FROM figures c SEMI JOIN candidates ON candidates.article_id = c.article_id
        AND candidates.start_char = c.converted_from
    GROUP BY ALL
), in_sentence AS (
    SELECT p.article_id, p.start_char, list(DISTINCT e.entity_id) AS entities
    FROM placed p JOIN entities e ON e.article_id = p.article_id AND e.start_char >= p.sentence_start
        AND e.end_char <= p.sentence_start + length(p.sentence)
    WHERE e.entity_id IS NOT NULL AND e.label <> 'PERSON'
    GROUP BY ALL
), in_article AS (
    SELECT article_id, list(entity_id) AS entities
    FROM article_entities SEMI JOIN candidates USING (article_id)
    WHERE label <> 'PERSON'
    GROUP BY article_id
)
SELECT p.article_id, p.start_char, p.published_at, p.value, p.unit, p.subject, p.sentence,
       conversions.units, conversions.amounts, in_sentence.entities, in_article.entities
FROM placed p
LEFT JOIN conversions USING (article_id, start_char)
LEFT JOIN in_sentence USING (article_id, start_char)
LEFT JOIN in_article USING (article_id)
ORDER BY p.published_at, p.article_id, p.start_char
"""


def stored_reports(con: duckdb.DuckDBPyConnection) -> list[Report]:
    """Every figure of a relevant, dated article that is not itself a conversion and has a
    value near another article's, as a Report."""
    reports = []
    scales = unit_scales()
    parameters = {"tolerance": TOLERANCE, "units": list(scales), "bases": [base for base, _ in scales.values()],
                  "factors": [factor for _, factor in scales.values()]}
    for (article_id, start_char, published_at, value, unit, subject, sentence, conversion_units, conversion_values,
         sentence_entities, article_entities) in con.execute(_REPORTS_SQL, parameters).fetchall():
        unit = unit or ""
        readings = [reading(unit, value)] + [
            reading(u, v, converted=True) for u, v in zip(conversion_units or [], conversion_values or []) if v
        ]
        terms = key_terms(subject or "", unit) or key_terms(sentence or "", unit)
        reports.append(Report(article_id, start_char, published_at, readings, terms,
                              frozenset(sentence_entities or []), frozenset(article_entities or [])))
    return reports


def group_rows(groups: list[Group]) -> pa.Table:
    rows = []
    for group in groups:
        first = group.first
        own = first.readings[0]
        rows.append((group.group_id, first.article_id, first.start_char, 0, own.unit, own.value, own.value))
        for position, (report, mine, theirs) in enumerate(group.members, 1):
            rows.append((group.group_id, report.article_id, report.start_char, position, mine.unit, mine.value,
                         theirs.value))
    names = ["group_id", "article_id", "start_char", "position", "compared_unit", "compared_value",
             "first_compared_value"]
    return pa.Table.from_pylist([dict(zip(names, row)) for row in rows], schema=pa.schema([
        ("group_id", pa.string()), ("article_id", pa.string()), ("start_char", pa.int32()), ("position", pa.int32()),
        ("compared_unit", pa.string()), ("compared_value", pa.float64()), ("first_compared_value", pa.float64()),
    ]))
