"""One annotation pipeline per language, chosen by each article's language.

Every pipeline offers the same steps (`LanguagePipeline`), so nlp/annotate.py runs
redaction, blocking of personal numbers, themes and the output records once for all
languages.  A pipeline module lives in this package (`en.py`, `zh.py`); its word lists
and patterns are data files under nlp/data/<language>/.  Adding a language is a new
module with a `Pipeline` class and one line in `PIPELINES`.

An article's language is the one the caller declares (`articles.language`, the
`language` field of `creditlens annotate` input), normalised to its ISO 639-1 code
(zh-Hant, zh_TW -> zh), else detected from the text (nlp/language.py).  A language
without a pipeline of its own goes through the English one, as every article did
before there was a choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib import import_module
from typing import Any, Protocol, TypeVar

from nlp.figures import FoundFigure
from nlp.gazetteer import Gazetteer
from nlp.language import detect_language
from nlp.linking import Mention
from nlp.quotes import FoundQuote
from nlp.themes import Taxonomy

PIPELINES = {"en": "nlp.languages.en", "zh": "nlp.languages.zh"}
DEFAULT = "en"
Context = TypeVar("Context")


class LanguagePipeline(Protocol):
    """What annotation needs from a language: a batched model pass, then per text its
    linked mentions, sentences, quotes, figures and the form of the text themes match.
    `max_length` is the longest text the pipeline takes (texts are cut to the cap before
    they reach it); `version` names the model, for provenance."""

    language: str
    version: str
    max_length: int

    def parse(self, items: Iterable[tuple[str, Context]], batch_size: int) -> Iterator[tuple[Any, Context]]: ...
    def mentions(self, parsed: Any, text: str) -> list[Mention]: ...
    def sentences(self, parsed: Any, text: str) -> list[tuple[int, int]]: ...
    def quotes(self, parsed: Any, text: str, sentences: list[tuple[int, int]],
               mentions: list[Mention]) -> list[FoundQuote]: ...
    def figures(self, parsed: Any, text: str, sentences: list[tuple[int, int]]) -> list[FoundFigure]: ...
    def theme_text(self, parsed: Any, text: str) -> str: ...


def pipeline_language(declared: str | None, text: str) -> str:
    """The pipeline an article goes through: its declared language, else the detected one."""
    code = (declared or "").strip().lower().replace("_", "-").split("-")[0]
    code = code or detect_language(text) or DEFAULT
    return code if code in PIPELINES else DEFAULT


def build(language: str, model: str | None, gazetteer: Gazetteer, taxonomy: Taxonomy) -> LanguagePipeline:
    return import_module(PIPELINES[language]).Pipeline(model, gazetteer, taxonomy)
