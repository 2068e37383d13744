"""Extraction quality and speed: our pipeline next to bare trafilatura, same pages, same run.

    .venv/bin/python bench/extraction_quality.py --corpus /work/shared/corpora/trafilatura-eval

The corpus is trafilatura's own evaluation set: for each page, snippets that must be in
the extracted text ("with") and snippets that must not ("without").  A "with" snippet
found is a true positive, missed a false negative; a "without" snippet found is a false
positive, absent a true negative (trafilatura's own scoring; whitespace runs are collapsed
on both sides so line wrapping does not count).  The same labels are also scored as
4-gram word shingles averaged per page, the measure the issue names: a page's reference
is the shingles of its "with" snippets, its counter-reference those of its "without"
snippets (less any shared with the reference); precision is the share of the labelled
shingles found in the output that are reference ones, recall the share of reference
shingles found; a snippet shorter than four words is one shingle of its own length.
Precision of an output holding no labelled shingle counts as 1 (it claims nothing wrong).
For our pipeline the output is the article text that would be stored: a page it
classifies as a listing, paywall or error page yields no text, so a wrong classification
costs recall here.  Every page of this set is a content page, so the row "ours text"
scores the text extracted from every page whatever its kind: extraction alone, with
page-kind decisions set aside.

Why two halves: the settings and boilerplate rules were tuned while looking at the
"tune" half only (pages whose file-name hash is even); the "held-out" half tells whether
that tuning generalises.  English pages (language of bare trafilatura's output) are
reported separately because the pipeline's news is mostly English and Chinese.

Dates: correct when within a day of the label (ours are UTC, labels local days).  Ours
is scored as stored (no article, no date) and with page kinds set aside; each date's
evidence (articles.date_source) is tallied, and for both systems the dates that are a
copyright-footer year (1 January of a year the page shows after "©").  bare is
trafilatura's metadata with its defaults (htmldate's extensive search, the URL given).

Speed: bare trafilatura runs in one process, as `trafilatura.extract(html)` is normally
called; ours runs `extract_pages` with its process pool across all cores, as the
pipeline does.  Both include everything from HTML string to text (ours also metadata,
language, page kind and hashing).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import json
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import trafilatura
from trafilatura.utils import decode_file

from nlp.dates import is_copyright_year, publication_date
from nlp.extraction import extract_page, extract_pages
from nlp.htmltree import parse_html
from nlp.language import detect_language

_SPACE = re.compile(r"\s+")
# A Han character is a word of its own (Chinese is written without spaces); other words are runs of letters and digits.
_WORD = re.compile(r"[\u3400-\u9fff]|[^\W\u3400-\u9fff]+")
SHINGLE_WORDS = 4
METADATA_FIELDS = ("title", "author", "date")


@dataclass
class LabelledPage:
    file: str
    url: str
    html: str
    with_snippets: list[str]
    without_snippets: list[str]
    half: str
    metadata: dict[str, str]  # labelled title / author / date, where the set gives them

    # Shingle sets are the same for every system and group a page is scored in: made once.
    @functools.cached_property
    def reference_shingles(self) -> set[tuple[str, ...]]:
        return snippet_shingles(self.with_snippets)

    @functools.cached_property
    def counter_shingles(self) -> set[tuple[str, ...]]:
        return snippet_shingles(self.without_snippets) - self.reference_shingles


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def snippet_shingles(snippets: list[str]) -> set[tuple[str, ...]]:
    shingles = set()
    for snippet in snippets:
        tokens = words(snippet)
        size = min(SHINGLE_WORDS, len(tokens))
        shingles.update(tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1) if size)
    return shingles


def page_f1(tp: int, fp: int, fn: int) -> float:
    """A page's F1; a page with nothing to find and nothing wrongly found scores 1."""
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


@dataclass
class ShingleSums:
    """Per-page precision, recall and F1 over 4-gram word shingles, summed for averaging."""

    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0

    def add(self, page: LabelledPage, output: str) -> None:
        reference, counter = page.reference_shingles, page.counter_shingles
        tokens = words(output)
        found = set()
        for size in {len(shingle) for shingle in reference | counter}:
            found.update(tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1))
        tp, fp = len(reference & found), len(counter & found)
        fn = len(reference) - tp
        self.precision += tp / (tp + fp) if tp + fp else 1.0
        self.recall += tp / (tp + fn) if tp + fn else 1.0
        self.f1 += page_f1(tp, fp, fn)

    def means(self, pages: int) -> dict[str, float]:
        return {"shingle_precision": self.precision / max(1, pages), "shingle_recall": self.recall / max(1, pages),
                "shingle_f1": self.f1 / max(1, pages)}


@dataclass
class Counts:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    page_f1_sum: float = 0.0
    pages: int = 0
    shingle_sums: ShingleSums = field(default_factory=ShingleSums)

    def add(self, page: LabelledPage, output: str) -> None:
        text = _SPACE.sub(" ", output)
        tp = sum(_SPACE.sub(" ", s).strip() in text for s in page.with_snippets)
        fp = sum(_SPACE.sub(" ", s).strip() in text for s in page.without_snippets)
        fn, tn = len(page.with_snippets) - tp, len(page.without_snippets) - fp
        self.tp, self.fn, self.fp, self.tn = self.tp + tp, self.fn + fn, self.fp + fp, self.tn + tn
        self.page_f1_sum += page_f1(tp, fp, fn)
        self.pages += 1
        self.shingle_sums.add(page, output)

    def scores(self) -> dict[str, float]:
        return self.snippet_scores() | self.shingle_sums.means(self.pages)

    def snippet_scores(self) -> dict[str, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        accuracy = (self.tp + self.tn) / max(1, self.tp + self.tn + self.fp + self.fn)
        return {"precision": precision, "recall": recall, "f1": f1, "accuracy": accuracy,
                "page_f1": self.page_f1_sum / max(1, self.pages)}


def half_of(file: str) -> str:
    return "tune" if hashlib.sha1(file.encode("utf-8")).digest()[0] % 2 == 0 else "held-out"


def labelled_value(value: str | list[str]) -> str:
    """Several authors are listed; trafilatura joins them with "; "."""
    return "; ".join(value) if isinstance(value, list) else value


def load_corpus(corpus: Path, half: str, limit: int | None) -> list[LabelledPage]:
    truth_path = corpus / "ground-truth.json"
    if not truth_path.is_file():
        sys.exit(f"error: no ground-truth.json in {corpus}")
    pages = []
    for item in json.loads(truth_path.read_text(encoding="utf-8")):
        page_half = half_of(item["file"])
        if half != "all" and page_half != half:
            continue
        raw = gzip.decompress((corpus / item["html_path"]).read_bytes())
        pages.append(LabelledPage(item["file"], item["url"], decode_file(raw),
                                  [s for s in item["with"] if s], [s for s in item["without"] if s], page_half,
                                  {key: labelled_value(item[key]) for key in METADATA_FIELDS if item.get(key)}))
        if limit and len(pages) >= limit:
            break
    return pages


def run_bare(pages: list[LabelledPage]) -> tuple[list[str], float]:
    start = time.perf_counter()
    outputs = [trafilatura.extract(page.html) or "" for page in pages]
    return outputs, time.perf_counter() - start


def run_ours(pages: list[LabelledPage], workers: int | None) -> tuple[list[str], list[str], Counter, float, dict]:
    by_url = {}
    start = time.perf_counter()
    for url, extraction in extract_pages(((p.url + "#" + p.file, p.html, None) for p in pages), workers=workers):
        by_url[url] = extraction
    elapsed = time.perf_counter() - start
    kinds = Counter(e.page_kind for e in by_url.values())
    extractions = [by_url[p.url + "#" + p.file] for p in pages]
    stored = [e.article.text if e.article else "" for e in extractions]
    extracted = [e.text or "" for e in extractions]
    return stored, extracted, kinds, elapsed, dict(zip((p.file for p in pages), extractions))


def per_page_cost(pages: list[LabelledPage], sample: int) -> tuple[float, float]:
    """Milliseconds per page of bare and ours in this one process, alternating page by page
    so that both see the same machine load (the pool figures above do not: other processes
    on the machine may take the cores the pool needs)."""
    bare = ours = 0.0
    chosen = pages[:sample]
    for page in chosen[:3]:  # first calls load models; not a per-page cost
        extract_page(page.html, page.url)
        trafilatura.extract(page.html)
    for page in chosen:
        start = time.perf_counter()
        trafilatura.extract(page.html)
        middle = time.perf_counter()
        extract_page(page.html, page.url)
        bare, ours = bare + middle - start, ours + time.perf_counter() - middle
    return bare * 1000 / len(chosen), ours * 1000 / len(chosen)


def report(groups: dict[str, list[int]], pages, systems: dict[str, list[str]]) -> None:
    print(f"{'':<37}{'snippets (all pages pooled)':<37}{'4-gram shingles, mean per page':<30}")
    print(f"{'pages':<22}{'n':>5}  {'system':<10}{'prec':>7}{'recall':>8}{'F1':>7}{'acc':>7}{'pageF1':>8}"
          f"{'prec':>9}{'recall':>8}{'F1':>7}")
    for name, indexes in groups.items():
        for system, outputs in systems.items():
            counts = Counts()
            for i in indexes:
                counts.add(pages[i], outputs[i])
            s = counts.scores()
            print(f"{name:<22}{len(indexes):>5}  {system:<10}{s['precision']:>7.3f}{s['recall']:>8.3f}"
                  f"{s['f1']:>7.3f}{s['accuracy']:>7.3f}{s['page_f1']:>8.3f}"
                  f"{s['shingle_precision']:>9.3f}{s['shingle_recall']:>8.3f}{s['shingle_f1']:>7.3f}")


def same_metadata(field_name: str, labelled: str, found: str | None) -> bool:
    """Titles and authors compared ignoring case and spacing; dates as calendar days, a day
    apart allowed (ours are UTC timestamps, the labels local days)."""
    if not found:
        return False
    if field_name == "date":
        try:
            return abs((date.fromisoformat(found[:10]) - date.fromisoformat(labelled[:10])).days) <= 1
        except ValueError:
            return False
    return _SPACE.sub(" ", found).strip().casefold() == _SPACE.sub(" ", labelled).strip().casefold()


def metadata_report(pages: list[LabelledPage], extractions: dict) -> None:
    """Filled and correct, per field, over the pages whose label gives that field; bare =
    trafilatura.bare_extraction(html, with_metadata=True) with defaults (not timed)."""
    bare = {}
    for page in pages:
        document = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
        bare[page.file] = {"title": document.title, "author": document.author, "date": document.date} if document else {}
    print(f"{'metadata':<10}{'labelled':>9}  {'bare filled':>12}{'correct':>9}  {'ours filled':>12}{'correct':>9}")
    for name in METADATA_FIELDS:
        labelled = [p for p in pages if name in p.metadata]
        counts = {"bare": [0, 0], "ours": [0, 0]}
        for page in labelled:
            article = extractions[page.file].article
            ours = {"title": article.title, "author": article.author,
                    "date": article.published_at.isoformat() if article.published_at else None} if article else {}
            for system, found in (("bare", bare[page.file].get(name)), ("ours", ours.get(name))):
                counts[system][0] += bool(found)
                counts[system][1] += same_metadata(name, page.metadata[name], found)
        n = max(1, len(labelled))
        print(f"{name:<10}{len(labelled):>9}  " + "  ".join(
            f"{counts[s][0] / n:>12.3f}{counts[s][1] / n:>9.3f}" for s in ("bare", "ours")))
    date_report(pages, extractions, bare)


def copyright_dated(page: LabelledPage, found: str | None) -> bool:
    """A date that is 1 January of a year the page shows in a copyright notice."""
    if not found:
        return False
    try:
        when = date.fromisoformat(found[:10])
    except ValueError:
        return False
    return is_copyright_year(datetime(when.year, when.month, when.day), page.html)


def date_report(pages: list[LabelledPage], extractions: dict, bare: dict) -> None:
    """Where our dates came from and how often each source is right (labelled pages), and
    how many dates of each system are a copyright-footer year."""
    labelled = [p for p in pages if "date" in p.metadata]
    by_source: dict[str, list[int]] = {}
    for page in labelled:
        article = extractions[page.file].article
        found = article.published_at.isoformat() if article and article.published_at else None
        tally = by_source.setdefault((article.date_source if article else None) or "none", [0, 0])
        tally[0] += 1
        tally[1] += same_metadata("date", page.metadata["date"], found)
    # The same decision for every labelled page, page kinds set aside (as the "ours text" row
    # does for text): a page judged a listing or too short stores no article, hence no date.
    every_page = sum(
        same_metadata("date", p.metadata["date"], when.isoformat() if when else None)
        for p in labelled for when, _ in [publication_date(parse_html(p.html), p.url, p.html)])
    print(f"date correct, page kinds set aside (every labelled page dated as extraction dates it): "
          f"ours {every_page / max(1, len(labelled)):.3f}")
    print("our date sources (labelled pages, correct): " + ", ".join(
        f"{source} {n} ({right / n:.2f})" for source, (n, right) in sorted(by_source.items(), key=lambda kv: -kv[1][0])))
    ours_copyright = sum(
        copyright_dated(p, e.article.published_at.isoformat() if e.article and e.article.published_at else None)
        for p in pages for e in [extractions[p.file]])
    bare_copyright = sum(copyright_dated(p, bare[p.file].get("date")) for p in pages)
    print(f"dates that are a copyright year (1 January of a year in the page's copyright notice), all {len(pages)} "
          f"pages: bare {bare_copyright}, ours {ours_copyright}")


def show_misses(pages, bare, ours, extractions) -> None:
    """Snippets where ours is worse than bare, for looking at while tuning (tune half only)."""
    for page, b, o in zip(pages, bare, ours):
        if page.half != "tune":
            continue
        bt, ot = _SPACE.sub(" ", b), _SPACE.sub(" ", o)
        lost = [s for s in page.with_snippets if _SPACE.sub(" ", s).strip() in bt and _SPACE.sub(" ", s).strip() not in ot]
        kept = [s for s in page.without_snippets if _SPACE.sub(" ", s).strip() in ot]
        if lost or kept:
            e = extractions[page.file]
            print(f"--- {page.file} [{e.page_kind}: {e.reason}]")
            for s in lost:
                print(f"  lost    {s[:100]!r}")
            for s in kept:
                print(f"  leaked  {s[:100]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="trafilatura-eval folder")
    parser.add_argument("--half", choices=["all", "tune", "held-out"], default="all")
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--workers", type=int, help="our worker processes (default: one per core)")
    parser.add_argument("--cost-sample", type=int, default=300,
                        help="pages for the one-process per-page cost comparison (0 to skip)")
    parser.add_argument("--show-misses", action="store_true", help="print snippets ours gets wrong on the tune half")
    args = parser.parse_args()

    pages = load_corpus(args.corpus, args.half, args.limit)
    print(f"{len(pages)} pages from {args.corpus}")
    bare, bare_seconds = run_bare(pages)
    ours, ours_text, kinds, our_seconds, extractions = run_ours(pages, args.workers)

    english = [i for i, text in enumerate(bare) if detect_language(text) == "en"]
    groups = {"all": list(range(len(pages)))}
    for half in ("tune", "held-out"):
        indexes = [i for i, p in enumerate(pages) if p.half == half]
        if indexes and args.half == "all":
            groups[half] = indexes
            groups[f"{half} English"] = [i for i in indexes if i in set(english)]
    if args.half != "all":
        groups["English"] = english
    report(groups, pages, {"bare": bare, "ours": ours, "ours text": ours_text})

    metadata_report(pages, extractions)
    print("our page kinds: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    bare_rate, our_rate = len(pages) / bare_seconds, len(pages) / our_seconds
    print(f"speed: bare {bare_rate:.1f} pages/s (1 process), ours {our_rate:.1f} pages/s "
          f"({args.workers or os.cpu_count()} worker processes); ratio ours/bare {our_rate / bare_rate:.2f}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other processes compete for them)")
    if args.cost_sample:
        bare_ms, our_ms = per_page_cost(pages, args.cost_sample)
        print(f"per-page cost in one process, alternating ({min(args.cost_sample, len(pages))} pages): bare {bare_ms:.1f} ms, "
              f"ours {our_ms:.1f} ms, ratio {our_ms / bare_ms:.2f}; so {os.cpu_count()} free cores would give "
              f"ours/bare pages/s of about {os.cpu_count() * bare_ms / our_ms:.2f}")
    if args.show_misses:
        show_misses(pages, bare, ours, extractions)


if __name__ == "__main__":
    main()
