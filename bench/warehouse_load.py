"""Loading rows/s through warehouse.store.Warehouse against a bare Arrow insert of the
same rows in the same run, and the time of each main view, at 1,000,000 articles.

Synthetic coverage: articles over five years from 40 outlets (a tenth off topic, a
twentieth syndicated copies), about five entity mentions drawn from a skewed
catalog of 2,000 entities, two themes, a quote every fifth article and a figure
every tenth, and a current topic model of 20 topics.  Ours times `load_articles` and
`load_annotations` on dataclass records, batch by batch (records -> Arrow -> upsert
in one transaction); bare times `INSERT INTO ... SELECT * FROM arrow` of the same
batches, already in Arrow, into an identical empty schema.  Targets: ours at least
0.5x bare; every view under a second.  DuckDB runs on 2 threads.  The co-occurrence snapshot
that `creditlens process` rebuilds after loading is timed on its own.

    .venv/bin/python bench/warehouse_load.py                    # 1,000,000 articles
    .venv/bin/python bench/warehouse_load.py --articles 100000 --search
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.arrow import to_table
from warehouse.records import Annotations, Article, Entity, Figure, Quote, ThemeHit
from warehouse.search import refresh_index, search
from warehouse.store import Warehouse

THEMES = ["TRAVEL_BAN_TRAINS", "TRAVEL_BAN_FLIGHTS", "COURT_DEBTOR_BLACKLIST", "FINANCIAL_CREDIT_SCORING",
          "CORPORATE_SOCIAL_CREDIT", "PRIVACY_DATA_PROTECTION", "RED_LISTS_REWARDS", "DEBTOR_MAPS_APPS",
          "INTERNET_CREDIT_BLACKLIST", "CREDIT_REPAIR_APPEALS"]
WORDS = ("court debtor list travel ban rail ticket credit score sesame privacy data law judge company "
         "blacklist dishonest enforcement flight province city regulator fine repay loan platform app map "
         "citizens rules officials reform pilot points red system social report million yuan bank").split()
EPOCH = datetime(2021, 1, 1, tzinfo=timezone.utc)

# The queries an analyst runs on each view: the whole view for the aggregates, a
# typical filter for the views with a row per article, quote or figure.
VIEW_QUERIES = {
    "attention_daily": "SELECT * FROM attention_daily",
    "attention_weekly": "SELECT * FROM attention_weekly",
    "attention_monthly": "SELECT * FROM attention_monthly",
    "top_sources": "SELECT * FROM top_sources",
    "top_entities": "SELECT * FROM top_entities LIMIT 100",
    "entity_cooccurrence": "SELECT * FROM entity_cooccurrence LIMIT 100",
    "theme_trends": "SELECT * FROM theme_trends",
    "theme_sources": "SELECT * FROM theme_sources WHERE theme = 'TRAVEL_BAN_TRAINS'",
    "current_topics": "SELECT * FROM current_topics",
    "article_main_topic": "SELECT topic_id, count(*) FROM article_main_topic GROUP BY ALL",
    "topic_trends": "SELECT * FROM topic_trends",
    "top_words": "SELECT * FROM top_words LIMIT 100",
    "relevant_articles": "SELECT month, source, count(*) FROM relevant_articles GROUP BY ALL",
    "story_samples": "SELECT title, url FROM story_samples WHERE list_contains(themes, 'TRAVEL_BAN_TRAINS') "
                     "ORDER BY hash(article_id) LIMIT 20",
    "stories": "SELECT * FROM stories WHERE articles > 1 ORDER BY articles DESC LIMIT 100",
    "quotes_detail": "SELECT * FROM quotes_detail WHERE article_id IN "
                     "(SELECT article_id FROM themes WHERE theme = 'TRAVEL_BAN_TRAINS') LIMIT 1000",
    "quotes_by_speaker": "SELECT * FROM quotes_by_speaker LIMIT 100",
    "quotes_by_organisation": "SELECT * FROM quotes_by_organisation LIMIT 100",
    "reported_figures": "SELECT * FROM reported_figures ORDER BY published_at DESC LIMIT 100",
    "figures_over_time": "SELECT * FROM figures_over_time",
}


class Newsroom:
    """Deterministic synthetic articles and annotations, batch by batch."""

    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.entities = [f"entity.e{n:04d}" for n in range(2000)]
        self.entity_weights = [1 / (rank + 1) for rank in range(2000)]

    def batch(self, start: int, size: int) -> tuple[list[Article], list[Annotations]]:
        rng = self.rng
        articles, annotations = [], []
        for n in range(start, start + size):
            aid = f"a{n:08d}"
            text = " ".join(rng.choices(WORDS, k=60))
            duplicate_of = f"a{n - 1:08d}" if n % 20 == 19 else None
            articles.append(Article(
                article_id=aid, url=f"https://outlet{n % 40}.example/{aid}", text=text,
                title=" ".join(rng.choices(WORDS, k=8)), source=f"outlet{n % 40}",
                published_at=EPOCH + timedelta(minutes=rng.randrange(5 * 365 * 24 * 60)),
                language="en", word_count=60, is_relevant=n % 10 != 0, relevance=rng.random(),
                duplicate_of=duplicate_of,
            ))
            mentioned = rng.choices(self.entities, weights=self.entity_weights, k=5)
            annotations.append(Annotations(
                article_id=aid, text=text,
                entities=[Entity(aid, i * 10, i * 10 + 8, e.split(".")[1], "ORG", e) for i, e in enumerate(mentioned)],
                themes=[ThemeHit(aid, t, rng.random(), "1") for t in rng.sample(THEMES, 2)],
                quotes=[Quote(aid, f"Speaker {rng.randrange(500)}", "the list works", entity_id=mentioned[0],
                              organisation=f"Organisation {rng.randrange(100)}")] if n % 5 == 0 else [],
                figures=[Figure(aid, float(rng.randrange(10**6)), "people", "debtors listed",
                                "Some number of debtors were listed.")] if n % 10 == 0 else [],
            ))
        return articles, annotations


def arrow_batches(articles: list[Article], annotations: list[Annotations]) -> dict[str, pa.Table]:
    tables = {"articles": to_table(Article, articles)}
    for cls, attribute in ((Entity, "entities"), (ThemeHit, "themes"), (Quote, "quotes"), (Figure, "figures")):
        tables[cls.table] = to_table(cls, [r for a in annotations for r in getattr(a, attribute)])
    return tables


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def load(args, ours: Warehouse, bare: duckdb.DuckDBPyConnection) -> dict[str, float]:
    newsroom = Newsroom()
    seconds = {"ours_articles": 0.0, "bare_articles": 0.0, "ours_annotations": 0.0, "bare_annotations": 0.0}
    rows = {"articles": 0, "annotations": 0}
    for start in range(0, args.articles, args.batch):
        articles, annotations = newsroom.batch(start, min(args.batch, args.articles - start))
        tables = arrow_batches(articles, annotations)
        seconds["ours_articles"] += timed(lambda: ours.load_articles(articles))
        seconds["ours_annotations"] += timed(lambda: ours.load_annotations(annotations, datetime.now(timezone.utc)))

        def bare_insert(names):
            bare.execute("BEGIN")
            for name in names:
                bare.register("batch", tables[name])
                bare.execute(f"INSERT INTO {name} BY NAME SELECT * FROM batch")
                bare.unregister("batch")
            bare.execute("COMMIT")

        seconds["bare_articles"] += timed(lambda: bare_insert(["articles"]))
        seconds["bare_annotations"] += timed(lambda: bare_insert(["entities", "themes", "quotes", "figures"]))
        rows["articles"] += len(articles)
        rows["annotations"] += sum(len(tables[n]) for n in ("entities", "themes", "quotes", "figures"))
        if start // args.batch % 20 == 0:
            print(f"  loaded {rows['articles']:,} articles", flush=True)
    return {**seconds, **{f"rows_{k}": v for k, v in rows.items()}}


def add_topics(wh: Warehouse, articles: int) -> None:
    """A current topic model over the relevant stories, assigned in SQL (fast and enough for timing)."""
    wh.upsert_rows("topic_models", [{"model_id": "bench", "method": "nmf", "k": 20, "n_docs": articles,
                                     "is_current": True}], key="model_id")
    wh.upsert_rows("topics", [{"model_id": "bench", "topic_id": t, "label": f"topic {t}",
                               "terms": WORDS[t:t + 8], "weights": [0.9 - 0.1 * i for i in range(8)]}
                              for t in range(20)], key="model_id")
    wh.con.execute("""
        INSERT INTO article_topics
        SELECT 'bench', article_id, (hash(article_id) + k) % 20, 1.0 / (k + 1)
        FROM articles, range(2) AS r(k)
        WHERE is_relevant AND duplicate_of IS NULL
    """)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000, help="articles per load (one transaction)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each view query (median reported)")
    parser.add_argument("--search", action="store_true", help="also time building the BM25 index and a search")
    parser.add_argument("--dir", type=Path, help="where to put the two databases (default: a temporary folder)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        ours = Warehouse(Path(folder) / "ours.duckdb")
        Warehouse(Path(folder) / "bare.duckdb").close()  # the identical empty schema
        bare = duckdb.connect(str(Path(folder) / "bare.duckdb"))
        for con in (ours.con, bare):
            con.execute(f"SET threads = {args.threads}")
        print(f"creditlens warehouse bench, {date.today()}: {args.articles:,} articles in batches of {args.batch:,}, "
              f"{args.threads} DuckDB threads")
        s = load(args, ours, bare)
        bare.close()
        print("\nloading                      ours rows/s    bare rows/s   ratio")
        for what in ("articles", "annotations"):
            ours_rate = s[f"rows_{what}"] / s[f"ours_{what}"]
            bare_rate = s[f"rows_{what}"] / s[f"bare_{what}"]
            print(f"  {what:<12} {s[f'rows_{what}']:>11,}  {ours_rate:>12,.0f}  {bare_rate:>12,.0f}  {ours_rate / bare_rate:6.2f}")
        total = s["ours_articles"] + s["ours_annotations"]
        total_bare = s["bare_articles"] + s["bare_annotations"]
        print(f"  {'all':<12} {'':>11}  {total:>10.1f} s  {total_bare:>10.1f} s  {total_bare / total:6.2f}")

        add_topics(ours, args.articles)
        pairs = timed(ours.refresh_entity_pairs)
        print(f"\nco-occurrence snapshot (rebuilt once at the end of each process run): {pairs:.1f} s")
        print(f"\nviews (median of {args.repeat} runs; target < 1 s)")
        slow = []
        for view, sql in VIEW_QUERIES.items():
            times = [timed(lambda: ours.con.execute(sql).to_arrow_table()) for _ in range(args.repeat)]
            median = statistics.median(times)
            slow += [view] if median >= 1 else []
            print(f"  {view:<24} {median:7.3f} s{'   SLOW' if median >= 1 else ''}")
        print(f"  {len(VIEW_QUERIES) - len(slow)} of {len(VIEW_QUERIES)} views under a second")

        if args.search:
            index = timed(lambda: refresh_index(ours.con))
            query = timed(lambda: search(ours.con, '"travel ban" court', limit=20, theme="TRAVEL_BAN_TRAINS"))
            print(f"\nsearch: BM25 index over {args.articles:,} articles built in {index:.1f} s; "
                  f"a phrase query with a theme filter took {query:.3f} s")
        ours.close()


if __name__ == "__main__":
    main()
