"""Which names bare en_core_web_sm finds that our pipeline loses, on the demo texts and on BBC news.

The bare model (its NER alone: no gazetteer, no linking, no post-processing) is the
baseline.  Every name it finds (a PERSON, ORG, GPE, LOC, NORP, FAC, PRODUCT, LAW or
EVENT span) is looked up among the entities our `Annotator` stores for the same text:

  kept        the same span
  trimmed     the same name without what linking deliberately drops: a leading article
              ("the State Council"), a possessive ending ("Ant Group's"), a lower-case
              descriptor before a person ("volunteer Lü Ran")
  widened     (trimmed as above) inside a longer name: a catalogued one ("The Cyberspace
              Administration" in "Cyberspace Administration of China") or one linking
              joined ("the enforcement bureau of" + "the Supreme People's Court")
  corrected   changed by a documented rule: a catalogued name inside the model's span,
              kept by the rule of nlp/gazetteer_merge.py because a lower-case designator
              ("Henan province"), a possessor ("Ant's Huabei") or punctuation
              ("HANGZHOU — Ant Group") is not part of the name; or a "name" without a
              letter, which linking leaves to the figures ("210")
  lost        anything else: the model's name is gone or cut

Recall against the bare model is everything but `lost`.  `--show` lists the lost and
corrected spans, which is how the causes were found.

    .venv/bin/python bench/entity_recall.py
    .venv/bin/python bench/entity_recall.py --show lost
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import tomllib
from collections import Counter
from datetime import date
from pathlib import Path

import spacy

from nlp.annotate import Annotator
from nlp.gazetteer import Gazetteer
from nlp.gazetteer_merge import keeps_catalogued_name
from nlp.linking import NAME_LABELS
from nlp.tagging import default_model, needed_components

DEMO = Path(__file__).resolve().parent.parent / "creditlens" / "demosite" / "articles"
BBC = Path("/work/shared/corpora/topic-gold/bbc_news_dev.jsonl")
_TRIMMABLE_LEAD = re.compile(r"^(?:(?:the|The|a|A|an|An)\s+|(?:[a-z][\w-]*\s+)+)")
_POSSESSIVE = re.compile(r"['\u2019]s?$")
CLASSES = ("kept", "trimmed", "widened", "corrected", "lost")


def demo_texts() -> list[tuple[str, str]]:
    texts = []
    for path in sorted(glob.glob(str(DEMO / "*" / "*.toml"))):
        article = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        if article.get("language") == "en" and article.get("paragraphs"):
            texts.append((article["slug"], article["title"] + "\n\n" + "\n\n".join(article["paragraphs"])))
    return texts


def bbc_texts(path: Path, categories: set[str]) -> list[tuple[str, str]]:
    texts = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("category") in categories and row.get("text") and not row.get("exact_duplicate_of"):
                texts.append((row["id"], row["text"]))
    return texts


def classify(text: str, start: int, end: int, entities, catalogued: set[str]) -> str:
    spans = {(e.start_char, e.end_char) for e in entities}
    if (start, end) in spans:
        return "kept"
    name = text[start:end]
    lead = _TRIMMABLE_LEAD.match(name)
    possessive = _POSSESSIVE.search(name)
    trims = {(start + lead_end, end - end_cut)
             for lead_end in {0, lead.end() if lead else 0}
             for end_cut in {0, len(possessive.group(0)) if possessive else 0}}
    if trims & spans:
        return "trimmed"
    for entity in entities:
        if any(entity.start_char <= s and e <= entity.end_char for s, e in trims):
            return "widened"
        if (entity.entity_id in catalogued and start <= entity.start_char and entity.end_char <= end
                and keeps_catalogued_name(text[start : entity.start_char], text[entity.end_char : end])):
            return "corrected"
    if not any(ch.isalpha() for ch in name):
        return "corrected"  # a number: linking leaves numbers to the figures
    return "lost"


def measure(name: str, texts: list[tuple[str, str]], bare, annotator: Annotator, catalogued: set[str],
            show: set[str]) -> Counter:
    counts: Counter = Counter()
    annotated = annotator.annotate(texts)
    for (text_id, text), annotations, doc in zip(texts, annotated, bare.pipe(t for _, t in texts)):
        for ent in doc.ents:
            if ent.label_ not in NAME_LABELS:
                continue
            kind = classify(text, ent.start_char, ent.end_char, annotations.entities, catalogued)
            counts[kind] += 1
            if kind in show:
                ours = [(e.text, e.label) for e in annotations.entities
                        if e.start_char < ent.end_char and ent.start_char < e.end_char]
                print(f"  {kind:9} {name}:{text_id} {ent.label_} {ent.text!r} -> {ours}")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, default=BBC, help="the BBC topic-gold JSONL (read by path, never copied)")
    parser.add_argument("--categories", default="business,politics")
    parser.add_argument("--model", default=None)
    parser.add_argument("--show", default="", help="comma-separated classes to list span by span, e.g. lost,corrected")
    args = parser.parse_args()

    model = args.model or default_model()
    full = spacy.load(model)
    bare = spacy.load(model, exclude=[p for p in full.pipe_names if p not in needed_components(full)])
    # personal numbers kept: redaction would shift offsets against the bare model's
    annotator = Annotator(model, keep_personal_data=True)
    catalogued = {entry.id for entry in Gazetteer.load().entries}
    show = {kind for kind in args.show.split(",") if kind}
    sets = [("demo", demo_texts())]
    if args.bbc.exists():
        sets.append((f"bbc {args.categories}", bbc_texts(args.bbc, set(args.categories.split(",")))))
    else:
        print(f"{args.bbc} not found: demo texts only")
    print(f"date: {date.today().isoformat()}  model: {annotator.versions['model']}")
    for name, texts in sets:
        counts = measure(name.split()[0], texts, bare, annotator, catalogued, show)
        total = sum(counts.values())
        found = total - counts["lost"]
        print(f"{name}: {len(texts)} texts, bare model names {total}; "
              + ", ".join(f"{kind} {counts[kind]}" for kind in CLASSES)
              + f"; pipeline keeps {found}/{total} = {found / max(total, 1):.3f}")


if __name__ == "__main__":
    main()
