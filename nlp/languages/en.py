"""The English pipeline: the spaCy model's NER with the gazetteer ruler (nlp/tagging.py),
linking (nlp/linking.py), quotes (nlp/quotes.py) and figures (nlp/figures.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.tokens import Doc

from nlp.figures import FoundFigure, find_figures
from nlp.gazetteer import Gazetteer
from nlp.linking import Linker, Mention
from nlp.quotes import FoundQuote, find_quotes
from nlp.tagging import build_pipeline, model_version, sentence_spans
from nlp.themes import Taxonomy


class Pipeline:
    language = "en"

    def __init__(self, model: str | None, gazetteer: Gazetteer, taxonomy: Taxonomy):
        self.nlp = build_pipeline(model, gazetteer)
        self.linker = Linker(gazetteer)
        self.version = model_version(self.nlp)

    @property
    def max_length(self) -> int:
        """spaCy's limit on a text's length; a longer text is cut to it before parsing."""
        return self.nlp.max_length

    @max_length.setter
    def max_length(self, value: int) -> None:
        self.nlp.max_length = value

    def parse(self, items: Iterable[tuple[str, object]], batch_size: int) -> Iterator[tuple[Doc, object]]:
        return self.nlp.pipe(items, as_tuples=True, batch_size=batch_size)

    def mentions(self, parsed: Doc, text: str) -> list[Mention]:
        return self.linker.link(parsed, text)

    def sentences(self, parsed: Doc, text: str) -> list[tuple[int, int]]:
        return sentence_spans(text)

    def quotes(self, parsed: Doc, text: str, sentences: list[tuple[int, int]],
               mentions: list[Mention]) -> list[FoundQuote]:
        return find_quotes(text, sentences, mentions)

    def figures(self, parsed: Doc, text: str, sentences: list[tuple[int, int]]) -> list[FoundFigure]:
        return find_figures(text, sentences)

    def theme_text(self, parsed: Doc, text: str) -> str:
        return text
