"""Redaction of the personal numbers this coverage prints about debtors.

Court notices and the news stories that copy them publish people's resident identity
numbers and phone numbers.  We keep neither: the crawler and the WARC reader redact the
stored HTML and URLs, the jobs redact every stored field of an article, and annotation
never lets one into an entity, a quote or a figure (docs/security.md lists every place).

What counts as a number is decided on a normalised view of the text, never on its
surface: digits are compared after NFKC (full-width `４４０３…` is `4403…`), in HTML the
character references are decoded and the tags inside a run of text are dropped
(`138<span>1234</span>5678`, `&#49;&#51;&#56;…`), in URLs the percent escapes are
decoded.  The replacement is written into the original string at the original offsets,
so stored text keeps its shape and tags stay balanced.  Boundaries are "not an ASCII
digit or letter", not `\\w`, because `\\w` matches the Chinese characters that touch a
number in Chinese text (`身份证号440301198506121004，`).

An 18-character identity number is redacted only when its ISO 7064 MOD 11-2 checksum
holds, an old 15-digit one only when its region code and birth date are real, so case
numbers and other long digit strings survive; phone numbers are matched by the shapes
of Chinese mobile and landline numbers (separators: spaces, dots, hyphens, dashes,
non-breaking spaces, at most two between groups), so amounts, years and counts ("3.2
million", "2024", "1,850 yuan") are never touched.  The replacements contain no digits,
which makes redaction idempotent.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from urllib.parse import quote, unquote

from warehouse.records import Article, stable_id

ID_REDACTED = "[ID REDACTED]"
PHONE_REDACTED = "[PHONE REDACTED]"


def _nfkc_table() -> dict[int, str]:
    """Characters whose NFKC form is one ASCII character a number is written with
    (full-width and mathematical digits, no-break and ideographic spaces, full-width
    signs).  Length-preserving, so offsets into the translated text are offsets into
    the original."""
    wanted = set("0123456789+-().Xx ")
    ranges = [(0x00A0, 0x0100), (0x2000, 0x2100), (0x2150, 0x2500), (0x3000, 0x3040), (0xFE50, 0xFF70),
              (0x1D7CE, 0x1D800), (0x1FBF0, 0x1FBFA)]
    table = {}
    for low, high in ranges:
        for code in range(low, high):
            normal = unicodedata.normalize("NFKC", chr(code))
            if len(normal) == 1 and normal in wanted:
                table[code] = normal
    return table


def _class_body(codes) -> str:
    """A regex character class body for the code points, as ranges (a long list of single
    characters makes `re` test every position slowly)."""
    body, codes = [], sorted(codes)
    start = previous = codes[0]
    for code in [*codes[1:], None]:
        if code is not None and code == previous + 1:
            previous = code
            continue
        body.append(re.escape(chr(start)) + ("" if start == previous else "-" + re.escape(chr(previous))))
        if code is not None:
            start = previous = code
    return "".join(body)


_TABLE = _nfkc_table()
_LOOKALIKES = _class_body(_TABLE)

# between the groups of a number: up to two of space, tab, dot, hyphen, dashes, minus
_S = r"[ \t.\-\u2010-\u2015\u2212]{0,2}"
_CC = rf"(?:(?:\+|00)86{_S}|\(\+?86\){_S})"  # country code: +86, 0086, (+86), (86)
# a run of characters a number can be written with (look-alikes included): where the
# precise patterns are tried, on the run translated to ASCII
_CANDIDATE = re.compile(rf"[0-9(+{_LOOKALIKES}][0-9()+ \t.\-\u2010-\u2015\u2212{_LOOKALIKES}]{{9,}}")
_RESIDENT_ID = re.compile(rf"(?<![0-9])(?<![0-9][.])([1-9]\d{{5}}){_S}(\d{{4}}){_S}(\d{{4}}){_S}(\d{{3}}[\dXx])(?![0-9])")
_OLD_RESIDENT_ID = re.compile(rf"(?<![0-9])(?<![0-9][.])([1-8]\d{{5}}){_S}(\d{{6}}){_S}(\d{{3}})(?![0-9Xx])")
_PHONE = re.compile(
    r"(?<![0-9+])(?<![0-9][.\-])"  # a letter may touch it on the left ("Tel13812345678"), not a digit
    r"(?:"
    # mobile: 1[3-9]x xxxx xxxx, with or without the country code; "(138) 1234 5678" too
    rf"{_CC}?(?:1[3-9]\d|\(1[3-9]\d\)){_S}\d{{4}}{_S}\d{{4}}"
    r"|"
    # landline with the country code: the area code without its 0, then the number
    rf"{_CC}(?:\(0?[1-9]\d{{1,2}}\)|[1-9]\d{{1,2}}){_S}[2-9]\d{{3}}{_S}\d{{3,4}}"
    r"|"
    # domestic landline: 0xx or 0xxx area code, then 7-8 digits
    rf"(?:\(0[1-9]\d{{1,2}}\)|0[1-9]\d{{1,2}}){_S}[2-9]\d{{2,3}}{_S}\d{{4}}"
    r")"
    r"(?![0-9A-Za-z])(?!\.\d)"
)
_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_CHECK = "10X98765432"
# province-level region codes: the first two digits of every mainland identity number
_REGIONS = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                      50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82})


def is_resident_id(digits: str) -> bool:
    """True for an 18-character mainland resident identity number with a valid checksum."""
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], _WEIGHTS))
    return _CHECK[total % 11] == digits[17].upper()


def is_old_resident_id(digits: str) -> bool:
    """True for a 15-digit identity number (issued until 1999: region, YYMMDD, sequence; no checksum)
    whose region code and birth date exist."""
    if len(digits) != 15 or not digits.isdigit() or int(digits[:2]) not in _REGIONS:
        return False
    month, day = int(digits[8:10]), int(digits[10:12])
    return 1 <= month <= 12 and 1 <= day <= 31


def normalised(text: str) -> str:
    """The text with every character that NFKC maps to a digit, sign or space replaced by it."""
    return text.translate(_TABLE)


def personal_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of every identity and phone number in plain text, in order."""
    spans = []
    for candidate in _CANDIDATE.finditer(text):
        # the run with two characters of context before and one after, for the boundaries
        low = max(candidate.start() - 2, 0)
        chunk = normalised(text[low:candidate.end() + 1])
        start, end = candidate.start() - low, len(chunk)
        found = [(m.start(), m.end(), ID_REDACTED) for m in _RESIDENT_ID.finditer(chunk, start, end)
                 if is_resident_id("".join(m.groups()))]
        found += [(m.start(), m.end(), ID_REDACTED) for m in _OLD_RESIDENT_ID.finditer(chunk, start, end)
                  if is_old_resident_id("".join(m.groups()))
                  and not any(s < m.end() and m.start() < e for s, e, _ in found)]
        for m in _PHONE.finditer(chunk, start, end):
            if not any(s < m.end() and m.start() < e for s, e, _ in found):
                found.append((m.start(), m.end(), PHONE_REDACTED))
        spans.extend((s + low, e + low, r) for s, e, r in sorted(found))
    return spans


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    parts, last = [], 0
    for start, end, replacement in spans:
        parts.append(text[last:start])
        parts.append(replacement)
        last = end
    parts.append(text[last:])
    return "".join(parts)


# -- views: what a reader sees, mapped back to the characters that show it ------------------

_CHAR_REF = r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};)"
_PERCENT_RUN = r"(?:%[0-9A-Fa-f]{2})+"
_TEXT_MARKUP = re.compile(_CHAR_REF)
_URL_MARKUP = re.compile(_PERCENT_RUN)
_ATTRIBUTE_MARKUP = re.compile(f"{_CHAR_REF}|{_PERCENT_RUN}")
# tags that do not break a run of text (a number split by them reads as one number), and comments
_INLINE_TAGS = "a abbr b bdi bdo cite code data del dfn em font i ins kbd label mark nobr q s samp small span strike strong sub sup time tt u var wbr"
_HTML_MARKUP = re.compile(
    rf"(?P<inline><!--.*?(?:-->|$)|</?(?i:{'|'.join(_INLINE_TAGS.split())})(?![A-Za-z0-9])[^>]*>?)"
    rf"|(?P<tag><[A-Za-z/!?][^>]*>?)|(?P<ref>{_CHAR_REF})",
    re.S,
)


class _View:
    """The decoded text of a marked-up string, with a map back to the original offsets.

    Segments are (view_start, view_end, original_start, original_end, kind): kind "text" maps
    character by character, "atom" (a character reference, a percent escape run) is
    replaced whole.  Markup (a tag, a comment) has no segment: it is kept as it is, and
    shows in the view as a line break (`separate`) or not at all."""

    def __init__(self, original: str):
        self.original = original
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.segments: list[tuple[int, int, int, int, str]] = []
        self.length = 0

    def add(self, shown: str, start: int, end: int, kind: str) -> None:
        if not shown and kind == "text":
            return
        self.starts.append(self.length)
        self.segments.append((self.length, self.length + len(shown), start, end, kind))
        self.parts.append(shown)
        self.length += len(shown)

    def separate(self) -> None:
        self.parts.append("\n")
        self.length += 1

    def add_decoded(self, markup: re.Pattern, start: int, end: int, decode) -> None:
        """original[start:end] with every token of `markup` decoded as an atom."""
        position = start
        for token in markup.finditer(self.original, start, end):
            self.add(self.original[position:token.start()], position, token.start(), "text")
            self.add(decode(token.group()), token.start(), token.end(), "atom")
            position = token.end()
        self.add(self.original[position:end], position, end, "text")

    def redacted(self) -> str:
        spans = personal_spans("".join(self.parts))
        if not spans:
            return self.original
        edits: list[tuple[int, int, str]] = []
        for view_start, view_end, replacement in spans:
            pieces = []
            index = max(0, bisect_right(self.starts, view_start) - 1)
            while index < len(self.segments) and self.segments[index][0] < view_end:
                seg_view, seg_view_end, seg_start, seg_end, kind = self.segments[index]
                index += 1
                if kind == "text":
                    offset = max(view_start - seg_view, 0)
                    stop = min(view_end - seg_view, seg_end - seg_start)
                    if stop > offset:
                        pieces.append((seg_start + offset, seg_start + stop))
                elif kind == "atom" and seg_view_end > view_start:
                    pieces.append((seg_start, seg_end))
            for number, (start, end) in enumerate(pieces):
                edits.append((start, end, replacement if number == 0 else ""))
        return _replace(self.original, _merged(edits))


def _merged(edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Edits in order, overlapping ones (two spans sharing an atom) merged into the first."""
    merged: list[tuple[int, int, str]] = []
    for start, end, replacement in sorted(edits):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2] or replacement)
        else:
            merged.append((start, end, replacement))
    return merged


def _redacted(text: str, escape: str, markup: re.Pattern, decode) -> str:
    """The text redacted, on a view with every `markup` token decoded when it holds an `escape`."""
    if escape in text:
        view = _View(text)
        view.add_decoded(markup, 0, len(text), decode)
        return view.redacted()
    spans = personal_spans(text)
    return _replace(text, spans) if spans else text


def redact(text: str) -> str:
    """Plain text (an article, a title, an error message) with identity and phone numbers replaced;
    numbers written as HTML character references (`&#49;&#51;…`) are found too."""
    return _redacted(text, "&", _TEXT_MARKUP, html.unescape) if text else text


def redact_html(page: str) -> str:
    """Raw HTML with every identity and phone number replaced where a reader or a parser would find it:
    in the text (character references decoded, inline tags such as `<span>` inside a number ignored,
    other tags separating), in attribute values (references and percent escapes decoded) and as written."""
    if not page:
        return page
    view = _View(page)
    add, position, tags_with_escapes = view.add, 0, []
    for token in _HTML_MARKUP.finditer(page):
        start, end = token.span()
        if start > position:
            add(page[position:start], position, start, "text")
        kind = token.lastgroup
        if kind == "ref":
            add(html.unescape(token.group()), start, end, "atom")
        else:
            if kind == "tag":
                view.separate()
            value = token.group()
            if "&" in value or "%" in value:
                tags_with_escapes.append((start, end))
        position = end
    add(page[position:], position, len(page), "text")
    for start, end in tags_with_escapes:  # after the text, each on its own line
        view.separate()
        view.add_decoded(_ATTRIBUTE_MARKUP, start, end, _decode_attribute)
    page = view.redacted()
    spans = personal_spans(page)  # numbers as written, in attributes and scripts
    return _replace(page, spans) if spans else page


def _decode_attribute(token: str) -> str:
    return html.unescape(token) if token[0] == "&" else unquote(token)


def redact_url(url: str | None) -> str | None:
    """A URL with identity and phone numbers replaced, percent escapes decoded to find them;
    the placeholder is percent-encoded, so the result is still a URL."""
    if not url:
        return url
    redacted = _redacted(url, "%", _URL_MARKUP, unquote)
    if redacted == url:
        return url
    for placeholder in (ID_REDACTED, PHONE_REDACTED):
        redacted = redacted.replace(placeholder, quote(placeholder, safe=""))
    return redacted


def contains_personal_data(text: str) -> bool:
    return bool(text) and redact(text) != text


_ARTICLE_TEXT_FIELDS = ("text", "title", "description", "author", "sitename", "source")
_ARTICLE_URL_FIELDS = ("url", "image")


def redact_article(article: Article) -> Article:
    """Every stored field of an article redacted in place: texts, URLs, tag and category lists,
    and an id a corpus gave (an id derived from the URL is derived again from the redacted URL)."""
    derived_id = article.article_id == stable_id(article.url)
    for name in _ARTICLE_TEXT_FIELDS:
        value = getattr(article, name)
        if isinstance(value, str):
            setattr(article, name, redact(value))
    for name in _ARTICLE_URL_FIELDS:
        setattr(article, name, redact_url(getattr(article, name)))
    for name in ("categories", "tags"):
        values = getattr(article, name)
        if values:
            setattr(article, name, [redact(v) if isinstance(v, str) else v for v in values])
    article.article_id = stable_id(article.url) if derived_id else redact(article.article_id)
    return article
