"""Redaction of the personal numbers this coverage prints about debtors.

Court notices and the news stories that copy them publish people's resident identity
numbers and phone numbers.  We keep neither: the crawler redacts stored HTML, the
jobs redact every article text, and annotation never lets one into an entity, a quote
or a figure.  An identity number is redacted only when its ISO 7064 MOD 11-2 checksum
holds, so case numbers and other long digit strings survive; phone numbers are matched
by the shapes of Chinese mobile and landline numbers, so amounts, years and counts
("3.2 million", "2024", "1,850 yuan") are never touched.  The replacements contain no
digits, which makes redaction idempotent.
"""

from __future__ import annotations

import re

ID_REDACTED = "[ID REDACTED]"
PHONE_REDACTED = "[PHONE REDACTED]"

_SEP = r"[ \-\u2010-\u2015]?"
# 6-digit area code, 8-digit birth date, 3-digit sequence, check character; written
# solid or grouped 6-8-4 (or 6-4-4-4) with spaces or hyphens
_RESIDENT_ID = re.compile(
    rf"(?<![\w.,])(\d{{6}}){_SEP}(\d{{4}}){_SEP}(\d{{4}}){_SEP}(\d{{3}}[\dXx])(?![\w])"
)
_PHONE = re.compile(
    r"(?=[\d(+])"  # every number starts so: lets the scan skip other characters cheaply
    r"(?<![\w.,+\-])"
    r"(?:"
    # mobile: 1[3-9]x xxxx xxxx, with or without +86 / 0086 / (+86)
    r"(?:(?:\+|00)86[ \-]?|\(\+?86\)[ \-]?)?1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}"
    r"|"
    # landline with international prefix: +86 area code (without its 0) then the number
    r"(?:(?:\+|00)86[ \-]?|\(\+?86\)[ \-]?)(?:\(0?[1-9]\d{1,2}\)|[1-9]\d{1,2})[ \-]?[2-9]\d{3}[ \-]?\d{3,4}"
    r"|"
    # domestic landline: 0xx or 0xxx area code, then 7-8 digits
    r"(?:\(0[1-9]\d{1,2}\)|0[1-9]\d{1,2})[ \-]?[2-9]\d{2,3}[ \-]?\d{4}"
    r")"
    r"(?![\w])"
)
_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_CHECK = "10X98765432"


def is_resident_id(digits: str) -> bool:
    """True for an 18-character mainland resident identity number with a valid checksum."""
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], _WEIGHTS))
    return _CHECK[total % 11] == digits[17].upper()


def personal_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of every identity and phone number in the text, in order."""
    spans = [
        (m.start(), m.end(), ID_REDACTED)
        for m in _RESIDENT_ID.finditer(text)
        if is_resident_id("".join(m.groups()))
    ]
    taken = [(s, e) for s, e, _ in spans]
    for m in _PHONE.finditer(text):
        if not any(s < m.end() and m.start() < e for s, e in taken):
            spans.append((m.start(), m.end(), PHONE_REDACTED))
    return sorted(spans)


def redact(text: str) -> str:
    spans = personal_spans(text)
    if not spans:
        return text
    parts, last = [], 0
    for start, end, replacement in spans:
        parts.append(text[last:start])
        parts.append(replacement)
        last = end
    parts.append(text[last:])
    return "".join(parts)


def contains_personal_data(text: str) -> bool:
    return bool(personal_spans(text))
