"""Every command and option of the README's table, run as a user runs it: `creditlens …` in a
subprocess, against loopback sites, checked by its output and by the warehouse it leaves.

One warehouse is built once for the module by `creditlens run` on the demo news site (crawl,
process, topics); the read-only commands query it, and the commands that change a warehouse
work on copies of it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from crawl_fixtures import unreachable_config
from creditlens.demo import DEMO_CRAWL
from creditlens.demosite import DemoSite
from tests.cli_helpers import creditlens, one_line_error

pytestmark = pytest.mark.slow  # crawls, spaCy and topic models through real subprocesses

TABLES = ["pages", "articles", "entities", "themes", "quotes", "figures", "article_topics", "entity_catalog"]
ON_TOPIC = ("The Supreme People's Court added 2,000 dishonest judgment debtors to its blacklist, barring them "
            "from flights and high-speed trains under the social credit system.")
OFF_TOPIC = "The home side won the cup final with a late goal in front of a record crowd."


def counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}


def query(db: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def ok(result) -> str:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def demo_site():
    with DemoSite() as site:
        yield site


@pytest.fixture(scope="module")
def demo_config(demo_site, tmp_path_factory) -> Path:
    config = tmp_path_factory.mktemp("config") / "demo.toml"
    config.write_text(DEMO_CRAWL + "\n" + demo_site.sources_toml(), encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def built(demo_config, tmp_path_factory):
    """A warehouse left by `creditlens run` on the demo site; the run's output alongside."""
    db = tmp_path_factory.mktemp("built") / "news.duckdb"
    result = creditlens("run", "--config", demo_config, "--db", db)
    return db, ok(result)


@pytest.fixture
def copy_of_built(built, tmp_path) -> Path:
    """A private copy of the built warehouse and its state folder, for commands that change it."""
    db, _ = built
    copy = tmp_path / db.name
    shutil.copy(db, copy)
    state = db.with_name(db.stem + ".state")
    shutil.copytree(state, copy.with_name(copy.stem + ".state"), ignore=shutil.ignore_patterns("*.lock"))
    return copy


# -- crawl and run ------------------------------------------------------------------------


def crawl_status(out: str) -> str:
    """The status in the title of the crawl table (the title wraps on a narrow table)."""
    return re.search(r"\b(finished|failed|interrupted)\b", out).group(1)


def test_crawl_one_source_with_a_page_limit(demo_site, demo_config, built, tmp_path):
    db = tmp_path / "crawl.duckdb"
    out = ok(creditlens("crawl", "--config", demo_config, "--db", db, "--source", "ledger", "--max-pages", 6))
    assert crawl_status(out) == "finished", out
    fetched = int(re.search(r"fetched\s*│\s*(\d+)", out).group(1))
    ledger = next(o for o in demo_site.outlets if o.id == "ledger")
    pages = query(db, "SELECT url, requested_url, source FROM pages")
    assert pages and {source for _, _, source in pages} == {"ledger"}
    assert all(requested.startswith(ledger.base_url) for _, requested, _ in pages), pages
    # the limit counts responses; requests already handed to the downloader still complete
    whole_outlet = query(built[0], "SELECT count(*) FROM pages WHERE source = 'ledger'")[0][0]
    assert 6 <= fetched <= 6 + 32 and len(pages) < whole_outlet, (fetched, len(pages), whole_outlet)
    assert query(db, "SELECT command, status, pages_fetched FROM crawl_runs") == [("crawl", "finished", fetched)]


def test_a_crawl_that_fetches_nothing_exits_4(tmp_path):
    db = tmp_path / "c.duckdb"
    result = creditlens("crawl", "--config", unreachable_config(tmp_path / "nobody.toml"), "--db", db)
    assert result.returncode == 4, result.stdout + result.stderr
    assert crawl_status(result.stdout) == "failed", result.stdout
    assert query(db, "SELECT status, pages_fetched FROM crawl_runs") == [("failed", 0)]


def test_run_crawls_processes_and_fits_topics(built):
    db, out = built
    assert crawl_status(out) == "finished" and "processed:" in out and "topics: new model" in out, out
    assert query(db, "SELECT command, status FROM crawl_runs") == [("run", "finished")]
    tables = counts(db)
    assert all(tables[t] > 0 for t in TABLES), tables
    assert query(db, "SELECT count(*) FROM topic_models WHERE is_current") == [(1,)]
    unassigned = query(db, "SELECT count(*) FROM articles a WHERE is_relevant AND language = 'en' AND duplicate_of IS NULL "
                           "AND NOT EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = a.article_id)")
    assert unassigned == [(0,)]


def test_a_second_run_adds_nothing_and_keeps_the_topic_model(copy_of_built, demo_config):
    before = counts(copy_of_built)
    models = query(copy_of_built, "SELECT model_id FROM topic_models")
    pages = set(query(copy_of_built, "SELECT url FROM pages"))
    out = ok(creditlens("run", "--config", demo_config, "--db", copy_of_built))
    assert "topics: new model" not in out  # the corpus did not grow
    assert query(copy_of_built, "SELECT model_id FROM topic_models") == models
    assert [status for (status,) in query(copy_of_built, "SELECT status FROM crawl_runs ORDER BY started_at")] == [
        "finished", "finished"]
    after = counts(copy_of_built)
    assert {t: n for t, n in after.items() if t != "pages"} == {t: n for t, n in before.items() if t != "pages"}
    added = query(copy_of_built, "SELECT url, status, html IS NULL FROM pages WHERE url NOT IN (SELECT unnest(?))",
                  [[url for (url,) in pages]])
    # a start page answering 304 confirms the row stored under its canonical URL, and adds none
    assert added == [] and after["pages"] == before["pages"], added


# -- ingest, process, annotate --------------------------------------------------------------


def test_ingest_all_relevant_keeps_every_row(tmp_path):
    corpus = tmp_path / "mine.jsonl"
    corpus.write_text("\n".join(json.dumps(row) for row in [
        {"id": "on", "title": "Blacklist", "text": ON_TOPIC, "source": "mine"},
        {"id": "off", "title": "Cup final", "text": OFF_TOPIC, "source": "mine"},
    ]) + "\n", encoding="utf-8")
    plain, curated = tmp_path / "plain.duckdb", tmp_path / "curated.duckdb"
    assert re.search(r"ingested 2 articles\n(.*\n)*  skipped +0\n", ok(creditlens("ingest", "jsonl", corpus, "--db", plain)))
    assert re.search(r"ingested 2 articles\n(.*\n)*  skipped +0\n",
                     ok(creditlens("ingest", "jsonl", corpus, "--db", curated, "--all-relevant")))
    assert query(plain, "SELECT article_id, is_relevant FROM articles ORDER BY 1") == [("off", False), ("on", True)]
    assert query(curated, "SELECT article_id, is_relevant FROM articles ORDER BY 1") == [("off", True), ("on", True)]


def test_process_reprocess_extracts_everything_again_and_duplicates_nothing(copy_of_built):
    before = counts(copy_of_built)
    stored_pages = query(copy_of_built, "SELECT count(*) FROM pages WHERE html IS NOT NULL")[0][0]
    idle = ok(creditlens("process", "--db", copy_of_built))
    assert "extracted 0 pages" in idle and "annotated 0" in idle, idle
    again = ok(creditlens("process", "--db", copy_of_built, "--reprocess"))
    assert f"extracted {stored_pages} pages" in again, again
    annotated = int(re.search(r"annotated (\d+)", again).group(1))
    assert annotated > 0
    assert counts(copy_of_built) == before


def test_annotate_reads_standard_input():
    rows = [{"id": "s1", "text": ON_TOPIC}, {"id": "s2", "text": OFF_TOPIC}]
    result = creditlens("annotate", "-", input="\n".join(json.dumps(r) for r in rows) + "\n\n")
    out = [json.loads(line) for line in ok(result).splitlines()]
    assert [row["id"] for row in out] == ["s1", "s2"]
    assert any(e["entity_id"] == "court.supreme_peoples_court" for e in out[0]["entities"])
    assert any(f["value"] == 2000 for f in out[0]["figures"])
    assert set(out[1]) == {"id", "entities", "themes", "quotes", "figures"} and not out[1]["entities"]


# -- topics ------------------------------------------------------------------------------


def current_model(db: Path) -> tuple:
    return query(db, "SELECT model_id, method, k FROM topic_models WHERE is_current")[0]


def test_topics_fit_with_k_keeps_the_older_model(copy_of_built):
    older = current_model(copy_of_built)
    out = ok(creditlens("topics", "fit", "--k", 3, "--db", copy_of_built))
    model_id, method, k = current_model(copy_of_built)
    assert (method, k) == ("nmf", 3) and model_id != older[0]
    assert f"model {model_id}: nmf, k=3" in out
    assert query(copy_of_built, "SELECT count(*) FROM topic_models") == [(2,)]
    assert query(copy_of_built, "SELECT count(DISTINCT topic_id) FROM topics WHERE model_id = ?", [model_id]) == [(3,)]
    assigned = query(copy_of_built, "SELECT count(DISTINCT article_id) FROM article_topics WHERE model_id = ?", [model_id])
    assert assigned[0][0] > 0


def test_topics_fit_auto_scores_each_k(copy_of_built):
    out = ok(creditlens("topics", "fit", "--auto", "--db", copy_of_built))
    scored = re.findall(r"^\s+k=(\d+): (?:stability -?[\d.]+, )?NPMI", out, re.MULTILINE)
    assert len(scored) >= 2, out
    _, method, k = current_model(copy_of_built)
    assert method == "nmf" and str(k) in scored


def test_topics_fit_lda_then_show(copy_of_built):
    ok(creditlens("topics", "fit", "--method", "lda", "--k", 4, "--db", copy_of_built))
    model_id, method, k = current_model(copy_of_built)
    assert (method, k) == ("lda", 4)
    labels = [label for (label,) in query(copy_of_built, "SELECT label FROM topics WHERE model_id = ? ORDER BY topic_id",
                                          [model_id])]
    shown = ok(creditlens("topics", "show", "--db", copy_of_built))
    assert all(label in shown for label in labels), shown
    for topic_id in range(4):
        assert re.search(rf"^│?\s*{topic_id}\s*│", shown, re.MULTILINE), shown


def test_topics_fit_refuses_k_and_auto_together(copy_of_built):
    result = creditlens("topics", "fit", "--k", 3, "--auto", "--db", copy_of_built)
    assert result.returncode == 1 and "either --k or --auto" in one_line_error(result)


# -- export, search, sql, report ----------------------------------------------------------


def relevant_titles(db: Path) -> set[str]:
    return {title for (title,) in query(db, "SELECT title FROM articles WHERE is_relevant")}


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "parquet"])
@pytest.mark.parametrize("what", ["articles", "entities"])
def test_export_articles_and_entities(built, tmp_path, what, fmt):
    db, _ = built
    out = tmp_path / f"{what}.{fmt}"
    assert f"wrote {out}" in ok(creditlens("export", what, "--format", fmt, "--out", out, "--db", db)).replace("\n", "")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    elif fmt == "json":  # one document
        rows = json.loads(out.read_text(encoding="utf-8"))
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    else:
        with duckdb.connect() as con:
            cursor = con.execute("SELECT * FROM read_parquet(?)", [str(out)])
            names = [c[0] for c in cursor.description]
            rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    table = "articles" if what == "articles" else "entities"
    assert len(rows) == query(db, f"SELECT count(*) FROM {table}")[0][0] > 0
    if what == "articles":
        by_id = {row["article_id"]: row for row in rows}
        stored = dict(query(db, "SELECT article_id, url FROM articles"))
        assert {k: v["url"] for k, v in by_id.items()} == stored
        themed = [row for row in rows if row["themes"]]
        assert themed and all(row["topic"] for row in rows if str(row["is_relevant"]).lower() == "true"
                              and row["language"] == "en" and not row["duplicate_of"]), rows[:2]
    else:
        court = [row for row in rows if row["entity_id"] == "court.supreme_peoples_court"]
        assert court and all(row["name"] == "Supreme People's Court" for row in court)
        assert {row["article_id"] for row in rows} <= {a for (a,) in query(db, "SELECT article_id FROM articles")}


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "parquet", "md"])
def test_export_topics(built, tmp_path, fmt):
    db, _ = built
    out = tmp_path / f"topics.{fmt}"
    ok(creditlens("export", "topics", "--format", fmt, "--out", out, "--db", db))
    model_id, _, k = current_model(db)
    labels = [label for (label,) in query(db, "SELECT label FROM current_topics ORDER BY topic_id")]
    if fmt == "md":
        text = out.read_text(encoding="utf-8")
        assert model_id in text and all(label in text for label in labels), text[:2000]
        return
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    elif fmt == "json":  # one document: the model, the filters, the topics
        document = json.loads(out.read_text(encoding="utf-8"))
        rows = [{"model_id": document["model"]["model_id"], **topic} for topic in document["topics"]]
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    else:
        with duckdb.connect() as con:
            cursor = con.execute("SELECT model_id, topic_id, label, articles FROM read_parquet(?)", [str(out)])
            rows = [dict(zip(["model_id", "topic_id", "label", "articles"], r)) for r in cursor.fetchall()]
    assert [int(row["topic_id"]) for row in rows] == list(range(k))
    assert {row["model_id"] for row in rows} == {model_id} and [row["label"] for row in rows] == labels
    assert sum(int(row["articles"]) for row in rows) > 0


@pytest.mark.parametrize("fmt", ["csv", "md"])  # every format: tests/test_figure_provenance.py
def test_export_figures(built, tmp_path, fmt):
    db, _ = built
    out = tmp_path / f"figures.{fmt}"
    ok(creditlens("export", "figures", "--format", fmt, "--out", out, "--db", db))
    text = out.read_text(encoding="utf-8")
    if fmt == "md":
        assert "## 4,870,000 debtors: debtors who had settled their debts" in text, text[:3000]
        assert "| ledger | 4,900,000 debtors | changed |" in text
        return
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == query(db, "SELECT count(*) FROM reported_figures")[0][0] > 0
    settled = sorted((r["repetition"], r["source"], r["value_changed"]) for r in rows
                     if r["unit"] == "debtors" and r["group_id"] and r["first_source"] == "beacon")
    assert settled == [("0", "beacon", "false"), ("1", "harbour", "false"), ("2", "ledger", "true")]


def test_search_with_every_filter(built):
    db, _ = built
    hits = query(db, "SELECT title, source FROM articles WHERE is_relevant AND text ILIKE '%blacklist%'")
    assert hits
    out = ok(creditlens("search", "blacklist", "--db", db, "--limit", 50))
    assert "score" in out and sum(title[:20] in out for title, _ in hits) >= min(3, len(hits)), out
    title, source = hits[0]
    narrowed = ok(creditlens("search", "blacklist", "--db", db, "--source", source, "--language", "en",
                             "--since", "2000-01-01", "--until", "2100-01-01", "--limit", 1))
    assert len([line for line in narrowed.splitlines() if "http" in line]) == 1 and source in narrowed, narrowed
    themed = query(db, "SELECT theme, count(*) FROM themes GROUP BY ALL ORDER BY 2 DESC LIMIT 1")[0][0]
    assert "no matches" not in ok(creditlens("search", "credit", "--db", db, "--theme", themed))
    assert "no matches" in ok(creditlens("search", "blacklist", "--db", db, "--until", "1990-01-01"))


def test_sql_prints_a_table(built):
    db, _ = built
    out = ok(creditlens("sql", "SELECT source, count(*) AS n FROM articles GROUP BY ALL ORDER BY source",
                        "--db", db, "--format", "table"))
    rows = query(db, "SELECT source, count(*) FROM articles GROUP BY ALL ORDER BY source")
    assert re.search(r"source\s*┃\s*n", out), out
    for source, n in rows:
        assert re.search(rf"{source}\s*│\s*{n}\b", out), out


def test_report_writes_one_html_file_from_the_warehouse(built, tmp_path):
    db, _ = built
    out = tmp_path / "report.html"
    assert "wrote" in ok(creditlens("report", "--out", out, "--db", db))
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 8 and "No dated articles yet" not in page
    names = [name for (name,) in query(db, "SELECT name FROM sources")]
    assert any(name in page for name in names)
