"""Chinese articles as the words a topic model counts.

The topic vocabulary (nlp/vocabulary.py) finds words between spaces, which Chinese does
not write.  Before a Chinese article reaches the topic model, `topic_text` makes it a
list of words:

* read in simplified characters (nlp/languages/zh_script.py), so that 萬 and 万, 隱私 and
  隐私 are one word;
* cut by jieba (the Chinese pipeline's segmenter, nlp/languages/zh_segmenter.py) with a
  user dictionary of every Chinese alias in the gazetteer and every Chinese theme term,
  so that 失信被执行人 and 最高人民法院 stay whole.  jieba rather than LAC: topics need
  words, not names, and jieba cuts a corpus several times faster;
* every gazetteer alias replaced by the entity's catalogue name (最高法 and 最高人民法院
  become "Supreme People's Court"), which the vocabulary turns into the same name term
  it makes of English articles: one bilingual model whose topics share the catalogue's
  entities across languages, while Chinese and English words keep their own terms;
* without Chinese stop words (nlp/data/zh/topic_stopwords.txt), single characters,
  numbers and punctuation.

The text comes back one sentence a line (the vocabulary measures coherence by sentence),
its words separated by commas: the vocabulary joins capitalised words separated by spaces
into names, and a catalogue name must not run into the next one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from nlp.gazetteer import Gazetteer
from nlp.languages.zh_script import simplified
from nlp.languages.zh_segmenter import Segmenter
from nlp.themes import Taxonomy

_HAN = re.compile(r"[\u3400-\u9fff]")
_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n")


def stop_words() -> frozenset[str]:
    text = (resources.files("nlp") / "data" / "zh" / "topic_stopwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


class ChineseTopicTerms:
    """The segmenter with the domain dictionary, and the alias -> catalogue name map."""

    def __init__(self, gazetteer: Gazetteer | None = None, taxonomy: Taxonomy | None = None):
        gazetteer = gazetteer or Gazetteer.load()
        taxonomy = taxonomy or Taxonomy.load()
        self.names = {simplified(alias): entry.name for entry in gazetteer.entries for alias in entry.aliases_zh}
        terms = {simplified(term) for theme in taxonomy.themes for term in theme.terms.chinese}
        self.stop_words = stop_words()
        self.segmenter = Segmenter("jieba", set(self.names) | terms)

    def words(self, text: str) -> list[str]:
        """The terms of `text`: catalogue names, domain terms and content words, in order."""
        simple = simplified(text)
        found = []
        for start, end, _ in self.segmenter.segment([simple])[0]:
            word = simple[start:end].strip()
            if word in self.names:
                found.append(self.names[word])
            elif _HAN.search(word) and len(word) > 1 and word not in self.stop_words:
                found.append(word)
            elif not _HAN.search(word) and _LETTER.search(word):  # Latin words inside Chinese text (P2P, App)
                found.append(word)
        return found

    def topic_text(self, text: str) -> str:
        sentences = (", ".join(self.words(sentence)) for sentence in _SENTENCE_END.split(text))
        return "\n".join(sentence for sentence in sentences if sentence)


@lru_cache(maxsize=1)
def default_terms() -> ChineseTopicTerms:
    """Loaded once per process: building jieba's dictionary takes about a second."""
    return ChineseTopicTerms()


def topic_text(text: str, language: str | None) -> str:
    """What the topic model reads of an article: Chinese as its words, a sentence a line; others unchanged."""
    if (language or "").lower().split("-")[0] == "zh":
        return default_terms().topic_text(text)
    return text
