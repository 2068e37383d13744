"""Language of an extracted text, as an ISO 639-1 code.

Why not py3langid alone: its n-gram model is reliable on long Latin-script text but
on short or mixed texts it sometimes calls Chinese "ja" and, worse, calls an English
article Chinese because a quoted title or a leftover spam line is written in Han
characters.  The script decides first (Han characters with no kana are Chinese, kana
are Japanese, Hangul is Korean, and a text mostly in Latin letters is never called
CJK); py3langid decides among the remaining languages.  Only the first
`SAMPLE_CHARS` characters are read: the language of a news article is settled long
before its end and identification cost must not grow with page size.
"""

from __future__ import annotations

import re

import py3langid

SAMPLE_CHARS = 1500
# Share of CJK characters among letters above which the text is taken as CJK.
CJK_SHARE = 0.3

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
KANA = re.compile(r"[\u3040-\u30ff]")
HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff]")
LETTER = re.compile(r"[^\W\d_]")


def cjk_share(text: str) -> float:
    """Share of CJK characters among the letters of `text` (0.0 when it has none)."""
    letters = len(LETTER.findall(text))
    return len(CJK.findall(text)) / letters if letters else 0.0


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of `text`, or None when it has no letters to judge by."""
    sample = text[:SAMPLE_CHARS]
    letters = len(LETTER.findall(sample))
    if not letters:
        return None
    cjk = CJK.findall(sample)
    if len(cjk) / letters >= CJK_SHARE:
        joined = "".join(cjk)
        kana, hangul = len(KANA.findall(joined)), len(HANGUL.findall(joined))
        if hangul > kana and hangul >= len(joined) * 0.3:
            return "ko"
        if kana >= len(joined) * 0.1:
            return "ja"
        return "zh"
    language, _ = py3langid.classify(CJK.sub(" ", sample))
    return language
