"""The numbers the coverage reports, with their unit and what they count.

Stories in this field are built on figures released by courts and regulators ("3.2
million people have been barred from buying plane tickets", "fined 1,850 yuan"), and
analysts compare them across outlets and months.  A figure is a number (digits with
thousands separators, "million"/"billion", Chinese numerals such as 三百万 or 1.2亿)
with a unit: a currency (normalised to CNY, USD, HKD, EUR, GBP), a percentage, or a noun
from the known list of nlp/data/figure_units_en.toml that it counts or measures,
right after it or after a few modifiers ("841 Chinese peer-to-peer loan platforms"),
or joined to it ("a 500-meter radius").  A word outside that list is never a unit.
Bare years and small numbers without a unit are not figures; a count in the
thousands or millions without a unit noun is ("over 126,000 of them", unit "" or
the unit of the figure "them" refers to).

Neighbouring numbers share what they report:
- a range gives both ends as figures, the first taking the second's unit ("between
  3,000 and 20,000 yuan", "scores of between 350 and 950");
- a comparison takes the unit and subject of the figure it compares with ("8.7
  million people ..., down from a peak of 15 million");
- a bracketed conversion ("2,951 yuan (around $444)") is a figure of its own,
  `converted_from` the start of the amount it restates, so it is never counted twice.

Values keep the precision they were written with: "8.2 million" is 8200000, not
8199999.999999999.

The subject is what the figure counts, as a noun phrase where the sentence gives one:
the counted noun with its modifiers and what the clause says of it ("people barred
from buying plane tickets", "platforms that collapsed"), or for an amount the noun it
is an amount of ("arrears owed to small firms" for "112 billion yuan in arrears owed
to small firms", "medical bill" for "a 2,951 yuan medical bill").  Otherwise it is the
clause the number completes, without its attribution ("Officials said") and without
approximations and auxiliaries ("Purchases of rail tickets blocked").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from nlp.datafiles import read_data_file

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10**4, "亿": 10**8}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_SMALL) + "".join(_CN_BIG)
_ANY_NUMBER = re.compile(rf"[\d{_CN_CHARS}]")
_SCALES = {"thousand": 10**3, "million": 10**6, "mn": 10**6, "m": 10**6, "billion": 10**9, "bn": 10**9,
           "trillion": 10**12, "万": 10**4, "亿": 10**8, "百万": 10**6, "千万": 10**7}
_CURRENCY_BEFORE = {"us$": "USD", "$": "USD", "usd": "USD", "hk$": "HKD", "hkd": "HKD", "€": "EUR", "eur": "EUR",
                    "£": "GBP", "gbp": "GBP", "¥": "CNY", "￥": "CNY", "rmb": "CNY", "cny": "CNY"}
_CURRENCY_AFTER = {"yuan": "CNY", "renminbi": "CNY", "rmb": "CNY", "cny": "CNY", "元": "CNY", "us dollars": "USD",
                   "dollars": "USD", "usd": "USD", "hong kong dollars": "HKD", "hk dollars": "HKD", "hkd": "HKD",
                   "euros": "EUR", "euro": "EUR", "eur": "EUR", "美元": "USD", "港元": "HKD", "欧元": "EUR"}
_CURRENCY_UNITS = frozenset({"CNY", "USD", "HKD", "EUR", "GBP"})
_PERCENT = {"%": "percent", "percent": "percent", "per cent": "percent", "percentage points": "percentage points",
            "percentage point": "percentage points"}
# the counted noun after a Chinese number
_CN_UNITS = {"人次": "times", "人": "people", "名": "people", "次": "times", "家": "companies", "户": "households",
             "件": "cases", "起": "cases", "例": "cases"}

_FIGURE = re.compile(
    r"(?<![A-Za-z0-9_.,$€£¥￥])"
    r"(?P<cur>US\$|HK\$|\$|€|£|¥|￥|(?:RMB|CNY|USD|HKD|EUR|GBP)\s?)?"
    rf"(?:(?P<num>{_NUMBER})(?:\s?(?P<scale>thousand|million|billion|trillion|bn|mn|m(?![\w])|百万|千万|万|亿))?"
    rf"|(?P<cn>[{_CN_CHARS}]*[十百千万亿][{_CN_CHARS}]*))"
    r"(?![\d])"
)
_AFTER_UNIT = re.compile(
    r"[\s-]?(?P<unit>%|per cent|percent|percentage points?|hong kong dollars|hk dollars|us dollars|dollars|yuan|renminbi"
    r"|rmb|cny|usd|hkd|eur|euros?|人次|人|名|次|家|户|件|起|例|元|美元|港元|欧元)(?![a-z])",
    re.IGNORECASE,
)
_NEXT_WORD = re.compile(r"\s+([A-Za-z][A-Za-z\-]*)")
_HYPHENATED = re.compile(r"-([a-z]+(?:-[a-z]+)?)(?![\w-])")
# words that end the search for a counted noun: it is not further on
_NOT_UNITS = frozenset("of in on at to the and or a an from between by for with per as than since during over under "
                       "was were is are had has have that which who when after before this it its their into out up "
                       "down about around nearly almost each every ago more less fewer how what why where whether if not no".split())
_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten dozen hundred hundreds thousand "
                          "thousands million millions".split())
_MAX_MODIFIERS = 4
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
    r",(?!\d)|[;:!?()\u3001\uff0c\u3002\uff1b\uff1a\"\u201c\u201d]|\.(?:\s|$)| - |\u2014|\s(?:and|or|but|while|whereas|"
    r"since|between|during|until|as of|so far|last|this year|ago|according to|respectively|[ab]y the end of|at the end of|"
    r"(?:in|on) (?:the )?(?:first|past|last|\d{4}|spring|summer|autumn|fall|winter|january|february|march|april|"
    r"may|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday))\b",
    re.IGNORECASE,
)
_PASSIVE = re.compile(r"^(?:(?:have|has|had) been|will be|would be|were|was|are|is|being)\s+", re.IGNORECASE)
_PREPOSITION_START = re.compile(
    r"^(?:of|in|on|at|for|from|over|between|since|during|across|by|per|to|under|with|within|without|"
    r"last|this|each|every|so far)\b",
    re.IGNORECASE,
)
_DETERMINER_BEFORE = re.compile(r"(?:^|\s)(?:a|an|the|its|their|his|her)\s+$", re.IGNORECASE)
_AMOUNT_OF = re.compile(r"\s*(?:(?:worth )?of|in)\s+(?!the (?:first|past|last|same)\b)", re.IGNORECASE)
_APPROXIMATE = re.compile(
    r"(?:\s+(?:about|nearly|almost|around|roughly|some|over|more than|fewer than|less than|up to|at least|"
    r"a total of|a combined|by|to|of|from|reached|totalled|totaled|approximately|up|down|between|within|"
    r"a peak of|a high of|a low of|only|just|another|an estimated|estimated at|the equivalent of|the)\b)+\s*$",
    re.IGNORECASE,
)
# the attribution of a claim, dropped from a subject: "Officials said (that)", "according to X,"
_ATTRIBUTION = re.compile(
    r"^.*?\b(?:said|says|say|told [\w' ]{1,40}?|reported|found|showed|shows|announced|"
    r"noted|added|wrote)\b(?:\s+on \w+)?\s*(?:that\b)?\s*|^according to [^,]*,?\s*",
    re.IGNORECASE,
)
_LEADING_LINKS = re.compile(r"^(?:(?:and|but|or|while|whereas|which|that|who|as|when|after|before|because|so|then|"
                            r"also|now|only)\s+)+", re.IGNORECASE)
_FUNCTION_WORDS = frozenset("a an the of in on at to for from by with and or but he she it they we i you this that "
                            "these those there here its their his her our who which about up down over some".split())
_CONVERSION = re.compile(r"\s*\((?:about|approximately|roughly|around|some|or|~|≈|equivalent to)?\s*", re.IGNORECASE)
_RANGE_LINK = re.compile(r"\s*(?:and|to|-|\u2013)\s*$", re.IGNORECASE)
_RANGE_OPEN = re.compile(r"(?:between|from)\s+$", re.IGNORECASE)
_REFERS_BACK = re.compile(r"\s+of\s+(?:them|those|these|whom|which)\b", re.IGNORECASE)
# words of approximation between a link word and the number it links
_HEDGE = r"(?:(?:more than|fewer than|less than|about|some|nearly|roughly|almost|over|around|another|a further|at least|up to)\s+)*"
_COMPARED = re.compile(
    r"(?:(?:up|down|rising|falling|rose|fell|increased|decreased|grew|shrank)\s+(?:from|on)|compared (?:with|to)|"
    rf"against|versus|from)\s+(?:a (?:peak|high|low|total|year-earlier figure) of\s+)?{_HEDGE}$",
    re.IGNORECASE,
)
# what joins two figures of one list: "3.2 million people ... and 1.1 million", "27 percent and 22 percent"
_COORDINATED = re.compile(rf"(?:,|\band|\bor)\s+{_HEDGE}$", re.IGNORECASE)
_MAX_COORDINATED_GAP = 120
# the first word of what a clause says of a counted noun, when it is a finite verb ("people paid what they owed")
_FINITE_VERB = re.compile(
    r"^(?:(?:have|has|had|will|would|could|can|may|must|should|did|do|does)\s|(?:paid|made|took|got|lost|won|fell|"
    r"rose|grew|went|came|saw|left|sold|bought|spent|owe|owed|owes|hold|held|say|said|live|lived|work|worked|"
    r"remain|remained|face|faced|use|used)\b|[a-z]+ed\b(?!\s+by\b))",
    re.IGNORECASE,
)
# where an amount's noun phrase ends: its clause's verb
_NOUN_PHRASE_END = re.compile(r"\s(?:had|has|have|was|were|is|are|will|would|can|could|may|must)\b", re.IGNORECASE)
_MAX_SUBJECT_WORDS = 12


@dataclass
class FoundFigure:
    value: float
    unit: str
    subject: str
    sentence: str
    start_char: int
    converted_from: int | None = None  # start_char of the figure this one restates in another currency


@dataclass
class _Number:
    """A number read in a sentence, before its neighbours have told what it shares with them."""

    start: int
    end: int  # where the number (and its scale word) ends
    value: float
    unit: str | None = None  # None: no unit of its own
    kind: str = ""  # amount (currency, percent, times, measure) | counted | count (no unit)
    unit_end: int = 0  # where the unit ends, and what the number reports may start
    noun_start: int = 0  # a counted noun phrase, with its modifiers
    subject_from: int = 0  # where to read the subject after the number (past a conversion)
    subject: str | None = None
    converted_from: int | None = None
    notes: list[str] = field(default_factory=list)  # "range" (its first end), "unit of previous"


@dataclass(frozen=True)
class _Units:
    counted: dict[str, str]
    measures: dict[str, str]
    persons: frozenset[str]


@functools.cache
def _units() -> _Units:
    data, where = read_data_file("figure_units_en.toml")
    tables = {}
    for key in ("counted", "measures"):
        table = data.get(key)
        if not isinstance(table, dict) or not all(isinstance(v, str) and v for v in table.values()):
            raise ValueError(f"{where}: [{key}] must be a table of form = unit")
        tables[key] = {k.lower(): v for k, v in table.items()}
    persons = data.get("persons", [])
    if not isinstance(persons, list) or not all(isinstance(p, str) for p in persons):
        raise ValueError(f"{where}: field 'persons' must be a list of units")
    return _Units(tables["counted"], tables["measures"], frozenset(persons))


def find_figures(text: str, sentences: list[tuple[int, int]]) -> list[FoundFigure]:
    """Every figure in the text; `sentences` are (start, end) character spans covering it."""
    found: list[FoundFigure] = []
    for start, end in sentences:
        sentence = text[start:end]
        if not _ANY_NUMBER.search(sentence):
            continue
        for number in _related(sentence, _numbers(sentence)):
            found.append(FoundFigure(number.value, number.unit or "", number.subject or "", sentence.strip(),
                                     start + number.start,
                                     None if number.converted_from is None else start + number.converted_from))
    return found


def _numbers(sentence: str) -> list[_Number]:
    """Every number of the sentence that may be a figure, with its own unit if it has one;
    a bracketed conversion comes right after the amount it restates."""
    numbers: list[_Number] = []
    skip_until = -1
    for match in _FIGURE.finditer(sentence):
        if match.start() < skip_until:
            continue
        number = _number(sentence, match)
        if number is None:
            continue
        numbers.append(number)
        if number.unit in _CURRENCY_UNITS:
            conversion = _conversion(sentence, number)
            if conversion is not None:
                numbers.append(conversion)
                skip_until = number.subject_from
    return numbers


def _value(match: re.Match) -> float | None:
    if match.group("cn"):
        return parse_chinese_number(match.group("cn"))
    try:
        value = Decimal(match.group("num").replace(",", ""))
    except InvalidOperation:
        return None
    if match.group("scale"):
        value *= _SCALES[match.group("scale").lower()]
    return float(value)  # exact in decimal, so "8.2 million" is 8200000.0, not 8199999.999999999


def _number(sentence: str, match: re.Match) -> _Number | None:
    if match.group("num") and _IDENTIFIER.fullmatch(match.group("num")):
        return None
    value = _value(match)
    if value is None:
        return None
    number = _Number(match.start(), match.end(), value, unit_end=match.end(), subject_from=match.end())
    currency = match.group("cur")
    if currency:
        number.unit, number.kind = _CURRENCY_BEFORE[currency.strip().lower()], "amount"
        return number
    after = _AFTER_UNIT.match(sentence, match.end())
    if after:
        word = after.group("unit")
        number.unit = _PERCENT.get(word.lower()) or _CURRENCY_AFTER.get(word.lower()) or _CN_UNITS.get(word)
        number.kind = "counted" if word in _CN_UNITS and number.unit != "times" else "amount"
        number.unit_end = number.subject_from = after.end()
        return number
    if match.group("cn"):
        return None
    if _is_date_or_label(sentence, match):
        return None
    units = _units()
    joined = _HYPHENATED.match(sentence, match.end())
    if joined and (joined.group(1) in units.measures or joined.group(1) in units.counted):
        word = joined.group(1)  # "a 500-meter radius": a measure of what follows
        number.unit = units.measures.get(word) or units.counted[word]
        number.kind, number.unit_end, number.subject_from = "amount", joined.end(), joined.end()
        return number
    noun = _counted_noun(sentence, match.end())
    if noun is not None:
        word, noun_end = noun
        number.unit = units.counted.get(word) or units.measures[word]
        number.kind = "counted" if word in units.counted and number.unit != "times" else "amount"
        number.noun_start = len(sentence) - len(sentence[match.end():].lstrip())
        number.unit_end = number.subject_from = noun_end
        return number
    number.kind = "count"
    return number


def _counted_noun(sentence: str, position: int) -> tuple[str, int] | None:
    """The listed noun a number counts or measures, and where it ends: right after the
    number or after a few modifiers ("more than 300 Chinese cities", "841 Chinese
    peer-to-peer loan platforms")."""
    units = _units()
    for _ in range(_MAX_MODIFIERS + 1):
        word = _NEXT_WORD.match(sentence, position)
        if not word:
            return None
        lower = word.group(1).lower()
        pair = _NEXT_WORD.match(sentence, word.end())
        if pair and f"{lower} {pair.group(1).lower()}" in units.measures:  # "square metres"
            return f"{lower} {pair.group(1).lower()}", pair.end()
        if lower in units.counted or lower in units.measures:
            return lower, word.end()
        if lower in _NOT_UNITS or lower in _NUMBER_WORDS or _MONTHS.match(lower):
            return None
        position = word.end()
    return None


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


def _conversion(sentence: str, amount: _Number) -> _Number | None:
    """A bracketed restatement of the amount just read ("(about $260)"), as a figure of its
    own that points at the amount; the amount's subject is read after the bracket."""
    opening = _CONVERSION.match(sentence, amount.unit_end)
    if not opening or "(" not in opening.group(0):
        return None
    inner = _FIGURE.match(sentence, opening.end())
    if not inner:
        return None
    number = _number(sentence, inner)
    if number is None or number.unit not in _CURRENCY_UNITS:
        return None
    closing = sentence.find(")", number.unit_end)
    amount.subject_from = closing + 1 if closing != -1 else number.unit_end
    number.converted_from = amount.start
    return number


def _related(sentence: str, numbers: list[_Number]) -> list[_Number]:
    """The figures of a sentence once ranges, comparisons, back-references and
    conversions have shared units and subjects; numbers left without any are dropped."""
    figures: list[_Number] = []
    for index, number in enumerate(numbers):
        previous = figures[-1] if figures else None
        following = numbers[index + 1] if index + 1 < len(numbers) else None
        before = sentence[: number.start]
        if number.converted_from is not None:
            number.subject = previous.subject if previous else None
            figures.append(number)
            continue
        if number.kind == "count":
            between = sentence[number.end : following.start] if following else ""
            if following is not None and following.unit and _RANGE_LINK.fullmatch(between) and (
                    _RANGE_OPEN.search(before) or between.strip() in {"-", "\u2013"}):
                number.unit, number.kind = following.unit, following.kind  # "between 3,000 and 20,000 yuan"
                number.noun_start, number.unit_end = following.noun_start, following.unit_end
                number.notes.append("range")
            elif previous is not None and previous.unit is not None and _COMPARED.search(before):
                number.unit, number.kind, number.subject = previous.unit, previous.kind, previous.subject
            elif previous is not None and previous.kind == "counted" and _REFERS_BACK.match(sentence, number.end):
                number.unit, number.kind = previous.unit, "counted"  # "over 126,000 of them"
                number.subject_from = _REFERS_BACK.match(sentence, number.end).end()
                number.notes.append("unit of previous")
            elif (previous is not None and previous.kind == "counted" and _is_large(number, sentence)
                  and _COORDINATED.search(_between_figures(sentence, previous, number))):
                number.unit, number.kind = previous.unit, "counted"  # "3.2 million people ... and 1.1 million"
                number.notes.append("unit of previous")
            elif following is not None and following.kind == "count" and _RANGE_OPEN.search(before) \
                    and _RANGE_LINK.fullmatch(sentence[number.end : following.start]):
                number.unit = following.unit = _range_noun(before) or ""  # "scores of between 350 and 950"
                number.kind = following.kind = "amount"
                number.notes.append("range")
            elif _is_large(number, sentence):
                number.unit = ""
            else:
                continue
        if number.subject is None:
            number.subject = _subject(sentence, number, previous)
        figures.append(number)
    for low, high in zip(figures, figures[1:]):
        if "range" in low.notes:  # both ends report the same thing, read before the range opens
            high.subject = _subject(sentence, replace(high, start=low.start), None)
            low.subject = high.subject
    return figures


def _between_figures(sentence: str, previous: _Number, number: _Number) -> str:
    """The words between the previous figure's unit and this number, when short enough to
    be one list ("3.2 million people barred from flying since 2015, and 1.1 million")."""
    between = sentence[previous.unit_end : number.start]
    return between if len(between) <= _MAX_COORDINATED_GAP else ""


def _is_large(number: _Number, sentence: str) -> bool:
    """A count worth reporting without a unit noun: written with thousands separators or
    a scale word ("126,000", "1.1 million"), never a bare run of digits (a code, a year)."""
    written = sentence[number.start : number.end]
    return bool(re.search(r"\d,\d{3}|[a-z]", written))


def _range_noun(before: str) -> str | None:
    """The listed noun a range of bare numbers measures, written before it ("scores of between")."""
    words = re.findall(r"[A-Za-z-]+", before)[-4:]
    units = _units()
    for word in reversed(words):
        if word.lower() in units.counted or word.lower() in units.measures:
            return units.counted.get(word.lower()) or units.measures[word.lower()]
    return None


def _subject(sentence: str, number: _Number, previous: _Number | None) -> str:
    if number.kind in ("counted", "count"):
        found = _counted_subject(sentence, number)
        if found or number.kind == "counted":
            return found
    if number.kind == "amount":
        found = _amount_subject(sentence, number)
        if found:
            return found
    if previous is not None and previous.subject and _COORDINATED.search(_between_figures(sentence, previous, number)):
        return previous.subject  # "27 percent and 22 percent respectively"
    return _clause_before(sentence, number.start)


def _counted_subject(sentence: str, number: _Number) -> str:
    """The counted noun with its modifiers and what the clause says of it; for a count
    without a noun, "those" it describes ("those who paid in full")."""
    if number.kind == "count":
        noun = "those"
    elif "unit of previous" in number.notes:
        noun = number.unit
    else:
        noun = sentence[number.noun_start : number.unit_end].strip()
    tail = _tail(sentence, number.subject_from)
    if not tail:
        return "" if number.kind == "count" else _words(noun)
    if _PASSIVE.match(tail):  # "people [have been] barred from buying plane tickets"
        return _words(f"{noun} {_PASSIVE.sub('', tail)}")
    if _FINITE_VERB.match(tail):  # "platforms [that] collapsed"
        pronoun = "who" if number.unit in _units().persons or number.kind == "count" else "that"
        return _words(f"{noun} {pronoun} {tail}")
    if number.kind == "count":
        return ""
    return _words(f"{noun} {tail}")


def _amount_subject(sentence: str, number: _Number) -> str:
    """What an amount is of: 'in arrears owed to firms', 'a 2,000-yuan fine for ...'."""
    if _DETERMINER_BEFORE.search(sentence[: number.start]):
        head = re.match(r"\s*([a-z][\w-]*(?:\s+[a-z][\w-]*){0,2})", sentence[number.subject_from :])
        if head and not _PREPOSITION_START.match(head.group(1)):
            phrase = _tail(sentence, number.subject_from)
            end = _NOUN_PHRASE_END.search(phrase)
            return phrase[: end.start()] if end else phrase
    amount_of = _AMOUNT_OF.match(sentence, number.subject_from)
    if amount_of and number.unit in _CURRENCY_UNITS | {"percent"}:
        phrase = _tail(sentence, amount_of.end())
        end = _NOUN_PHRASE_END.search(phrase)
        return phrase[: end.start()] if end else phrase
    return ""


def _tail(sentence: str, position: int) -> str:
    tail = sentence[position:]
    cut = _TAIL_END.search(tail)
    tail = (tail[: cut.start()] if cut else tail).strip()
    return _words(tail) if re.search(r"[A-Za-z]", tail) else ""


def _clause_before(sentence: str, number_start: int) -> str:
    """The clause a number completes, as close to a noun phrase as rules get without a
    parser: no attribution, no leading conjunction, no approximation, no auxiliary."""
    head = sentence[:number_start]
    cuts = list(_CLAUSE_END.finditer(head))
    head = head[cuts[-1].end():] if cuts else head
    head = _ATTRIBUTION.sub("", head.strip())
    head = _LEADING_LINKS.sub("", head)
    head = " " + head
    head = _APPROXIMATE.sub("", head).strip(" \"'\u201c\u201d")
    words = [w for w in re.findall(r"[A-Za-z][\w'-]*", head) if w.lower() not in _FUNCTION_WORDS]
    return _words(head, last=True) if words else ""


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
