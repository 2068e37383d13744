"""Topic quality: our TopicModel next to issue 17's yardstick (bare NMF, gensim NPMI), same run.

    pip install -e '.[bench]'     # gensim, for the yardstick's coherence
    .venv/bin/python bench/topic_quality.py --corpus /work/shared/corpora/topic-gold/bbc_news_dev.jsonl

The corpus is JSON lines `{id, category, title, text}`.  Each document is
`title + "\\n" + text` (what the topic job feeds the model); a document whose text
repeats an earlier one's exactly is dropped, before the split, so a story cannot be in
both halves.  The two halves are fixed by the parity of the SHA-1 of the id: every
choice of the pipeline was made looking at half A only; half B is reported, never tuned
on.  The demo corpus (the demo site's relevant English articles, syndicated copies
left out) is scored too, for NPMI and k.

The yardstick (issue 17), applied to both models alike:

* bare = `TfidfVectorizer(stop_words="english", min_df=2, max_df=0.95)` +
  `NMF(n_components=k, random_state=0, init="nndsvd")`, documents assigned to their
  argmax topic;
* NPMI = gensim `CoherenceModel(coherence="c_npmi", topn=10)` (sliding window of 10)
  over the evaluated documents tokenised as lowercase `\\b[a-z][a-z]+\\b` minus
  scikit-learn's English stop words.  A topic's top 10 terms go through the same
  tokeniser (our name phrases are written with spaces, "alan_greenspan" ->
  "alan greenspan", so a phrase contributes its words); words missing from the
  reference are dropped and the first 10 distinct remaining words are scored;
* NMI = arithmetic-mean NMI of the argmax topic against the category;
* diversity = distinct top-10 terms / (10 k).

Next to it, our own measures (`nlp/coherence.py`: document co-occurrence NPMI over the
model's own vocabulary, diversity of the top 25) and ARI.  Because our pipeline chooses
each topic's terms by how often they share a sentence in the training text, NPMI is
also scored across halves: topics fitted on one half against the other half's text.  `choose_k` is run over
--k-min..--k-max on each half and the demo corpus.  The scale check fits both models
on --scale-docs synthetic articles (runs of 3-10 random paragraphs of the corpus), each
in a fresh process, and prints wall time, CPU time and peak RSS with the load average
(the machine is shared).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from nlp.topics import TopicModel, choose_k

YARDSTICK_WORD = re.compile(r"\b[a-z][a-z]+\b")
TOP = 10


def load(path: Path) -> list[dict]:
    rows, seen = [], set()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                row = json.loads(line)
                row_id, category, title, text = str(row["id"]), str(row["category"]), str(row.get("title") or ""), str(row["text"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise SystemExit(f"{path}:{number}: not a labelled corpus row ({exc})")
            if text in seen:
                continue
            seen.add(text)
            rows.append({"id": row_id, "category": category, "text": f"{title}\n{text}"})
    return rows


def demo_rows() -> list[dict]:
    """The demo site's articles the topic job would see: relevant, English, not a syndicated copy."""
    from creditlens.demosite import load_articles

    return [{"id": a.slug, "category": a.section, "text": f"{a.title}\n" + "\n\n".join(a.paragraphs)}
            for a in load_articles() if a.relevant and a.language == "en" and not a.syndicated_from]


def half_of(row_id: str) -> str:
    return "A" if int(hashlib.sha1(row_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "B"


# the yardstick -----------------------------------------------------------------------


def yardstick_tokens(text: str) -> list[str]:
    return [w for w in YARDSTICK_WORD.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]


class Yardstick:
    """gensim c_npmi against one set of documents, as issue 17 fixes it."""

    def __init__(self, texts: list[str]):
        try:
            from gensim.corpora import Dictionary
        except ImportError:
            raise SystemExit("the yardstick needs gensim: pip install -e '.[bench]'") from None
        self.texts = [yardstick_tokens(t) for t in texts]
        self.dictionary = Dictionary(self.texts)

    def words(self, terms: list[str]) -> list[str]:
        """A topic's top terms as the words the reference knows, first 10 distinct."""
        words: list[str] = []
        for term in terms[:TOP]:
            for word in yardstick_tokens(term.replace("_", " ")):
                if word in self.dictionary.token2id and word not in words:
                    words.append(word)
        return words[:TOP]

    def npmi(self, topics_terms: list[list[str]]) -> float:
        from gensim.models.coherencemodel import CoherenceModel

        topics = [self.words(terms) for terms in topics_terms]
        model = CoherenceModel(topics=topics, texts=self.texts, dictionary=self.dictionary,
                               coherence="c_npmi", topn=TOP, processes=1)
        return float(model.get_coherence())


def bare(texts: list[str], k: int) -> dict:
    vectorizer = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.95)
    matrix = vectorizer.fit_transform(texts)
    model = NMF(n_components=k, random_state=0, init="nndsvd")
    doc_topic = model.fit_transform(matrix)
    names = vectorizer.get_feature_names_out()
    terms = [[str(names[i]) for i in np.argsort(-row, kind="stable")[:TOP]] for row in model.components_]
    return {"terms": terms, "dominant": doc_topic.argmax(axis=1), "own_npmi": None, "own_diversity": None}


def ours(texts: list[str], k: int) -> dict:
    model = TopicModel("nmf", k).fit(texts)
    return {"terms": [t.terms for t in model.topics(TOP)], "dominant": model.document_topics.argmax(axis=1),
            "own_npmi": model.npmi, "own_diversity": model.diversity}


def scored(fit, texts: list[str], categories: list[str] | None, k: int, yardstick: Yardstick) -> dict:
    started = time.perf_counter()
    result = fit(texts, k)
    result["seconds"] = time.perf_counter() - started
    result["npmi"] = yardstick.npmi(result["terms"])
    result["diversity"] = len({t for terms in result["terms"] for t in terms}) / (TOP * k)
    if categories is not None:
        result["nmi"] = normalized_mutual_info_score(categories, result["dominant"])
        result["ari"] = adjusted_rand_score(categories, result["dominant"])
    return result


def _f(value) -> str:
    return "" if value is None else f"{value:.3f}"


def quality_table(sets: list[tuple[str, list[dict], bool]], k: int) -> None:
    print(f"\n## Yardstick at k={k} (NPMI = gensim c_npmi, top 10; NMI arithmetic; diversity top 10)\n")
    print("| corpus | docs | model | NPMI | NMI | diversity | ours − bare NPMI | own NPMI | own div@25 | ARI | fit s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, rows, labelled in sets:
        texts = [r["text"] for r in rows]
        categories = [r["category"] for r in rows] if labelled else None
        yardstick = Yardstick(texts)
        results = {label: scored(fit, texts, categories, k, yardstick) for label, fit in (("bare NMF", bare), ("creditlens", ours))}
        for label, r in results.items():
            gain = _f(r["npmi"] - results["bare NMF"]["npmi"]) if label == "creditlens" else ""
            print(f"| {name} | {len(rows)} | {label} | {r['npmi']:.3f} | {_f(r.get('nmi'))} | {r['diversity']:.2f} | "
                  f"{gain} | {_f(r['own_npmi'])} | {_f(r['own_diversity'])} | {_f(r.get('ari'))} | {r['seconds']:.1f} |")
        for label, r in results.items():
            print(f"|  |  | {label} topics: {'; '.join(' / '.join(t[:4]) for t in r['terms'])} |  |  |  |  |  |  |  |  |")


def cross_table(rows: list[dict], k: int) -> None:
    """NPMI of topics fitted on one half against the other half's text: coherence the
    model's own term choice (which looks at co-occurrence in its training text) cannot
    have been fitted to."""
    print(f"\n## Cross-half NPMI at k={k}: topics fitted on one half, scored against the other half's text\n")
    print("| fitted on | scored on | bare NPMI | creditlens NPMI | ours − bare |")
    print("|---|---|---|---|---|")
    halves = {h: [r["text"] for r in rows if half_of(r["id"]) == h] for h in "AB"}
    for fitted, scored_on in (("A", "B"), ("B", "A")):
        yardstick = Yardstick(halves[scored_on])
        npmi = {label: yardstick.npmi(fit(halves[fitted], k)["terms"]) for label, fit in (("bare", bare), ("ours", ours))}
        print(f"| half {fitted} | half {scored_on} | {npmi['bare']:.3f} | {npmi['ours']:.3f} | {npmi['ours'] - npmi['bare']:.3f} |")


def k_table(sets: list[tuple[str, list[dict], bool]], k_values: range) -> None:
    print(f"\n## choose_k over {k_values.start}..{k_values.stop - 1}\n")
    for name, rows, _ in sets:
        started = time.perf_counter()
        best, scores = choose_k([r["text"] for r in rows], k_values)
        seconds = time.perf_counter() - started
        detail = ", ".join(f"{k}: " + "/".join(f"{v:.3f}" for v in s.values()) for k, s in scores.items())
        columns = "/".join(next(iter(scores.values())))
        print(f"- {name}: picks k={best} in {seconds:.0f} s  (k: {columns}  {detail})")


def resampled(rows: list[dict], n_docs: int, seed: int = 0) -> list[str]:
    """Synthetic articles: a title line, then 3-10 random paragraphs of the corpus."""
    paragraphs = [p for r in rows for p in r["text"].split("\n") if p.strip()]
    rng = random.Random(seed)
    return ["\n".join(rng.choices(paragraphs, k=rng.randint(4, 11))) for _ in range(n_docs)]


def scale_child(corpus: Path, n_docs: int, which: str) -> None:
    texts = resampled(load(corpus), n_docs)
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    if which == "bare":
        NMF(n_components=5, random_state=0, init="nndsvd").fit(
            TfidfVectorizer(stop_words="english", min_df=2, max_df=0.95).fit_transform(texts))
    else:
        TopicModel("nmf", 5).fit(texts)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    print(json.dumps({"peak_mb": after.ru_maxrss / 1024, "texts_mb": before.ru_maxrss / 1024,
                      "seconds": seconds, "cpu": cpu}))


def scale_table(corpus: Path, n_docs: int) -> None:
    print(f"\n## Scale: fit k=5 on {n_docs:,} synthetic articles (fresh process each)\n")
    results = {}
    for which in ("bare", "ours"):
        load_before = os.getloadavg()[0]
        out = subprocess.run([sys.executable, __file__, "--corpus", str(corpus), "--scale-child", which,
                              "--scale-docs", str(n_docs)], capture_output=True, text=True, check=True)
        results[which] = json.loads(out.stdout.strip().splitlines()[-1]) | {"load": (load_before, os.getloadavg()[0])}
    for which, label in (("bare", "bare NMF"), ("ours", "creditlens")):
        r = results[which]
        print(f"- {label}: fit {r['seconds']:.1f} s wall, {r['cpu']:.1f} s CPU, peak RSS {r['peak_mb']:,.0f} MB "
              f"(texts {r['texts_mb']:,.0f} MB); load average {r['load'][0]:.1f} -> {r['load'][1]:.1f} on {os.cpu_count()} cores")
    print(f"- ratio creditlens / bare: wall {results['ours']['seconds'] / results['bare']['seconds']:.2f}, "
          f"CPU {results['ours']['cpu'] / results['bare']['cpu']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--k-min", type=int, default=4)
    parser.add_argument("--k-max", type=int, default=9)
    parser.add_argument("--halves", default="AB", help="which halves to score: A, B or AB")
    parser.add_argument("--no-demo", action="store_true", help="skip the demo corpus")
    parser.add_argument("--no-k", action="store_true", help="skip choose_k")
    parser.add_argument("--scale-docs", type=int, default=10_000, help="0 skips the scale check")
    parser.add_argument("--scale-child", choices=["bare", "ours"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.corpus.is_file():
        raise SystemExit(f"corpus not found: {args.corpus}")
    if args.scale_child:
        scale_child(args.corpus, args.scale_docs, args.scale_child)
        return
    rows = load(args.corpus)
    sets = [(f"half {h}" + (" (choices)" if h == "A" else " (held out)"), [r for r in rows if half_of(r["id"]) == h], True)
            for h in "AB" if h in args.halves.upper()]
    if not args.no_demo:
        sets.append(("demo", demo_rows(), False))
    print(f"# Topic quality: {args.corpus.name}, {len(rows)} documents after dropping exact duplicate texts; "
          f"demo corpus {len(demo_rows())} articles")
    quality_table(sets, args.k)
    if args.halves.upper() == "AB":
        cross_table(rows, args.k)
    if not args.no_k:
        k_table(sets, range(args.k_min, args.k_max + 1))
    if args.scale_docs:
        scale_table(args.corpus, args.scale_docs)


if __name__ == "__main__":
    main()
