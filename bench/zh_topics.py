"""Chinese topics: NPMI of topics fitted on Chinese text, computed over that Chinese corpus itself.

Three ways to feed Chinese to NMF, same run, same documents, same k:

* bare: `TfidfVectorizer()` + `NMF(n_components=k)`, all defaults, on the raw text.  Its
  token pattern takes every run of Han characters between punctuation as one "word";
* jieba: jieba's default cut (no domain dictionary, no stop list), words joined by spaces,
  into our TopicModel;
* creditlens: nlp/zh_terms.py (traditional read as simplified, jieba with the gazetteer's
  Chinese aliases and the themes' Chinese terms as its dictionary, aliases as catalogue
  names, Chinese stop list) into our TopicModel.

NPMI: each topic's top 10 terms, document co-occurrence over the corpus as that model
tokenizes it (nlp/coherence.py's scorer; the model's own `npmi` counts sentences).  Corpora: a JSON-lines file of Chinese texts (`text`
field; default the People's Daily NER dev set, one sentence per document), split into
halves by a hash of the row id, and the bundled demo site's Chinese articles.  For the
demo the bilingual model that `creditlens demo` fits (English and Chinese articles
together) is measured too: NPMI of its Chinese topics (those whose articles are mostly
Chinese) over the Chinese articles alone.

    .venv/bin/python bench/zh_topics.py [--corpus FILE] [--k 8]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import jieba
import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from creditlens.demosite import load_articles
from nlp.coherence import presence, topic_npmi
from nlp.topics import TopicModel
from nlp.vocabulary import Vocabulary
from nlp.zh_terms import topic_text

DEFAULT_CORPUS = Path("/work/shared/corpora/zh-ner/peoples_daily_dev.jsonl")


def load(path: Path) -> list[tuple[str, str]]:
    rows = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            try:
                row = json.loads(line)
                rows.append((str(row["id"]), str(row["text"])))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise SystemExit(f"{path}:{number}: not a text row ({exc})")
    return rows


def half_of(row_id: str) -> str:
    return "A" if int(hashlib.sha1(row_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "B"


def bare(texts: list[str], k: int) -> tuple[float, list[str], float]:
    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform(texts)
    model = NMF(n_components=k, random_state=0).fit(matrix)
    names = vectorizer.get_feature_names_out()
    reference = presence(matrix)
    order = [np.argsort(-row, kind="stable")[:10] for row in model.components_]
    return float(np.mean([topic_npmi(reference, ids) for ids in order])), [
        " / ".join(names[i] for i in ids[:3]) for ids in order], _single_document_share(reference, order)


def _single_document_share(reference, order) -> float:
    """Share of top terms found in one document only: two such terms of one document
    score NPMI 1 whatever they mean, which flatters clause-long pseudo-words."""
    document_frequency = np.asarray(reference.sum(axis=0)).ravel()
    return float(np.mean([document_frequency[i] == 1 for ids in order for i in ids]))


def ours(texts: list[str], k: int, min_df: int) -> tuple[float, list[str], float]:
    """Scored like the baseline, by document co-occurrence (the model's own `npmi` counts
    sentences); min_df >= 2 leaves no single-document term."""
    model = TopicModel("nmf", k, min_df=min_df).fit(texts)
    reference = presence(model._vocabulary.counts(texts))
    npmi = float(np.mean([topic_npmi(reference, ids) for ids in model._top_ids(10)]))
    return npmi, [topic.label for topic in model.topics()], 0.0


def jieba_plain(texts: list[str]) -> list[str]:
    return [" ".join(jieba.lcut(text)) for text in texts]


def table(name: str, texts: list[str], k: int, min_df: int) -> None:
    print(f"\n### {name}: {len(texts)} documents, k={k}\n")
    print("| model | NPMI | top terms in one document only | top terms of the first three topics |\n|---|---|---|---|")
    for label, (npmi, labels, single) in (
        ("bare sklearn NMF", bare(texts, k)),
        ("jieba default cut + creditlens nmf", ours(jieba_plain(texts), k, min_df)),
        ("**creditlens zh_terms + nmf**", ours([topic_text(t, "zh") for t in texts], k, min_df)),
    ):
        print(f"| {label} | {npmi:.3f} | {single:.0%} | {'; '.join(_short(x) for x in labels[:3])} |")


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bilingual_demo(k: int) -> None:
    """The demo's one model over both languages: NPMI of its Chinese topics over the Chinese articles."""
    articles = [a for a in load_articles() if a.relevant and not a.syndicated_from]
    texts = [topic_text(a.title + "\n" + "\n".join(a.paragraphs), a.language) for a in articles]
    chinese = np.array([a.language == "zh" for a in articles])
    model = TopicModel("nmf", k).fit(texts)
    dominant = model.document_topics.argmax(axis=1)
    zh_counts = model._vocabulary.counts([t for t, is_zh in zip(texts, chinese) if is_zh])
    reference = presence(zh_counts)
    print(f"\n### demo site, one bilingual model: {len(texts)} articles ({chinese.sum()} Chinese), k={k}\n")
    print("| topic | articles (Chinese) | NPMI over the Chinese articles | top terms |\n|---|---|---|---|")
    zh_npmi = []
    for topic, top in zip(model.topics(), model._top_ids(10)):
        members = dominant == topic.topic_id
        is_chinese = members.any() and chinese[members].mean() > 0.5
        if is_chinese:
            zh_npmi.append(topic_npmi(reference, top))
        shown = f"{zh_npmi[-1]:.3f}" if is_chinese else "(English topic)"
        print(f"| {topic.topic_id} | {members.sum()} ({chinese[members].sum()}) | {shown} | {' / '.join(topic.terms[:6])} |")
    print(f"\nChinese topics (most of their articles Chinese): mean NPMI {np.mean(zh_npmi):.3f} over the Chinese articles"
          f" (documents); the model's own NPMI {model.npmi:.3f} (sentences of all articles)")
    zh_texts = [t for t, is_zh in zip(texts, chinese) if is_zh]
    npmi, labels, _ = ours(zh_texts, 2, 2)
    print(f"Chinese-only model on the same Chinese articles (k=2, min_df=2): NPMI {npmi:.3f}; topics {'; '.join(labels)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--k", type=int, default=8)
    args = parser.parse_args()
    if args.corpus.exists():
        rows = load(args.corpus)
        table(f"{args.corpus.name}, all", [t for _, t in rows], args.k, 3)
        for half in ("A", "B"):
            table(f"{args.corpus.name}, half {half}", [t for i, t in rows if half_of(i) == half], args.k, 3)
    else:
        print(f"{args.corpus}: not found, corpus tables skipped")
    demo = [a for a in load_articles() if a.language == "zh" and a.relevant]
    table("demo site, Chinese articles alone", [a.title + "\n" + "\n".join(a.paragraphs) for a in demo], 2, 2)
    bilingual_demo(4)


if __name__ == "__main__":
    main()
