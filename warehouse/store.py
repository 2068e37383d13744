"""Opening the warehouse, migrating it forward, and loading records into it.

Every load is one transaction over an Arrow batch and an idempotent upsert keyed
on the canonical URL (pages) or article id (articles); annotation rows are replaced
per article.  Running the same load twice, or after a crash, leaves the same rows.
"""

from __future__ import annotations

import gc
from datetime import datetime
from importlib import resources
from pathlib import Path
from types import ModuleType

import duckdb
import pyarrow as pa

from warehouse.arrow import to_table
from warehouse.provenance import group_reports, group_rows, stored_reports
from warehouse.backends import backend_for
from warehouse.records import Annotations, Article, CrawlRun, Entity, Figure, Page, Quote, Record, ThemeHit
from warehouse.spool import Spool
from warehouse.views import create_views


class WarehouseError(Exception):
    """The database cannot be used; the message is one line for the user."""


class WarehouseBusy(WarehouseError):
    """Another process (an analyst's DuckDB CLI, a running job) holds the database."""


def _first_line(exc: Exception) -> str:
    """DuckDB wraps one message over several lines and may append context after a blank line."""
    message = " ".join(str(exc).strip().split("\n\n")[0].split())
    return message or type(exc).__name__


def connect(address: str | Path, read_only: bool = False, data_path: str | None = None,
            as_of: datetime | None = None) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse at `address` (a DuckDB file or a DuckLake, see warehouse/backends);
    `data_path` is used only to create a lake; `as_of` opens a lake read-only as it was then."""
    return backend_for(address).connect(address, read_only=read_only, data_path=data_path, as_of=as_of)


def migrations() -> list[tuple[int, str]]:
    folder = resources.files("warehouse") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def migrate(con: duckdb.DuckDBPyConnection, backend: ModuleType | None = None) -> int:
    """Apply the migrations this database has not seen, each in its own transaction
    (`backend`: the module of warehouse/backends whose DDL `con` speaks; a DuckDB file by default)."""
    backend = backend or backend_for("creditlens.duckdb")
    con.execute(backend.table_sql(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ DEFAULT now())"
    ))
    current = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
    for version, sql in migrations():
        if version <= current:
            continue
        con.execute("BEGIN")
        try:
            con.execute(backend.table_sql(sql))
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
            con.execute("COMMIT")
        except duckdb.Error:
            con.execute("ROLLBACK")
            raise
        current = version
    create_views(con)
    return current


# how a re-fetched page (`excluded`) updates the stored one (an upsert keyed on the URL)
_PAGE_CHANGES = """
    fetched_at = excluded.fetched_at,
    run_id = excluded.run_id,
    requested_url = excluded.requested_url,
    error = excluded.error,
    error_kind = excluded.error_kind,
    -- a failed re-fetch never throws away the page already stored
    status = CASE WHEN excluded.html IS NULL AND pages.html IS NOT NULL THEN pages.status ELSE excluded.status END,
    source = coalesce(excluded.source, pages.source),
    content_type = coalesce(excluded.content_type, pages.content_type),
    encoding = coalesce(excluded.encoding, pages.encoding),
    etag = coalesce(excluded.etag, pages.etag),
    last_modified = coalesce(excluded.last_modified, pages.last_modified),
    feed_date = coalesce(excluded.feed_date, pages.feed_date),
    sitemap_date = coalesce(excluded.sitemap_date, pages.sitemap_date),
    listed_lastmod = coalesce(excluded.listed_lastmod, pages.listed_lastmod),
    origin = excluded.origin,
    html = coalesce(excluded.html, pages.html),
    sha256 = coalesce(excluded.sha256, pages.sha256),
    -- changed content must be extracted again
    page_kind = CASE WHEN excluded.sha256 IS DISTINCT FROM pages.sha256 AND excluded.html IS NOT NULL
                     THEN NULL ELSE pages.page_kind END,
    extracted_at = CASE WHEN excluded.sha256 IS DISTINCT FROM pages.sha256 AND excluded.html IS NOT NULL
                        THEN NULL ELSE pages.extracted_at END
"""


_COUNT_ENTITY_PAIRS = """
INSERT INTO entity_pair_counts
WITH mentioned AS (
    SELECT article_entities.article_id, article_entities.entity_id
    FROM article_entities SEMI JOIN articles
        ON articles.article_id = article_entities.article_id AND articles.is_relevant
)
SELECT a.entity_id, b.entity_id, count(*)
FROM mentioned a JOIN mentioned b ON a.article_id = b.article_id AND a.entity_id < b.entity_id
GROUP BY ALL
"""


# Pairs of original relevant articles in different languages that report the same figure
# (value and normalised unit) within CROSSLINGUAL_DAYS of each other and name at least one
# shared catalogue entity that is not a place (every story about China names China).  Only
# distinctive figures count: three significant digits (11.6 percent, 2,314 people, 1,850
# yuan), or two for a count or amount of at least 100 (3.2 million times, 610,000 times);
# round percentages and small round counts ("10 percent", "1,000 people", "20 cases") are
# reported by many unrelated stories of the same week about the same court.  The
# join starts from figures, which are few and selective, instead of from all article pairs,
# and joins on the figure and a CROSSLINGUAL_DAYS-wide time bucket (each figure also looks
# in the neighbouring buckets), so that a common figure ("10 percent") is compared only
# with the few reports of the same weeks, not with every report of all time.
CROSSLINGUAL_DAYS = 7
_CROSSLINGUAL_PAIRS = f"""
WITH originals AS (
    SELECT article_id, split_part(lower(language), '-', 1) AS language, published_at
    FROM articles
    WHERE is_relevant AND duplicate_of IS NULL AND published_at IS NOT NULL AND coalesce(language, '') <> ''
), reported AS (
    SELECT DISTINCT figures.article_id, originals.language, originals.published_at,
           CAST(floor(epoch(originals.published_at) / ({CROSSLINGUAL_DAYS} * 86400)) AS BIGINT) AS bucket,
           round(figures.value, 6) AS value, figures.unit,
           CASE WHEN figures.value = round(figures.value) AND abs(figures.value) < 1e15
                THEN CAST(CAST(figures.value AS BIGINT) AS VARCHAR) ELSE CAST(round(figures.value, 6) AS VARCHAR)
           END || ' ' || figures.unit AS figure
    FROM figures JOIN originals USING (article_id)
    WHERE figures.value IS NOT NULL AND coalesce(figures.unit, '') <> ''
      AND (length(trim(replace(rtrim(rtrim(printf('%.6f', abs(figures.value)), '0'), '.'), '.', ''), '0')) >= 3
           OR (figures.unit NOT IN ('percent', 'percentage points') AND abs(figures.value) >= 100
               AND length(trim(replace(rtrim(rtrim(printf('%.6f', abs(figures.value)), '0'), '.'), '.', ''), '0')) >= 2))
), nearby AS (
    SELECT article_id, language, published_at, value, unit, figure, unnest([bucket - 1, bucket, bucket + 1]) AS bucket
    FROM reported
), figure_pairs AS (
    SELECT a.article_id AS article_a, b.article_id AS article_b,
           abs(epoch(a.published_at) - epoch(b.published_at)) / 86400.0 AS days_apart,
           list(DISTINCT a.figure ORDER BY a.figure) AS shared_figures
    FROM reported a JOIN nearby b
        ON a.value = b.value AND a.unit = b.unit AND a.bucket = b.bucket
    WHERE a.article_id < b.article_id AND a.language <> b.language
      AND abs(epoch(a.published_at) - epoch(b.published_at)) <= {CROSSLINGUAL_DAYS} * 86400
    GROUP BY ALL
), entity_pairs AS (
    SELECT p.article_a, p.article_b, list(DISTINCT ea.entity_id ORDER BY ea.entity_id) AS shared_entities
    FROM figure_pairs p
    JOIN article_entities ea ON ea.article_id = p.article_a
    JOIN article_entities eb ON eb.article_id = p.article_b AND eb.entity_id = ea.entity_id
    WHERE coalesce(ea.label, '') NOT IN ('GPE', 'LOC')
    GROUP BY ALL
)
SELECT f.article_a, f.article_b, f.days_apart, e.shared_entities, f.shared_figures,
       a.published_at AS published_a, b.published_at AS published_b
FROM figure_pairs f
JOIN entity_pairs e USING (article_a, article_b)
JOIN articles a ON a.article_id = f.article_a
JOIN articles b ON b.article_id = f.article_b
ORDER BY f.article_a, f.article_b
"""


def _story_ids(pairs: list[tuple]) -> dict[str, str]:
    """Linked articles grouped into stories (connected components); each story is named by
    its earliest article, so a story keeps its id when later coverage joins it."""
    parent: dict[str, str] = {}
    published: dict[str, object] = {}

    def root(article: str) -> str:
        while parent[article] != article:
            parent[article] = parent[parent[article]]
            article = parent[article]
        return article

    for a, b, *_, published_a, published_b in pairs:
        for article, when in ((a, published_a), (b, published_b)):
            parent.setdefault(article, article)
            published[article] = when
        ra, rb = root(a), root(b)
        if ra != rb:
            first, second = sorted((ra, rb), key=lambda x: (published[x], x))
            parent[second] = first
    return {article: root(article) for article in parent}


def _last_per_key(records: list[Record], key: str) -> list[Record]:
    """ON CONFLICT cannot touch one key twice in a statement: keep each key's last record."""
    latest = {}
    for record in records:
        latest[getattr(record, key)] = record
    return list(latest.values())


# rows that belong to an article's annotation, replaced together
ANNOTATION_TABLES = ("entities", "themes", "quotes", "figures", "article_entities")


class Warehouse:
    """A connection to the warehouse (creditlens.duckdb, or a DuckLake) with the loading operations the stages need.

    `data_path` is where a new lake keeps its data files (ignored for a file, and for a lake that exists)."""

    def __init__(self, path: str | Path, read_only: bool = False, data_path: str | None = None):
        self.path = Path(path)
        self.read_only = read_only
        self.backend = backend_for(path)
        self.con = connect(path, read_only=read_only, data_path=data_path)
        if not read_only:
            try:
                migrate(self.con, self.backend)
            except duckdb.Error as exc:
                self.con.close()
                raise WarehouseError(f"cannot migrate database {self.path}: {_first_line(exc)}") from exc

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _transaction(self, work) -> None:
        self.con.execute("BEGIN")
        try:
            work()
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def _register(self, record_class: type[Record], records: list[Record]) -> None:
        self.con.register("batch", to_table(record_class, records))

    # -- loading -----------------------------------------------------------------

    def _upsert_pages(self, pages: list[Page]) -> None:
        self._register(Page, _last_per_key(pages, "url"))
        self.con.execute(self.backend.upsert_sql("pages", "batch", _PAGE_CHANGES))
        self.con.unregister("batch")

    def _upsert_articles(self, articles: list[Article]) -> None:
        """Replace articles; an article whose text is unchanged keeps its annotations, one whose
        text changed loses them (and its annotated_at) so that it is annotated again."""
        self._register(Article, _last_per_key(articles, "article_id"))
        stored = self.con.execute(
            "SELECT count(*) FROM articles WHERE article_id IN (SELECT article_id FROM batch)"
        ).fetchone()[0]
        if stored:
            self._replace_stored_articles()
        else:  # all new: the common case of a first load
            self.con.execute("INSERT INTO articles BY NAME SELECT * FROM batch")
        self.con.unregister("batch")

    def _replace_stored_articles(self) -> None:
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE kept AS SELECT a.article_id, a.annotated_at FROM articles a "
            "JOIN batch b USING (article_id) WHERE a.content_hash IS NOT DISTINCT FROM b.content_hash"
        )
        for table in ANNOTATION_TABLES:
            self.con.execute(
                f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM batch) "
                "AND article_id NOT IN (SELECT article_id FROM kept)"
            )
        # delete-then-insert: DuckDB's INSERT OR REPLACE is several times slower on existing keys
        self.con.execute("DELETE FROM articles WHERE article_id IN (SELECT article_id FROM batch)")
        self.con.execute("INSERT INTO articles BY NAME SELECT * FROM batch")
        self.con.execute(
            "UPDATE articles SET annotated_at = kept.annotated_at FROM kept WHERE articles.article_id = kept.article_id"
        )
        self.con.execute("DROP TABLE kept")

    def _insert(self, record_class: type[Record], records: list[Record]) -> None:
        if records:
            self._register(record_class, records)
            self.con.execute(f"INSERT INTO {record_class.table} BY NAME SELECT * FROM batch")
            self.con.unregister("batch")

    def load_pages(self, pages: list[Page]) -> int:
        if pages:
            self._transaction(lambda: self._upsert_pages(pages))
        return len(pages)

    def load_articles(self, articles: list[Article]) -> int:
        if articles:
            self._transaction(lambda: self._upsert_articles(articles))
        return len(articles)

    def load_records(self, records: list[Record]) -> dict[str, int]:
        """Load a mixed batch (as a spool file holds) in one transaction."""
        by_table: dict[str, list[Record]] = {}
        for record in records:
            by_table.setdefault(record.table, []).append(record)

        def work():
            if "pages" in by_table:
                self._upsert_pages(by_table["pages"])
            if "articles" in by_table:
                self._upsert_articles(by_table["articles"])
            if "crawl_runs" in by_table:
                self._register(CrawlRun, _last_per_key(by_table["crawl_runs"], "run_id"))
                # a run's opening record never overwrites its closing one, whatever the load order
                self.con.execute(self.backend.upsert_sql(
                    "crawl_runs", "(SELECT * FROM batch b WHERE NOT (b.status = 'running' "
                    "AND EXISTS (SELECT 1 FROM crawl_runs c WHERE c.run_id = b.run_id AND c.status <> 'running')))"
                ))
                self.con.unregister("batch")

        self._transaction(work)
        return {table: len(rows) for table, rows in by_table.items()}

    def mark_extracted(self, marks: list[dict]) -> None:
        """Record each page's extraction outcome (page_kind, extract_error, extracted_at)."""
        if not marks:
            return
        self.con.register("marks", pa.Table.from_pylist(marks))
        self._transaction(lambda: self.con.execute(
            "UPDATE pages SET page_kind = marks.page_kind, extract_error = marks.extract_error, "
            "extracted_at = marks.extracted_at FROM marks WHERE pages.url = marks.url"
        ))
        self.con.unregister("marks")

    def set_duplicates(self, mapping: dict[str, str | None]) -> None:
        """Re-point stored articles at the earliest copy of their story (article_id -> duplicate_of)."""
        if not mapping:
            return
        self.con.register("regrouped", pa.table({
            "article_id": pa.array(list(mapping), pa.string()),
            "duplicate_of": pa.array(list(mapping.values()), pa.string()),
        }))
        self._transaction(lambda: self.con.execute(
            "UPDATE articles SET duplicate_of = regrouped.duplicate_of FROM regrouped "
            "WHERE articles.article_id = regrouped.article_id"
        ))
        self.con.unregister("regrouped")

    def load_annotations(self, batch: list[Annotations], annotated_at) -> None:
        """Replace the annotation rows of each article in the batch, in one transaction."""
        if not batch:
            return
        self.con.register("ids", key_table([a.article_id for a in batch]))

        def work():
            # annotation rows exist only for annotated articles: a first annotation skips the deletes
            annotated_before = self.con.execute(
                "SELECT count(*) FROM articles WHERE annotated_at IS NOT NULL "
                "AND article_id IN (SELECT article_id FROM ids)"
            ).fetchone()[0]
            for table in ANNOTATION_TABLES if annotated_before else ():
                self.con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM ids)")
            for record_class, attribute in ((ThemeHit, "themes"), (Quote, "quotes"), (Figure, "figures")):
                self._insert(record_class, [row for a in batch for row in getattr(a, attribute)])
            self._insert_entities([e for a in batch for e in a.entities])
            self.con.execute(
                "UPDATE articles SET annotated_at = ? WHERE article_id IN (SELECT article_id FROM ids)",
                [annotated_at],
            )

        try:
            self._transaction(work)
        finally:
            self.con.unregister("ids")

    def _insert_entities(self, entities: list[Entity]) -> None:
        """Mentions, and the per-article entity summary (see migration 002) built from the same batch;
        the summary keeps the surface form and label of an entity's first mention in the article."""
        if entities:
            self._register(Entity, entities)
            self.con.execute("INSERT INTO entities BY NAME SELECT * FROM batch")
            self.con.execute(
                "INSERT INTO article_entities SELECT article_id, entity_id, arg_min(label, start_char), "
                "arg_min(text, start_char), count(*) FROM batch WHERE entity_id IS NOT NULL "
                "GROUP BY article_id, entity_id"
            )
            self.con.unregister("batch")

    def refresh_entity_pairs(self) -> None:
        """Rebuild the co-occurrence snapshot (migration 003) that `entity_cooccurrence` reads."""
        def work():
            self.con.execute("DELETE FROM entity_pair_counts")
            self.con.execute(_COUNT_ENTITY_PAIRS)

        self._transaction(work)

    def refresh_crosslingual_stories(self) -> int:
        """Rebuild the cross-lingual story snapshot (migration 006) that `stories` and
        `crosslingual_stories` read; returns how many stories span more than one language."""
        pairs = self.con.execute(_CROSSLINGUAL_PAIRS).fetchall()
        story_of = _story_ids(pairs)
        rows = [
            {"story_id": story_of[a], "article_a": a, "article_b": b, "days_apart": days,
             "shared_entities": entities, "shared_figures": figures}
            for a, b, days, entities, figures, _, _ in pairs
        ]

        def work():
            self.con.execute("DELETE FROM crosslingual_links")
            self._insert_dicts("crosslingual_links", rows)

        self._transaction(work)
        return len(set(story_of.values()))

    def refresh_figure_groups(self) -> int:
        """Rebuild the provenance snapshot (migration 007) that `figure_provenance` reads;
        returns the number of groups."""
        gc.disable()  # a million small objects, none of them garbage: collections would only cost time
        try:
            groups = group_reports(stored_reports(self.con))
        finally:
            gc.enable()
        self.con.register("grouped", group_rows(groups))

        def work():
            self.con.execute("DELETE FROM figure_groups")
            self.con.execute("INSERT INTO figure_groups BY NAME SELECT * FROM grouped")

        try:
            self._transaction(work)
        finally:
            self.con.unregister("grouped")
        return len(groups)

    def refresh_search_index(self) -> None:
        """Bring the full-text index up to date with the stored articles (warehouse/search.py)."""
        self.backend.refresh_search_index(self.con, self.path)

    def maintain(self) -> None:
        """The backend's housekeeping after a process run (a lake compacts files and expires snapshots)."""
        self.backend.maintain(self.con)

    def drain_spool(self, spool: Spool) -> dict[str, int]:
        """Load every pending spool file, deleting each once its transaction has committed."""
        totals: dict[str, int] = {"files": 0, "damaged_lines": 0}
        for spooled in spool.read():
            counts = self.load_records(spooled.records) if spooled.records else {}
            spooled.path.unlink()
            totals["files"] += 1
            totals["damaged_lines"] += spooled.damaged_lines
            for table, n in counts.items():
                totals[table] = totals.get(table, 0) + n
        return totals

    # -- small bookkeeping helpers used by several jobs ------------------------------

    def _insert_dicts(self, table: str, rows: list[dict], replace: bool = False) -> None:
        if rows:
            self.con.register("dict_rows", pa.Table.from_pylist(rows))
            self.con.execute(self.backend.upsert_sql(table, "dict_rows") if replace
                             else f"INSERT INTO {table} BY NAME SELECT * FROM dict_rows")
            self.con.unregister("dict_rows")

    def upsert_rows(self, table: str, rows: list[dict], key: str | None = None) -> None:
        """Plain dict rows (catalogs, run logs), replacing rows with the same key (the table's
        primary key) when a `key` is named."""
        self._transaction(lambda: self._insert_dicts(table, rows, replace=bool(key)))

    def store_topic_model(self, model: dict, topics: list[dict], assignments: list[dict]) -> None:
        """A new current topic model with its topics and article assignments; older models are kept."""

        def work():
            self.con.execute("UPDATE topic_models SET is_current = false")
            self._insert_dicts("topic_models", [{**model, "is_current": True}])
            self._insert_dicts("topics", topics)
            self._insert_dicts("article_topics", assignments)

        self._transaction(work)

    def set_current_topic_model(self, model_id: str) -> None:
        """The views and exports use this model from now on; the others are kept."""
        self._transaction(lambda: self.con.execute(
            "UPDATE topic_models SET is_current = (model_id = ?)", [model_id]
        ))

    def add_article_topics(self, assignments: list[dict]) -> None:
        self._transaction(lambda: self._insert_dicts("article_topics", assignments))


def key_table(values: list[str], column: str = "article_id") -> pa.Table:
    """One string column, registered to select rows by key (`WHERE key IN (SELECT ...)`)."""
    return pa.table({column: pa.array(values, pa.string())})
