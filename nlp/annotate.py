"""Annotate article texts: entities linked to the catalogue, themes, quotes and figures.

Each article goes through the pipeline of its language (nlp/languages: English, Chinese),
declared by the caller or detected; a batch of articles is split by language and put back
in input order.  One model pass per article (batched) feeds every step, so the texts are
tokenised and tagged once.  With `n_process > 1` whole batches of
articles go to a pool of worker processes, each with its own pipeline, and come back
as finished `Annotations` in input order: linking, quotes and figures then run on all
cores too, not only the model.  Workers are forked from this process where the
platform allows it, so they start with the pipeline already loaded instead of spending
seconds loading the model again; they print and log nothing, so no lock a parent
thread (a progress bar) might hold at fork time is ever needed in a worker.

Personal numbers are redacted before the text reaches the model unless the caller
keeps them; even then no identity or phone number may leave in an entity, quote or
figure, so those rows are checked and scrubbed once more on the way out.
"""

from __future__ import annotations

import multiprocessing
import re
import sys
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from nlp import privacy
from nlp.gazetteer import Gazetteer
from nlp.languages import DEFAULT, LanguagePipeline, build, pipeline_language
from nlp.linking import derived_id
from nlp.themes import Taxonomy
from warehouse.records import Annotations, Entity, Figure, Quote, ThemeHit

_PLACEHOLDER = re.compile(r"\[(?:ID|PHONE) REDACTED\]")


@dataclass
class Failure:
    """An article annotation could not handle; it stays unannotated and is retried next run."""

    article_id: str
    error: str


class _Core:
    """Everything needed to turn texts into Annotations; one per process.  The English
    pipeline is built at once (a missing model must fail before any work); another
    language's pipeline when its first article arrives."""

    def __init__(self, model: str | None, keep_personal_data: bool, gazetteer_path: Path | None,
                 taxonomy_path: Path | None, max_chars: int | None = None):
        self.model = model
        self.max_chars = max_chars
        self.keep_personal_data = keep_personal_data
        self.gazetteer = Gazetteer.load(gazetteer_path)
        self.taxonomy = Taxonomy.load(taxonomy_path)
        self.pipelines: dict[str, LanguagePipeline] = {}
        self.english = self.pipeline(DEFAULT)
        self.max_length = self.english.max_length

    def pipeline(self, language: str) -> LanguagePipeline:
        if language not in self.pipelines:
            pipeline = build(language, self.model, self.gazetteer, self.taxonomy)
            if self.max_chars:
                pipeline.max_length = self.max_chars
            self.pipelines[language] = pipeline
        return self.pipelines[language]

    def annotate(self, items: Iterable[tuple[str, ...]], batch_size: int) -> Iterator[Annotations | Failure]:
        """Articles as (article_id, text) or (article_id, text, language), in input order."""
        iterator = self._prepared(items)
        while chunk := list(islice(iterator, batch_size)):
            by_language: dict[str, list[int]] = {}
            for position, (_, _, language) in enumerate(chunk):
                by_language.setdefault(language, []).append(position)
            results: list[Annotations | Failure | None] = [None] * len(chunk)
            for language, positions in by_language.items():
                pipeline = self.pipeline(language)
                texts = ((chunk[p][1], p) for p in positions)
                for parsed, position in pipeline.parse(texts, batch_size):
                    article_id, text, _ = chunk[position]
                    try:
                        results[position] = self._annotations(pipeline, article_id, text, parsed)
                    except Exception as exc:  # one odd article must not stop a run over thousands
                        results[position] = Failure(article_id, f"{type(exc).__name__}: {exc}".splitlines()[0])
            yield from results

    def _prepared(self, items: Iterable[tuple[str, ...]]) -> Iterator[tuple[str, str, str]]:
        """(article_id, text, pipeline language) with the text redacted unless personal data
        is kept.  A text longer than `max_length` (`max_chars`, a megabyte by default: a
        mis-extracted page, never an article) is annotated on its first `max_length`
        characters instead of failing the whole batch; `Annotator.cut` reports it."""
        for article_id, text, *language in items:
            text = text if isinstance(text, str) else ""
            text = (text if self.keep_personal_data else privacy.redact(text))[: self.max_length]
            yield article_id, text, pipeline_language(language[0] if language else None, text)

    def _annotations(self, pipeline: LanguagePipeline, article_id: str, text: str, parsed) -> Annotations:
        # spans no row may touch: personal numbers kept in the text, and the placeholders
        # redaction left (the model would happily call "ID REDACTED" an organisation)
        blocked = [(s, e) for s, e, _ in privacy.personal_spans(text)] if self.keep_personal_data else []
        blocked += [m.span() for m in _PLACEHOLDER.finditer(text)]

        def clear(start: int, end: int) -> bool:
            return not any(s < end and start < e for s, e in blocked)

        mentions = [m for m in pipeline.mentions(parsed, text) if clear(m.start, m.end)]
        sentences = pipeline.sentences(parsed, text)
        return Annotations(
            article_id=article_id,
            text=text,
            entities=[Entity(article_id, m.start, m.end, m.text, m.label, m.entity_id) for m in mentions],
            themes=[ThemeHit(article_id, theme, score, self.taxonomy.version)
                    for theme, score in self.taxonomy.score(pipeline.theme_text(parsed, text))],
            quotes=[
                Quote(article_id, privacy.redact(q.speaker), privacy.redact(q.quote), q.entity_id,
                      _redacted(q.organisation), q.organisation_id, _redacted(q.role), q.kind, q.start_char)
                for q in pipeline.quotes(parsed, text, sentences, mentions)
            ],
            figures=[
                Figure(article_id, f.value, f.unit, privacy.redact(f.subject), privacy.redact(f.sentence), f.start_char,
                       f.converted_from)
                for f in pipeline.figures(parsed, text, sentences)
                if clear(f.start_char, f.start_char + 1)
            ],
        )


def _redacted(value: str | None) -> str | None:
    return privacy.redact(value) if value else value


class Annotator:
    """The entry point the jobs and the CLI use; keeps the catalogue of ids it has seen."""

    def __init__(self, model: str | None = None, keep_personal_data: bool = False,
                 gazetteer_path: Path | None = None, taxonomy_path: Path | None = None,
                 max_chars: int | None = None):
        self._settings = (model, keep_personal_data, gazetteer_path, taxonomy_path, max_chars)
        self._core = _Core(*self._settings)
        self.versions = {
            "model": self._core.english.version,
            "gazetteer_version": self._core.gazetteer.version,
            "taxonomy_version": self._core.taxonomy.version,
        }
        # surface forms of every id outside the gazetteer, for the catalogue
        self._forms: dict[str, Counter] = {}
        self._labels: dict[str, str] = {}
        self.failures: list[Failure] = []  # articles skipped, with the one-line reason
        self.cut: list[str] = []  # "article_id: ..." for each text annotated only in part

    def annotate(self, items: Iterable[tuple[str, ...]], n_process: int = 1,
                 batch_size: int = 64, cluster=None) -> Iterator[Annotations]:
        """Annotations of (article_id, text) or (article_id, text, language) items, in order;
        without a language (or with None) it is detected from the text.  A `cluster`
        (creditlens/dask_processing) annotates on its workers instead of local processes."""
        items = self._noting_cuts(items)
        if cluster is not None:
            results = cluster.annotate(self._settings, items, batch_size)
        else:
            results = (self._core.annotate(items, batch_size) if n_process <= 1
                       else self._in_pool(items, n_process, batch_size))
        known = {entry.id for entry in self._core.gazetteer.entries}
        for annotations in results:
            if isinstance(annotations, Failure):
                self.failures.append(annotations)
                continue
            for entity in annotations.entities:
                if entity.entity_id not in known:
                    self._forms.setdefault(entity.entity_id, Counter())[entity.text] += 1
                    self._labels.setdefault(entity.entity_id, entity.label)
            yield annotations

    def _noting_cuts(self, items: Iterable[tuple[str, ...]]) -> Iterator[tuple[str, ...]]:
        limit = self._core.max_length
        for article_id, text, *language in items:
            if isinstance(text, str) and len(text) > limit:
                self.cut.append(f"{article_id}: annotated the first {limit:,} of {len(text):,} characters")
            yield article_id, text, *language

    def catalog_rows(self) -> list[dict]:
        rows = [entry.catalog_row() for entry in self._core.gazetteer.entries]
        for entity_id, forms in sorted(self._forms.items()):
            label = self._labels[entity_id]
            name = _catalog_name(entity_id, label, forms)
            rows.append({
                "entity_id": entity_id,
                "name": name,
                "type": label.lower(),
                "label": label,
                "aliases": sorted(form for form in forms if form != name),
                "admin_level": "",
                "parent": "",
                "in_gazetteer": False,
            })
        return rows

    def _in_pool(self, items: Iterable[tuple[str, ...]], n_process: int,
                 batch_size: int) -> Iterator[Annotations | Failure]:
        """Batches of articles to worker processes, at most two per worker in flight so a
        corpus of any size streams through in bounded memory, results in input order."""
        if "fork" in multiprocessing.get_all_start_methods():
            # what sits unflushed in the parent's buffers would be written again by every child
            sys.stdout.flush()
            sys.stderr.flush()
            context, initargs = multiprocessing.get_context("fork"), (self._core,)
        else:
            context, initargs = multiprocessing.get_context("spawn"), self._settings
        iterator = iter(items)
        with ProcessPoolExecutor(n_process, mp_context=context, initializer=_start_worker,
                                 initargs=initargs) as pool:
            pending: deque[Future] = deque()
            while True:
                while len(pending) < 2 * n_process and (chunk := list(islice(iterator, batch_size))):
                    pending.append(pool.submit(_annotate_chunk, chunk, batch_size))
                if not pending:
                    return
                yield from pending.popleft().result()


def _catalog_name(entity_id: str, label: str, forms: Counter) -> str:
    """The most frequent surface form that spells the id itself ("Zhou Ming", not the
    "Zhou" that later mentions shorten it to), else the most frequent one."""
    spelled = [form for form in forms if derived_id("person" if label == "PERSON" else label, form) == entity_id]
    candidates = spelled or list(forms)
    return max(candidates, key=lambda form: (forms[form], len(form)))


_worker: _Core | None = None


def _start_worker(*settings) -> None:
    """A forked worker is handed the parent's pipeline; a spawned one builds its own."""
    global _worker
    _worker = settings[0] if isinstance(settings[0], _Core) else _Core(*settings)


def _annotate_chunk(chunk: list[tuple[str, ...]], batch_size: int) -> list[Annotations | Failure]:
    return list(_worker.annotate(chunk, batch_size))
