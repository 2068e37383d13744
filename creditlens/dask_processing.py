"""Extraction and annotation on Dask workers, for corpora that outgrow one machine.

`[process] scheduler` (or `creditlens process --scheduler`) picks this engine instead of
the local pools of nlp/extraction and nlp/annotate; nothing else changes.  The warehouse
stays single-writer: workers get pages and texts, send back `Extraction`s and
`Annotations`, and the one `creditlens process` that submitted them loads the results.

What runs where (docs/cluster.md):
- extraction: a task is a slice of pages, run through `extract_pages` with one worker
  process, so the per-page timeout still kills a pathological page alone.  That child
  process is why Dask workers must run non-daemonic (`distributed.worker.daemon: False`);
  `connect` refuses workers that cannot start one rather than failing page by page.
- annotation: each worker loads the language pipelines once, in a worker plugin, and
  annotates slices of articles with it; results come back in input order.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from itertools import islice

from distributed.diagnostics.plugin import WorkerPlugin

from nlp.extraction import ExtractionPoolError

EXTRACT_TASK_PAGES = 50  # pages per extraction task: a few seconds of work, a few MB of HTML
CONNECT_TIMEOUT = "10s"
PLUGIN_PREFIX = "creditlens-annotator"


class ClusterError(Exception):
    """The Dask cluster cannot be reached or cannot run our tasks; one line for the user."""


class ProcessingCluster:
    """A connected Dask client and the two jobs `creditlens process` hands to it."""

    def __init__(self, client):
        self.client = client

    @property
    def slots(self) -> int:
        """Tasks the workers run at once (their threads)."""
        return max(1, sum(self.client.nthreads().values()))

    def extract_pages(self, items: Iterable[tuple[str, str, str | None]],
                      timeout: float = 30.0) -> Iterator[tuple[str, object]]:
        """(url, Extraction) for every (url, html, source), in input order: which of two
        copies of a story published at the same time counts as the original goes by the
        order the loader sees them, so the cluster keeps that order for a run to give the
        rows a one-process run gives."""
        return self._in_order(_extract_on_worker, items, EXTRACT_TASK_PAGES, timeout)

    def annotate(self, settings: tuple, items: Iterable[tuple[str, ...]],
                 batch_size: int) -> Iterator[object]:
        """Annotations (or Failures) of the items in input order, computed by workers that
        loaded the pipelines of `settings` (nlp.annotate.Annotator's) once, in a plugin."""
        name = self._load_annotator(settings)
        yield from self._in_order(partial(_annotate_on_worker, name), items, batch_size, batch_size)

    def _in_order(self, task, items: Iterable, chunk_size: int, *args) -> Iterator:
        """`task(chunk, *args)` on the workers for chunks of the items, results flattened in
        input order; at most two chunks per worker thread in flight, so a backlog of any
        size streams through in bounded memory."""
        items = iter(items)
        pending: deque = deque()
        while True:
            while len(pending) < 2 * self.slots and (chunk := list(islice(items, chunk_size))):
                pending.append(self.client.submit(task, chunk, *args, pure=False))
            if not pending:
                return
            future = pending.popleft()
            try:
                results = future.result()
            except ExtractionPoolError:
                raise
            except Exception as exc:  # a worker lost for good (KilledWorker), a plugin that could not load
                raise ClusterError(f"task failed on the Dask cluster: {_one_line(exc)}") from None
            finally:
                future.release()
            yield from results

    def _load_annotator(self, settings: tuple) -> str:
        """Registers the plugin that builds the annotation core on every worker (and on
        workers that join later); named for its settings, so a run with other settings
        gets its own pipelines.  Registering again replaces it: each run loads the model
        once per worker, and a changed gazetteer or model is picked up."""
        name = f"{PLUGIN_PREFIX}-{hashlib.sha256(repr(settings).encode()).hexdigest()[:12]}"
        try:
            self.client.register_plugin(AnnotatorPlugin(settings), name=name)
        except Exception as exc:
            raise ClusterError(f"Dask workers could not load the annotation model: {_one_line(exc)}") from None
        return name


class AnnotatorPlugin(WorkerPlugin):
    """Builds the annotation core (pipelines, gazetteer, taxonomy) once per worker."""

    def __init__(self, settings: tuple):
        self.settings = settings
        self.core = None

    def setup(self, worker) -> None:
        from nlp.annotate import _Core

        self.core = _Core(*self.settings)


def _extract_on_worker(chunk: list, timeout: float) -> list:
    from nlp.extraction import extract_pages

    return list(extract_pages(chunk, workers=1, timeout=timeout))


def _annotate_on_worker(plugin_name: str, chunk: list, batch_size: int) -> list:
    from distributed import get_worker

    return list(get_worker().plugins[plugin_name].core.annotate(chunk, batch_size))


def _is_daemonic() -> bool:
    return multiprocessing.current_process().daemon


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


@contextmanager
def connect(scheduler: str) -> Iterator[ProcessingCluster]:
    """A cluster for the length of one run: "local:N" starts N single-threaded workers on
    this machine (loopback only, no dashboard) and stops them after; any other value is
    the address of a running scheduler."""
    import dask
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if scheduler.startswith("local:"):
            with dask.config.set({"distributed.worker.daemon": False}):
                cluster = LocalCluster(n_workers=int(scheduler.removeprefix("local:")), threads_per_worker=1,
                                       processes=True, host="127.0.0.1", dashboard_address=None,
                                       silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except Exception as exc:
        if cluster is not None:
            cluster.close()
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {_one_line(exc)}") from None
    try:
        if not client.nthreads():
            raise ClusterError(f"the Dask scheduler at {scheduler} has no workers")
        daemonic = sorted(address for address, flag in client.run(_is_daemonic).items() if flag)
        if daemonic:
            raise ClusterError(
                f"{len(daemonic)} Dask worker(s) run daemonic and cannot start the extraction process "
                f"(e.g. {daemonic[0]}): start them with DASK_DISTRIBUTED__WORKER__DAEMON=False")
        yield ProcessingCluster(client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
