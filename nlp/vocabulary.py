"""The vocabulary topic models see: news text cut into words, names and lemmas.

Why not scikit-learn's default tokenizer: it splits "Supreme People's Court" into
"supreme", "people", "court", so a topic about the court and one about people share
words; it keeps "the" and "said" (its optional English stop list instead drops
"system" and "us").  Here:

* names stay one token: a run of two or three capitalised words on one line, joined by
  spaces or "of"/"for" ("Cyberspace Administration of China"), becomes
  "cyberspace_administration_of_china"; stop words at either end of the run are
  dropped first ("But Alan Greenspan" -> "alan_greenspan", "Mr Blair" -> "blair"),
  and a leading title stays a word of its own ("Chancellor Gordon Brown" ->
  "chancellor", "gordon_brown"), so a person is one term however introduced.
  Longer runs (headlines in title case, "Prime Minister Tony Blair") fall back to
  single words rather than minting one-off tokens;
* all-capital acronyms are kept even when they spell a stop word ("US", "IT");
* "n't" becomes "not", possessive "'s" and clitics ("'re", "'ll") are dropped, numbers
  are dropped;
* stop words come from `nlp/data/vocabulary.toml` (function words plus news
  reporting words such as "said");
* plurals fold onto their singular when the corpus uses it (`plural_folds`); a term is
  shown in the form the corpus uses most ("awards" rather than "award" where writers
  mostly write the plural), so a topic reads as the articles do and its words can be
  found in them.

A regular-expression tokenizer rather than spaCy: it handles 100,000 articles in
minutes on one core, where a tagging pipeline (needed for spaCy's lemmas) takes
hours, and topic models gain little from full lemmas once names are phrases and
plurals are folded.  Document frequency limits (`min_df`, `max_df`) prune words too
rare to form a topic and words so common they are in every topic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from nlp.datafiles import read_data_file

MAX_NAME_WORDS = 3

_CAP = r"[A-Z][\w'&-]*"
_NAME = re.compile(rf"{_CAP}(?:[ \t]+(?:(?:of|for)[ \t]+(?:the[ \t]+)?)?{_CAP})+")
_PART = r"[^\W_]+(?:['&-][^\W_]+)*"
_WORD = re.compile(rf"{_PART}(?:_{_PART})*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_NOT = re.compile(r"n't\b", re.IGNORECASE)
_CLITIC = re.compile(r"'(?:s|re|ve|ll|d|m)?$")
_CONNECTORS = frozenset({"of", "for", "the"})
_SENTENCE_END = re.compile(r"\n|(?<=[.!?])[ \t]+(?=[A-Z\"'\u201c\u2018])")


def _load_settings() -> dict:
    data, _ = read_data_file("vocabulary.toml")
    return {
        "version": str(data["version"]),
        "stop_words": frozenset(data["stop_words"].split()),
        "not_plurals": frozenset(data["not_plurals"]),
        "name_titles": frozenset(data["name_titles"]),
    }


_SETTINGS = _load_settings()
VERSION = _SETTINGS["version"]
STOP_WORDS = _SETTINGS["stop_words"]
_NAME_EDGE_WORDS = STOP_WORDS | _CONNECTORS


def _is_edge_word(word: str) -> bool:
    """A stop word or connector that may not start or end a name ("The", "Mr", "of"),
    unless written as an acronym ("US")."""
    return word.lower() in _NAME_EDGE_WORDS and not (len(word) > 1 and word.isupper())


def _join_name(match: re.Match) -> str:
    return _name(match.group(0).split())


def _name(words: list[str]) -> str:
    """One run of capitalised words -> a name token (plus separate title words), or the
    words unchanged when the run is not a name."""
    while words and _is_edge_word(words[0]):
        words.pop(0)
    while words and _is_edge_word(words[-1]):
        words.pop()
    if words and words[-1].endswith("'s"):
        words[-1] = words[-1][:-2]
    titles = []
    while len(words) > 1 and words[0].lower() in _SETTINGS["name_titles"]:
        titles.append(words.pop(0))
    capitalised = sum(1 for w in words if w[:1].isupper())
    if 2 <= capitalised <= MAX_NAME_WORDS:
        return " ".join([*titles, "_".join(words).lower()])
    connectors = [i for i, w in enumerate(words) if w in _CONNECTORS]
    if capitalised > MAX_NAME_WORDS and connectors:
        # "Judge Zhang Wei of the Supreme People's Court": two names joined by "of"
        first, rest = words[: connectors[0]], words[connectors[0] + 1 :]
        return " ".join([*titles, _name(first), _name(rest)])
    return " ".join(titles + words)


def tokens(text: str) -> list[str]:
    """The vocabulary tokens of one text, in order."""
    text = _NOT.sub(" not", text.translate(_APOSTROPHES))
    text = _NAME.sub(_join_name, text)
    out = []
    for word in _WORD.findall(text):
        if "_" in word:
            out.append(word)
        elif len(word) > 1 and word.isupper() and word.isalpha():
            out.append(word.lower())
        else:
            word = _CLITIC.sub("", word.lower())
            if len(word) > 1 and word not in STOP_WORDS and not word.replace("-", "").isdigit():
                out.append(word)
    return out


def plural_folds(words: Iterable[str]) -> dict[str, str]:
    """Plural -> singular for the words whose singular is also among `words`.

    A light lemmatizer that needs no part-of-speech tagger: "debtors" and "debtor",
    "companies" and "company" become one term, so a topic is not split between the
    forms and co-occurrence counts are not halved.  Folding only onto a form the
    corpus itself uses keeps "bus" or "gas" intact; `not_plurals` in
    `nlp/data/vocabulary.toml` lists the words that only look like plurals.
    """
    words = set(words)
    folds = {}
    for word in words:
        if "_" in word or not word.endswith("s") or word in _SETTINGS["not_plurals"]:
            continue
        if word.endswith("ies") and word[:-3] + "y" in words:
            folds[word] = word[:-3] + "y"
        elif word.endswith(("sses", "shes", "ches", "xes", "zes")) and word[:-2] in words:
            folds[word] = word[:-2]
        elif not word.endswith(("ss", "us", "is")) and word[:-1] in words:
            folds[word] = word[:-1]
    return folds


class Vocabulary:
    """The terms kept for a corpus, the plural folds learnt from it, each term's most
    used surface form, and the counting of texts against them."""

    def __init__(self, terms: list[str], folds: dict[str, str] | None = None, surface: dict[str, str] | None = None):
        self.terms = list(terms)
        self.folds = dict(folds or {})
        self.surface = dict(surface or {})
        self._vectorizer = CountVectorizer(analyzer=self._analyze, vocabulary=self.terms, dtype=np.float32)

    def _analyze(self, text: str) -> list[str]:
        folds = self.folds
        return [folds.get(token, token) for token in tokens(text)]

    @classmethod
    def build(
        cls, texts: Iterable[str], min_df: int | float, max_df: int | float, max_terms: int | None = None
    ) -> tuple["Vocabulary", sparse.csr_matrix]:
        """Learn the terms of a corpus; return them with its (documents x terms) counts.

        `min_df`/`max_df` are document counts when integers and shares of the corpus
        when floats (as in scikit-learn); `max_terms` keeps the most frequent terms.
        """
        vocabulary, counts, _ = cls.build_with_sentences(texts, min_df, max_df, max_terms)
        return vocabulary, counts

    @classmethod
    def build_with_sentences(
        cls, texts: Iterable[str], min_df: int | float, max_df: int | float, max_terms: int | None = None
    ) -> tuple["Vocabulary", sparse.csr_matrix, sparse.csr_matrix]:
        """As `build`, plus the (sentences x terms) counts of the corpus, the context in
        which topic coherence is measured (`nlp/coherence.py`).

        The corpus is tokenized once, sentence by sentence (lines, cut after ".", "!"
        or "?" before a capital or a quote): a name never spans a line or a sentence
        end, so this is the tokenization of whole texts, and a document's counts are
        the sum of its sentences'.  Plurals are folded by merging count columns.
        """
        sentences, owners = [], []
        n_docs = 0
        for n_docs, text in enumerate(texts, 1):
            for sentence in _SENTENCE_END.split(text):
                if sentence.strip():
                    sentences.append(sentence)
                    owners.append(n_docs - 1)
        raw = CountVectorizer(analyzer=tokens, dtype=np.float32)
        try:
            sentence_counts = raw.fit_transform(sentences).tocsr()
        except ValueError as exc:  # scikit-learn's "empty vocabulary"
            raise ValueError(f"no vocabulary for topic modelling: {exc}") from exc
        surface = list(raw.get_feature_names_out())
        raw_counts = np.asarray(sentence_counts.sum(axis=0)).ravel()
        folds = plural_folds(surface)
        lemmas = sorted({folds.get(word, word) for word in surface})
        column = {lemma: i for i, lemma in enumerate(lemmas)}
        merge = sparse.csr_matrix(
            (np.ones(len(surface), dtype=np.float32), ([*range(len(surface))], [column[folds.get(w, w)] for w in surface])),
            shape=(len(surface), len(lemmas)),
        )
        sentence_counts = (sentence_counts @ merge).tocsr()
        documents = sparse.csr_matrix(
            (np.ones(len(sentences), dtype=np.float32), (owners, np.arange(len(sentences)))),
            shape=(n_docs, len(sentences)),
        )
        counts = (documents @ sentence_counts).tocsc()
        low = min_df if isinstance(min_df, int) else min_df * n_docs
        high = max_df if isinstance(max_df, int) else max_df * n_docs
        document_frequency = np.diff(counts.indptr)
        keep = np.flatnonzero((document_frequency >= low) & (document_frequency <= high))
        if max_terms is not None and len(keep) > max_terms:
            frequency = np.asarray(counts[:, keep].sum(axis=0)).ravel()
            keep = np.sort(keep[np.argsort(-frequency, kind="stable")[:max_terms]])
        if not len(keep):
            raise ValueError(f"no vocabulary left for topic modelling: min_df={min_df} and max_df={max_df} prune every term")
        terms = [lemmas[i] for i in keep]
        kept = set(terms)
        vocabulary = cls(terms, {w: l for w, l in folds.items() if l in kept}, _commonest_forms(raw_counts, surface, folds, kept))
        return vocabulary, counts[:, keep].tocsr(), sentence_counts[:, keep].tocsr()

    def written(self, term: str) -> str:
        """How a term is shown to readers: the surface form the corpus uses most."""
        return self.surface.get(term, term)

    def counts(self, texts: Iterable[str]) -> sparse.csr_matrix:
        """(documents x terms) counts of new texts; words outside the vocabulary are ignored."""
        return self._vectorizer.transform(texts).tocsr()


def _commonest_forms(frequency: np.ndarray, surface: list[str], folds: dict[str, str], kept: set[str]) -> dict[str, str]:
    """Kept term -> the surface form used most often, where that is not the term itself
    (a plural written more often than its singular); ties go to the singular."""
    best: dict[str, tuple[float, bool, str]] = {}
    for count, word in zip(frequency, surface):
        term = folds.get(word, word)
        if term in kept:
            best[term] = max(best.get(term, (-1.0, False, "")), (float(count), word == term, word))
    return {term: word for term, (_, _, word) in best.items() if word != term}
