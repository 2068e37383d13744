"""The figures a Chinese article reports, with their unit and what they count.

Court and regulator releases are built on figures like 限制购买飞机票2,700余万人次,
4.7万家企业, 罚款3,560萬元 and 30%至40%: a number in digits (with thousands separators)
or Chinese numerals, an optional approximation (余, 多), a scale (万, 亿, 万亿) and a unit
(元, 人次, 家, %, ...; data in nlp/data/zh/figures.toml).  A range gives both of its ends,
each with the range's scale and unit.  A bare number (a year, 第3条) is not a figure.

What a figure counts: after a measure word, the noun that follows (4.7万家企业 -> 企业);
otherwise the clause before the number (限制购买飞机票2,700余万人次 -> 限制购买飞机票).
Matching runs on the simplified copy of the text (萬 -> 万), offsets shared with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.datafiles import read_data_file
from nlp.figures import FoundFigure, parse_chinese_number

_DIGITS = r"\d{1,3}(?:[,，]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUMERALS = "零〇一二两三四五六七八九十百千万亿"
_CLAUSE_END = re.compile(r"[，,。；;：:！？!?、（）()“”「」\n]")
_MAX_SUBJECT_CHARS = 16


@dataclass
class FigureRules:
    figure: re.Pattern
    scales: dict[str, float]
    units: dict[str, str]
    measure_words: frozenset[str]
    approximate_before: re.Pattern

    @classmethod
    def load(cls) -> "FigureRules":
        data, where = read_data_file("zh/figures.toml")
        try:
            scales = {str(k): float(v) for k, v in data["scales"].items()}
            units = {str(k): str(v) for k, v in data["units"].items()}
            measure = frozenset(data["measure_words"])
            after = "".join(map(re.escape, data["approximate_after"]))
            before = "|".join(sorted(map(re.escape, data["approximate_before"]), key=len, reverse=True))
            ranges = "|".join(map(re.escape, data["range_markers"]))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"{where}: missing or malformed field {exc}") from None
        scale = "|".join(sorted(map(re.escape, scales), key=len, reverse=True))
        unit = "|".join(sorted(map(re.escape, units), key=len, reverse=True))
        number = rf"(?:{_DIGITS}|[{_NUMERALS}]*[十百千万亿][{_NUMERALS}]*)"
        one = rf"(?:{number})[{after}]?(?:{scale})?[{after}]?"
        figure = re.compile(
            rf"(?<![\d.,，A-Za-z])(?:百分之(?P<percent>{number})"
            rf"|(?P<low>{number})(?P<low_tail>[{after}]?(?:{scale})?%?)(?:{ranges})"
            rf"(?P<high>{one})(?P<range_unit>{unit})"
            rf"|(?P<single>{one})(?P<unit>{unit}))"
        )
        return cls(figure, scales, units, measure, re.compile(rf"(?:{before})+$"))


def find_figures(text: str, simple: str, sentences: list[tuple[int, int]], rules: FigureRules) -> list[FoundFigure]:
    found = []
    for start, end in sentences:
        for match in rules.figure.finditer(simple, start, end):
            sentence = text[start:end].strip()
            if match.group("percent"):
                value = _value(match.group("percent"), rules)
                if value is not None:
                    found.append(FoundFigure(value, "percent", _subject(simple, text, start, match, "", rules),
                                             sentence, match.start()))
                continue
            if match.group("single"):
                unit_word, amounts = match.group("unit"), [(match.group("single"), match.start())]
            else:
                unit_word = match.group("range_unit")
                high = match.group("high")
                low = match.group("low") + (match.group("low_tail") or _scale_of(high, rules))
                amounts = [(low, match.start()), (high, match.start("high"))]
            if _is_label(simple, match.start()):
                continue
            for amount, at in amounts:
                value = _value(amount, rules)
                if value is None:
                    continue
                unit = rules.units[unit_word]
                found.append(FoundFigure(value, unit, _subject(simple, text, start, match, unit_word, rules),
                                         sentence, at))
    return found


def _value(amount: str, rules: FigureRules) -> float | None:
    amount = amount.rstrip("%").strip()
    scale = 1.0
    for word in sorted(rules.scales, key=len, reverse=True):
        stripped = amount.rstrip("余多来")
        if stripped.endswith(word) and re.search(r"\d", stripped[: -len(word)]):
            scale, amount = rules.scales[word], stripped[: -len(word)]
            break
    amount = amount.rstrip("余多来")
    if re.fullmatch(_DIGITS, amount):
        return float(amount.replace(",", "").replace("，", "")) * scale
    value = parse_chinese_number(amount)
    return value * scale if value is not None else None


def _scale_of(amount: str, rules: FigureRules) -> str:
    """The scale word of the high end of a range, shared by its low end (3至5万 -> 3万)."""
    stripped = amount.rstrip("余多来")
    return next((w for w in sorted(rules.scales, key=len, reverse=True) if stripped.endswith(w)
                 and re.search(r"\d", stripped)), "")


def _is_label(simple: str, position: int) -> bool:
    """第3条, 第5家: an ordinal or a label, not a count."""
    return simple[max(0, position - 1):position] == "第"


def _subject(simple: str, text: str, sentence_start: int, match: re.Match, unit_word: str,
             rules: FigureRules) -> str:
    end = match.end()
    if unit_word in rules.measure_words or unit_word.endswith("%") or not unit_word:
        following = _CLAUSE_END.search(simple, end)
        noun = text[end : following.start() if following else len(text)].strip()[:_MAX_SUBJECT_CHARS]
        if noun and unit_word in rules.measure_words:
            return noun
    clauses = [m.end() for m in _CLAUSE_END.finditer(simple, sentence_start, match.start())]
    head_start = clauses[-1] if clauses else sentence_start
    head = simple[head_start : match.start()]
    head = rules.approximate_before.sub("", head)
    if head.strip():
        return text[head_start : head_start + len(head)].strip()[-_MAX_SUBJECT_CHARS:]
    following = _CLAUSE_END.search(simple, end)
    tail = text[end : following.start() if following else len(text)].strip()
    return tail[:_MAX_SUBJECT_CHARS] or rules.units.get(unit_word, "")
