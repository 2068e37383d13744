"""Traditional characters read as simplified, for matching only.

Hong Kong and Taiwan outlets print 萬 for 万, 說 for 说 and 臺灣 for 台湾; the word
lists, the gazetteer and the model know simplified forms.  The stored text stays as
published: matching runs on a simplified copy whose characters stand exactly where the
published ones do, so every offset found in the copy points into the original.  OpenCC
(t2s, phrase-aware) converts; in the rare case a phrase conversion changes the length,
the text is converted character by character instead, which keeps positions at the
cost of those few phrases.
"""

from __future__ import annotations

from functools import lru_cache

import opencc

_converter = opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """`text` in simplified characters, character for character the same length."""
    converted = _converter.convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(_character(ch) for ch in text)


@lru_cache(maxsize=65536)
def _character(ch: str) -> str:
    converted = _converter.convert(ch)
    return converted if len(converted) == 1 else ch
