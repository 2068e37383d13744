"""Words per second of our Annotator against bare spaCy `nlp.pipe`, same model, same texts, same run.

The bare baseline is the model with the components annotation runs (NER and what it
listens to), single process: the cost we cannot avoid.  Our figure adds redaction,
the gazetteer ruler, sentence splitting, linking, quotes, figures and themes on top,
on one core and then on two (`n_process=2`, pool start-up included).  Targets: ours
at least 0.8x bare on one core and at least 1.6x bare on two.  For reference the
model's full pipeline (tagger, parser, lemmatizer) is timed too: what leaving them out
saves.  The machine may be shared, so the runs are interleaved over several rounds and
each side keeps its best round.

    .venv/bin/python bench/nlp_speed.py                       # demo articles, repeated
    .venv/bin/python bench/nlp_speed.py --corpus /work/shared/corpora/topic-gold/bbc_news_dev.jsonl
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import time
import tomllib
from datetime import date
from pathlib import Path

import spacy

from nlp.annotate import Annotator
from nlp.tagging import default_model, needed_components

DEMO = Path(__file__).resolve().parent.parent / "creditlens" / "demosite" / "articles"


def demo_texts() -> list[str]:
    texts = []
    for path in sorted(glob.glob(str(DEMO / "*" / "*.toml"))):
        article = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        if article.get("paragraphs"):
            texts.append("\n\n".join(article["paragraphs"]))
    return texts


def corpus_texts(path: Path) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("text") and not row.get("exact_duplicate_of"):
                texts.append(row["text"])
    return texts


def timed(run) -> tuple[float, float]:
    """Wall-clock and CPU seconds (this process and its finished workers) of one run."""
    started, cpu = time.perf_counter(), _cpu_seconds()
    run()
    return time.perf_counter() - started, _cpu_seconds() - cpu


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="JSONL with a 'text' field (default: the demo articles)")
    parser.add_argument("--min-words", type=int, default=100_000, help="repeat the texts up to this many words")
    parser.add_argument("--limit", type=int, default=None, help="use only the first LIMIT texts of the corpus")
    parser.add_argument("--model", default=None)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best of each side counts")
    args = parser.parse_args()

    base = (corpus_texts(args.corpus) if args.corpus else demo_texts())[: args.limit]
    if not base:
        raise SystemExit("no texts to measure")
    texts = list(base)
    while sum(len(t.split()) for t in texts) < args.min_words:
        texts.extend(base)
    words = sum(len(t.split()) for t in texts)
    items = [(str(i), text) for i, text in enumerate(texts)]
    model = args.model or default_model()

    full = spacy.load(model)
    keep = needed_components(full)
    bare = spacy.load(model, exclude=[p for p in full.pipe_names if p not in keep])
    annotator = Annotator(model)

    def run_bare(nlp):
        return lambda: sum(1 for _ in nlp.pipe(texts, batch_size=args.batch_size))

    def run_ours(n_process):
        return lambda: sum(1 for _ in annotator.annotate(items, n_process=n_process, batch_size=args.batch_size))

    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    runs = {"bare": run_bare(bare), "ours1": run_ours(1), "ours2": run_ours(2), "full": run_bare(full)}
    run_bare(bare)()  # warm-up: first-call allocations belong to neither side
    seconds = {name: (float("inf"), float("inf")) for name in runs}
    for _ in range(args.rounds):
        for name, run in runs.items():
            seconds[name] = min(seconds[name], timed(run))
    rate = {name: words / wall for name, (wall, _) in seconds.items()}
    cpu_rate = {name: words / cpu for name, (_, cpu) in seconds.items()}
    source = args.corpus.name if args.corpus else f"demo articles ({len(base)}, repeated)"
    print(f"date: {date.today().isoformat()}  model: {annotator.versions['model']}  texts: {source}, "
          f"{len(texts)} docs, {words} words, batch {args.batch_size}, best of {args.rounds} rounds")
    print(f"load average before: {load_before}, after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("wall-clock words/s (what the targets are about); words per CPU-second (robust to a busy machine)")
    lines = [
        ("bare", f"bare nlp.pipe ({', '.join(bare.pipe_names)}), 1 process", ""),
        ("ours1", "Annotator, 1 process", " (target >= 0.8)"),
        ("ours2", "Annotator, 2 processes", " (target >= 1.6)"),
        ("full", f"reference: full model ({', '.join(full.pipe_names)}), 1 process", ""),
    ]
    for name, title, target in lines:
        print(f"{title}: {rate[name]:,.0f} words/s = {rate[name] / rate['bare']:.2f}x bare{target}; "
              f"{cpu_rate[name]:,.0f} words/CPU-s = {cpu_rate[name] / cpu_rate['bare']:.2f}x bare")


if __name__ == "__main__":
    main()
