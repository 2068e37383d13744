"""The numbers the coverage reports, with their unit and what they count.

Stories in this field are built on figures released by courts and regulators ("3.2
million people have been barred from buying plane tickets", "fined 1,850 yuan"), and
analysts compare them across outlets and months.  A figure is a number (digits with
thousands separators, "million"/"billion", Chinese numerals such as 三百万 or 1.2亿)
followed or preceded by a unit: a currency (normalised to CNY, USD, HKD, EUR), a
percentage, or the counted noun ("people", "times", "companies").  Bare years and
numbers without a unit are not figures.  A bracketed conversion ("1,850 yuan (about
$260)") restates the amount before it and is not counted again.

What a figure counts is read from its clause: the verb phrase after the counted noun
("people [have been] barred from buying plane tickets"), or, when the noun is followed
only by a prepositional phrase or nothing, the clause before the number ("purchases of
rail tickets were blocked about 610,000 times").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10**4, "亿": 10**8}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_SMALL) + "".join(_CN_BIG)
_ANY_NUMBER = re.compile(rf"[\d{_CN_CHARS}]")
_SCALES = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12,
           "万": 1e4, "亿": 1e8, "百万": 1e6, "千万": 1e7}
_CURRENCY_BEFORE = {"us$": "USD", "$": "USD", "usd": "USD", "hk$": "HKD", "hkd": "HKD", "€": "EUR", "eur": "EUR",
                    "¥": "CNY", "￥": "CNY", "rmb": "CNY", "cny": "CNY"}
_CURRENCY_AFTER = {"yuan": "CNY", "renminbi": "CNY", "rmb": "CNY", "cny": "CNY", "元": "CNY", "us dollars": "USD",
                   "dollars": "USD", "usd": "USD", "hong kong dollars": "HKD", "hk dollars": "HKD", "hkd": "HKD",
                   "euros": "EUR", "euro": "EUR", "eur": "EUR", "美元": "USD", "港元": "HKD", "欧元": "EUR"}
_CURRENCY_UNITS = frozenset({"CNY", "USD", "HKD", "EUR"})
_PERCENT = {"%": "percent", "percent": "percent", "per cent": "percent", "percentage points": "percentage points",
            "percentage point": "percentage points"}
# the counted noun after a Chinese number
_CN_UNITS = {"人次": "times", "人": "people", "名": "people", "次": "times", "家": "companies", "户": "households",
             "件": "cases", "起": "cases", "例": "cases"}

_FIGURE = re.compile(
    r"(?<![A-Za-z0-9_.,$€¥￥])"
    r"(?P<cur>US\$|HK\$|\$|€|¥|￥|(?:RMB|CNY|USD|HKD|EUR)\s?)?"
    rf"(?:(?P<num>{_NUMBER})(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|m(?![\w])|百万|千万|万|亿))?"
    rf"|(?P<cn>[{_CN_CHARS}]*[十百千万亿][{_CN_CHARS}]*))"
    r"(?![\d])"
)
_AFTER_UNIT = re.compile(
    r"[\s-]?(?P<unit>%|per cent|percent|percentage points?|hong kong dollars|hk dollars|us dollars|dollars|yuan|renminbi"
    r"|rmb|cny|usd|hkd|eur|euros?|人次|人|名|次|家|户|件|起|例|元|美元|港元|欧元)(?![a-z])",
    re.IGNORECASE,
)
_NEXT_WORD = re.compile(r"\s+([a-z][a-z\-]*)")
# words between a number and its noun that are not the noun ("1,200 new companies")
_MODIFIERS = frozenset("new more additional other further registered listed individual local private "
                       "chinese foreign domestic small large so-called".split())
_PLURALS = frozenset("people staff personnel children police".split())
_NOT_UNITS = frozenset("of in on at to the and or a an from between by for with per as than since during over under "
                       "was were is are had has have that which who when after before this it its their into out up "
                       "down about around nearly almost times-fold each every year years-old".split())
# long unpunctuated digit runs and numbers with a leading zero are codes (ID, phone, case
# and account numbers), not amounts: news prints amounts with separators or "million"
_IDENTIFIER = re.compile(r"\d{9,}|0\d+")
_LABEL_WORDS = frozenset("article articles no number section chapter clause item paragraph case room line phase "
                         "level grade class document order decree".split())
_MONTHS = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?$", re.IGNORECASE)
# a comma ends a clause, the comma of "5,000" does not
_CLAUSE_END = re.compile(r",(?!\d)|[;:!?()\u3001\uff0c\u3002\uff1b\uff1a]|\.(?:\s|$)| - | \u2014 |\u2014")
# where what a number counts stops: the next clause, or a time or place adverbial
_TAIL_END = re.compile(
    r",(?!\d)|[;:!?()\u3001\uff0c\u3002\uff1b\uff1a]|\.(?:\s|$)| - |\u2014|\s(?:and|or|but|while|whereas|since|between|"
    r"during|until|as of|so far|last|this year|in (?:the )?(?:first|past|last|\d{4}))\b",
    re.IGNORECASE,
)
_AUXILIARY = re.compile(
    r"^(?:have been|has been|had been|will be|would be|were|was|are|is|have|has|had|who|that|which)\s+",
    re.IGNORECASE,
)
_APPROXIMATE = re.compile(
    r"(?:\s+(?:about|nearly|almost|around|roughly|some|over|more than|fewer than|less than|up to|at least|"
    r"a total of|by|to|of|from|reached|totalled|totaled|approximately))+\s*$",
    re.IGNORECASE,
)
_PREPOSITION_START = re.compile(
    r"^(?:of|in|on|at|for|from|over|between|since|during|across|by|per|a|an|the|to|last|this|each|every|so far)\b",
    re.IGNORECASE,
)
_CONVERSION = re.compile(r"\s*\((?:about|approximately|roughly|around|some|or|~|≈|equivalent to)?\s*", re.IGNORECASE)
_MAX_SUBJECT_WORDS = 12


@dataclass
class FoundFigure:
    value: float
    unit: str
    subject: str
    sentence: str
    start_char: int


def find_figures(text: str, sentences: list[tuple[int, int]]) -> list[FoundFigure]:
    """Every figure in the text; `sentences` are (start, end) character spans covering it."""
    found: list[FoundFigure] = []
    for start, end in sentences:
        sentence = text[start:end]
        if not _ANY_NUMBER.search(sentence):
            continue
        skip_until = -1
        for match in _FIGURE.finditer(sentence):
            if match.start() < skip_until:
                continue
            figure = _figure(sentence, match)
            if figure is None:
                continue
            value, unit, unit_end = figure
            if unit in _CURRENCY_UNITS:
                conversion = _conversion_end(sentence, unit_end)
                skip_until = conversion if conversion else skip_until
            found.append(
                FoundFigure(value, unit, _subject(sentence, match.start(), unit_end, unit), sentence.strip(),
                            start + match.start())
            )
    return found


def _figure(sentence: str, match: re.Match) -> tuple[float, str, int] | None:
    """(value, unit, where the unit ends), or None when the number is not a figure."""
    if match.group("cn"):
        value = parse_chinese_number(match.group("cn"))
    elif _IDENTIFIER.fullmatch(match.group("num")):
        return None
    else:
        value = float(match.group("num").replace(",", ""))
        if match.group("scale"):
            value *= _SCALES[match.group("scale").lower()]
    if value is None:
        return None
    end = match.end()
    currency = match.group("cur")
    if currency:
        return value, _CURRENCY_BEFORE[currency.strip().lower()], end
    after = _AFTER_UNIT.match(sentence, end)
    if after:
        word = after.group("unit").lower()
        unit = _PERCENT.get(word) or _CURRENCY_AFTER.get(word) or _CN_UNITS.get(after.group("unit"))
        return value, unit, after.end()
    if match.group("cn") or _is_date_or_label(sentence, match):
        return None
    noun = _counted_noun(sentence, end)
    if noun:
        return value, noun.group(1), noun.end()
    if match.group("scale"):  # "rose to 3.2 million": a figure without a named unit
        return value, "", end
    return None


def _counted_noun(sentence: str, position: int) -> re.Match | None:
    """The noun a number counts, among the next few words: the first plural ("4,300
    online accounts", "20 working days"), else the first word ("3.2 million people")."""
    words = []
    while len(words) < 3 and (word := _NEXT_WORD.match(sentence, position)):
        if word.group(1) in _NOT_UNITS or _MONTHS.match(word.group(1)):
            break
        words.append(word)
        position = word.end()
    plural = [w for w in words if w.group(1) in _PLURALS or re.search(r"[^su]s$", w.group(1))]
    if plural:
        return plural[0]
    first = words[0].group(1) if words else ""
    # a verb, participle or adverb after the number ("950 based on") is not what it counts
    return words[0] if first and first not in _MODIFIERS and not re.search(r"(?:ed|ing|ly)$", first) else None


def _is_date_or_label(sentence: str, match: re.Match) -> bool:
    number = match.group("num")
    if match.group("scale") or "," in number or "." in number:
        return False
    before = sentence[: match.start()].rstrip()
    after = sentence[match.end():]
    if re.match(r"^\d{4}$", number) and 1900 <= int(number) <= 2099:
        return True
    previous = before.split(" ")[-1] if before else ""
    if previous.rstrip(".").lower() in _LABEL_WORDS:  # "Article 5", "No. 12": a label, not a count
        return True
    return bool(_MONTHS.search(previous) or re.match(r"\s*(?:[-/])\d", after)
                or re.match(r"\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", after, re.IGNORECASE))


def _conversion_end(sentence: str, unit_end: int) -> int | None:
    """Where a bracketed restatement of the amount just read ends ("(about $260)")."""
    opening = _CONVERSION.match(sentence, unit_end)
    if not opening or "(" not in opening.group(0):
        return None
    inner = _FIGURE.match(sentence, opening.end())
    if not inner:
        return None
    figure = _figure(sentence, inner)
    if figure is None or figure[1] not in _CURRENCY_UNITS:
        return None
    closing = sentence.find(")", figure[2])
    return closing + 1 if closing != -1 else figure[2]


def _subject(sentence: str, number_start: int, unit_end: int, unit: str) -> str:
    tail = sentence[unit_end:]
    cut = _TAIL_END.search(tail)
    tail = _AUXILIARY.sub("", (tail[: cut.start()] if cut else tail).strip())
    if re.search(r"\w", tail) and not _PREPOSITION_START.match(tail):
        return _words(tail)
    head = sentence[:number_start]
    cuts = list(_CLAUSE_END.finditer(head))
    head = head[cuts[-1].end():] if cuts else head
    head = _APPROXIMATE.sub("", head).strip(" \"'\u201c\u201d")
    return _words(head, last=True) if re.search(r"\w", head) else unit


def _words(text: str, last: bool = False) -> str:
    words = text.split()
    return " ".join(words[-_MAX_SUBJECT_WORDS:] if last else words[:_MAX_SUBJECT_WORDS])


def parse_chinese_number(numeral: str) -> float | None:
    """三百万 -> 3000000, 一亿二千万 -> 120000000, 十五 -> 15; None if it is not a numeral."""
    total = section = number = 0
    seen_digit_or_unit = False
    for ch in numeral:
        if ch in _CN_DIGITS:
            number = _CN_DIGITS[ch]
            seen_digit_or_unit = True
        elif ch in _CN_SMALL:
            section += (number or 1) * _CN_SMALL[ch]
            number = 0
            seen_digit_or_unit = True
        elif ch == "万":
            section = (section + number) * 10**4
            number = 0
        elif ch == "亿":
            total = (total + section + number) * 10**8
            section = number = 0
        else:
            return None
    value = total + section + number
    return float(value) if seen_digit_or_unit and value else None
