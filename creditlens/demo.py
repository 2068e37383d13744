"""`creditlens demo`: the whole pipeline on the bundled offline news site.

Serves the four demo outlets on 127.0.0.1, writes their registry as a config file
(so the demo goes through exactly the path a user's `--config` takes), crawls,
processes, fits topics, exports the topic summary and prints what landed.  The
demo pages declare canonical URLs on their outlets' public domains, so re-running
the demo against the same database (on new ephemeral ports) updates rows instead
of adding them.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from creditlens import jobs
from creditlens.config import load_settings
from creditlens.demosite import DemoSite
from warehouse.escaping import for_terminal
from warehouse.exports import export

DEMO_CRAWL = """include_bundled_sources = false

[crawl]
max_pages = 1000
depth_limit = 3
download_delay = 0.0
autothrottle = false
contact = "demo@creditlens.invalid"
allow_private_networks = true    # the demo site is served on 127.0.0.1
"""


def run_demo(db: Path | None, out: Path, console: Console) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with DemoSite() as site:
        config = out / "demo-sources.toml"
        config.write_text(DEMO_CRAWL + "\n" + site.sources_toml(), encoding="utf-8")
        settings = load_settings(db, config)
        console.print(f"demo site: {len(site.outlets)} outlets on 127.0.0.1; database {settings.db}")
        with jobs.run_lock(settings):
            crawled = jobs.crawl(settings, [], None, console, command="demo")
    console.print(
        f"crawled {crawled.run.pages_fetched} pages ({crawled.run.pages_stored} stored, {crawled.run.errors} errors)"
    )
    processed = jobs.process(settings, console)
    console.print(
        f"extracted {processed.pages_extracted} pages: {processed.articles_stored} articles, "
        f"{sum(processed.non_articles.values())} non-articles; annotated {processed.articles_annotated}"
    )
    topics = jobs.fit_topics(settings, console, auto=True, k_range=range(4, 8))
    console.print(f"topic model {topics.model_id}: k={topics.k} chosen by stability, NPMI {topics.npmi:.3f}")
    with jobs.open_warehouse(settings, console) as warehouse:
        for fmt, name in (("md", "topics.md"), ("csv", "topics.csv")):
            export(warehouse.con, "topics", fmt, out / name)
        print_summary(warehouse.con, console)
    console.print(f"topic summary: {out / 'topics.md'}")


def print_summary(con, console: Console) -> None:
    (articles, relevant, stories, sources) = con.execute(
        "SELECT count(*), count(*) FILTER (is_relevant), count(*) FILTER (is_relevant AND duplicate_of IS NULL), "
        "count(DISTINCT source) FROM articles"
    ).fetchone()
    console.print(f"\n[bold]{articles}[/] articles ({relevant} on topic, {stories} distinct stories) from {sources} sources")
    by_language = con.execute(
        "SELECT coalesce(language, 'unknown'), count(*) FROM articles WHERE is_relevant GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall()
    console.print("on topic by language: " + ", ".join(f"{language} {n}" for language, n in by_language))
    for title, sql in (
        ("Top entities", "SELECT c.name, c.type, count(*) AS mentions FROM entities e JOIN entity_catalog c USING (entity_id) "
                         "GROUP BY ALL ORDER BY mentions DESC, c.name LIMIT 10"),
        ("Topics", "SELECT t.topic_id, t.label, t.size FROM topics t JOIN topic_models m USING (model_id) "
                   "WHERE m.is_current ORDER BY t.size DESC, t.topic_id"),
        ("Themes", "SELECT theme, count(*) AS articles FROM themes GROUP BY theme ORDER BY articles DESC, theme LIMIT 10"),
    ) + CHINESE_SUMMARY:
        result = con.execute(sql)
        table = Table(title=title, title_justify="left")
        for column in result.description:
            table.add_column(column[0])
        for row in result.fetchall():
            table.add_row(*(for_terminal(v) for v in row))
        console.print(table)


# What the Chinese pipeline found, and the stories both languages told
CHINESE_SUMMARY = (
    ("Chinese persons", "SELECT coalesce(c.name, e.text) AS person, e.entity_id, count(*) AS mentions, "
                        "count(DISTINCT e.article_id) AS articles FROM entities e JOIN articles a USING (article_id) "
                        "LEFT JOIN entity_catalog c USING (entity_id) WHERE a.language = 'zh' AND e.label = 'PERSON' "
                        "GROUP BY ALL ORDER BY mentions DESC, person LIMIT 10"),
    ("Chinese quotes", "SELECT coalesce(q.speaker, '(' || q.role || ')', q.organisation) AS speaker, coalesce(q.organisation, '') AS organisation, "
                       "CASE WHEN length(q.quote) > 40 THEN left(q.quote, 39) || '…' ELSE q.quote END AS quote "
                       "FROM quotes q JOIN articles a USING (article_id) WHERE a.language = 'zh' "
                       "ORDER BY a.published_at, q.start_char LIMIT 12"),
    ("Chinese themes", "SELECT t.theme, count(*) AS articles FROM themes t JOIN articles a USING (article_id) "
                       "WHERE a.language = 'zh' GROUP BY ALL ORDER BY articles DESC, t.theme LIMIT 10"),
    ("Stories across languages", "SELECT left(story_id, 8) AS story, language, source, CAST(published_at AS DATE) AS day, "
                                 "CASE WHEN length(title) > 32 THEN left(title, 31) || '…' ELSE title END AS title, "
                                 "len(shared_entities) AS shared_entities, len(shared_figures) AS shared_figures "
                                 "FROM crosslingual_stories ORDER BY story_id, published_at"),
)
