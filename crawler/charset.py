"""Decoding a page's bytes to text when servers and pages lie about their charset.

Chinese sites often send GBK without any declaration, or behind a default
`charset=ISO-8859-1` header, and Scrapy's fallback (UTF-8, then cp1252) would store
mojibake that no later stage can repair.  The rule, cheapest test first:

1. a byte-order mark decides;
2. pure ASCII is ASCII whatever is declared;
3. bytes that are valid UTF-8 are UTF-8 (other encodings of real text almost never
   validate), even when a header claims something else;
4. a declared multi-byte charset (header, then <meta>) that decodes without error wins;
5. otherwise (no declaration, a single-byte declaration over non-ASCII text, or a
   declaration that does not decode) charset_normalizer judges among the candidates.

Also deciding whether a response is HTML at all: the Content-Type is checked against
the first bytes, so HTML served as octet-stream is kept and a PDF served as
text/html is not.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

_SINGLE_BYTE = {"cp1252", "iso8859-1", "latin-1", "ascii", "iso8859-15"}
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<title")
_BINARY_STARTS = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"OggS", b"ID3")


def _codec_name(label: str | None) -> str | None:
    """A Python codec name for a declared label, with the WHATWG aliases (gbk -> gb18030, latin1 -> cp1252)."""
    if not label:
        return None
    name = resolve_encoding(label)
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """The page's text and the codec it was decoded from."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        name = codecs.lookup(bom_encoding).name
        return body[len(bom):].decode(name, errors="replace"), name
    declared = [
        name
        for name in (
            _codec_name(http_content_type_encoding(content_type or "")),
            _codec_name(html_body_declared_encoding(body)),
        )
        if name
    ]
    if body.isascii():  # any ASCII-compatible declaration reads it the same; report the declared one
        return body.decode("ascii"), declared[0] if declared and _decodes(body, declared[0]) else "ascii"
    if _decodes(body, "utf-8"):
        return body.decode("utf-8"), "utf-8"
    for name in declared:
        if name not in _SINGLE_BYTE and _decodes(body, name):
            return body.decode(name), name
    guess = from_bytes(body[:65536]).best()
    if guess is not None:
        name = codecs.lookup(guess.encoding).name
        if name in ("gbk", "gb2312"):
            name = "gb18030"  # the superset: a GBK guess may still meet GB18030-only characters later on
        return body.decode(name, errors="replace"), name
    fallback = declared[0] if declared else "cp1252"
    return body.decode(fallback, errors="replace"), fallback


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    """Whether the body is an HTML document, trusting the first bytes over a wrong Content-Type."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(tuple(s.lower() for s in _BINARY_STARTS)) or b"\x00" in body[:1024]:
        return False
    if head.startswith(_HTML_STARTS):
        return True
    if head.startswith(b"<?xml"):
        return b"<html" in head  # XHTML; feeds and sitemaps are XML too
    return media_type(content_type) in _HTML_TYPES and not head.startswith((b"{", b"["))
