"""The end-to-end promise: `creditlens demo` crawls, processes and models the bundled site,
every demo article lands with entities, themes and topics, and a re-run duplicates nothing."""

import csv
from datetime import date

import duckdb
import pytest

from creditlens.demosite import DemoSite, load_articles
from tests.cli_helpers import creditlens

pytestmark = pytest.mark.slow  # two full demos

TABLES = ["pages", "articles", "entities", "themes", "quotes", "figures", "article_topics", "entity_catalog"]
# What one row stands for in each table: a re-run that duplicated anything shows up as a repeated key.
KEYS = {
    "pages": "url", "articles": "article_id", "entities": "article_id, start_char, end_char, entity_id",
    "themes": "article_id, theme, taxonomy_version", "quotes": "article_id, start_char, quote",
    "figures": "article_id, start_char, value, unit", "article_topics": "model_id, article_id, topic_id",
    "entity_catalog": "entity_id",
}


def table_counts(con) -> dict[str, int]:
    """Rows per table; topic assignments of the current model only (every demo fits a new version)."""
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    counts["article_topics"] = con.execute(
        "SELECT count(*) FROM article_topics JOIN topic_models USING (model_id) WHERE is_current").fetchone()[0]
    return counts


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    db, out = folder / "demo.duckdb", folder / "out"
    first = creditlens("demo", "--db", db, "--out", out)
    assert first.returncode == 0, first.stdout + first.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        counts = table_counts(con)
    second = creditlens("demo", "--db", db, "--out", out)
    assert second.returncode == 0, second.stdout + second.stderr
    return db, out, first, counts


@pytest.fixture
def con(demo_runs):
    with duckdb.connect(str(demo_runs[0]), read_only=True) as connection:
        yield connection


def test_every_demo_article_is_stored_once_under_its_canonical_url(con):
    with DemoSite() as site:  # canonical URLs are on the outlets' public domains, whatever the port
        expected = {a.canonical_url for a in site.articles if not a.disallowed and a.kind == "article"}
    stored = [row[0] for row in con.execute("SELECT url FROM articles").fetchall()]
    assert expected - set(stored) == set()
    assert len(stored) == len(set(stored))


def test_rerun_duplicates_nothing(demo_runs, con):
    before = demo_runs[3]
    assert all(before[t] > 0 for t in TABLES), before
    assert table_counts(con) == before
    for table, key in KEYS.items():
        repeated = con.execute(f"SELECT {key}, count(*) FROM {table} GROUP BY ALL HAVING count(*) > 1 LIMIT 3").fetchall()
        assert not repeated, (table, repeated)
    # the second demo fitted a new topic model version and kept the first, with its assignments
    models = con.execute("SELECT model_id, is_current FROM topic_models ORDER BY fitted_at").fetchall()
    assert [current for _, current in models] == [False, True]
    per_model = dict(con.execute("SELECT model_id, count(*) FROM article_topics GROUP BY ALL").fetchall())
    assert per_model[models[0][0]] == before["article_topics"]


def test_robots_disallowed_page_was_never_fetched(con):
    assert con.execute("SELECT count(*) FROM pages WHERE url LIKE '%/private/%'").fetchone()[0] == 0


def test_relevant_articles_have_entities_themes_and_topics(con):
    missing = con.execute(
        "SELECT a.url FROM articles a WHERE a.is_relevant AND a.duplicate_of IS NULL AND ("
        " NOT EXISTS (SELECT 1 FROM entities e WHERE e.article_id = a.article_id) OR"
        " NOT EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = a.article_id))"
    ).fetchall()
    assert not missing, missing
    themed = con.execute(
        "SELECT count(DISTINCT article_id) * 1.0 / (SELECT count(*) FROM articles WHERE is_relevant) FROM themes"
    ).fetchone()[0]
    assert themed > 0.9


def test_off_topic_spam_paywall_and_listings_are_kept_out(con):
    off_topic = {a.title for a in load_articles() if not a.relevant and not a.disallowed and a.kind == "article"}
    stored = dict(con.execute("SELECT title, is_relevant FROM articles").fetchall())
    assert off_topic and off_topic <= set(stored), off_topic - set(stored)  # stored, and judged off topic
    assert not [title for title in off_topic if stored[title]]
    assert con.execute("SELECT count(*) FROM articles WHERE text LIKE '%免费在线观看%'").fetchone()[0] == 0
    kinds = dict(con.execute("SELECT page_kind, count(*) FROM pages WHERE html IS NOT NULL GROUP BY ALL").fetchall())
    assert kinds.get("listing", 0) >= 4 and kinds.get("paywall", 0) == 1


def test_syndicated_copy_points_at_the_original(con):
    articles = {a.slug: a for a in load_articles()}
    copy = next(a for a in articles.values() if a.syndicated_from)
    original = articles[copy.syndicated_from]
    rows = dict(con.execute("SELECT title, duplicate_of FROM articles").fetchall())
    original_id = con.execute("SELECT article_id FROM articles WHERE title = ?", [original.title]).fetchone()[0]
    assert rows[copy.title] == original_id and rows[original.title] is None


def test_chinese_and_gbk_articles_are_decoded(con):
    zh = dict(con.execute("SELECT title, text FROM articles WHERE language = 'zh'").fetchall())
    expected = [a for a in load_articles() if a.language == "zh"]
    assert len(zh) == len(expected)
    for article in expected:  # GBK, GB18030 (characters GBK lacks) and traditional characters as written
        assert article.paragraphs[0] in zh[article.title] and article.paragraphs[-1] in zh[article.title]
    assert "律师陈䶮说" in zh["花五千元“洗白”失信记录？警惕信用修复骗局"]


def test_chinese_articles_have_linked_persons_quotes_figures_themes_and_topics(con):
    with DemoSite() as site:
        chinese = {a.canonical_url for a in site.articles if a.language == "zh" and a.outlet in ("qiantang", "weigang")}
    assert len(chinese) >= 12
    counts = dict(con.execute(
        "SELECT 'persons', count(DISTINCT e.entity_id) FROM entities e JOIN articles a USING (article_id) "
        "WHERE a.language = 'zh' AND e.label = 'PERSON' AND e.entity_id IS NOT NULL UNION ALL "
        "SELECT 'organisations', count(DISTINCT e.entity_id) FROM entities e JOIN articles a USING (article_id) "
        "WHERE a.language = 'zh' AND e.label = 'ORG' AND e.entity_id IS NOT NULL UNION ALL "
        "SELECT 'quotes', count(*) FROM quotes q JOIN articles a USING (article_id) "
        "WHERE a.language = 'zh' AND coalesce(q.speaker, q.role, q.organisation) IS NOT NULL UNION ALL "
        "SELECT 'figures', count(*) FROM figures f JOIN articles a USING (article_id) WHERE a.language = 'zh' UNION ALL "
        "SELECT 'themed', count(DISTINCT t.article_id) FROM themes t JOIN articles a USING (article_id) WHERE a.language = 'zh'"
    ).fetchall())
    assert counts["persons"] >= 10 and counts["organisations"] >= 10 and counts["quotes"] >= 20, counts
    assert counts["figures"] >= 30 and counts["themed"] >= 12, counts
    untopical = con.execute(
        "SELECT url FROM articles a WHERE language = 'zh' AND is_relevant AND NOT EXISTS "
        "(SELECT 1 FROM article_topics t WHERE t.article_id = a.article_id)"
    ).fetchall()
    assert not untopical


def test_a_chinese_story_and_its_english_coverage_form_one_crosslingual_story(con):
    articles = {a.slug: a for a in load_articles()}
    with DemoSite() as site:
        urls = {a.slug: a.canonical_url for a in site.articles}
    stories = con.execute("SELECT url, story_id FROM crosslingual_stories").fetchall()
    story_of = dict(stories)
    for english, chinese in (("court-list-flight-ban-figures", "qiantang-shixin-jipiao-320wan-renci"),
                             ("dongfang-hangzhou-court-laolai", "weigang-hangzhou-zhixingju-yitian")):
        assert articles[english].language == "en" and articles[chinese].language == "zh"
        assert story_of[urls[english]] == story_of[urls[chinese]]
    assert len(set(story_of.values())) == 2  # no other story is linked across languages
    figures = con.execute(
        "SELECT shared_figures FROM crosslingual_stories WHERE url = ?", [urls["qiantang-shixin-jipiao-320wan-renci"]]
    ).fetchone()[0]
    assert {"3200000 times", "610000 times", "1140000 people"} <= set(figures)
    linked = con.execute("SELECT count(*) FROM stories WHERE crosslingual_story_id IS NOT NULL").fetchone()[0]
    assert linked == 4


def test_no_identity_number_survives(con):
    for table, column in (("articles", "text"), ("entities", "text"), ("quotes", "quote"), ("figures", "sentence")):
        assert con.execute(f"SELECT count(*) FROM {table} WHERE {column} LIKE '%130198197805234712%'").fetchone()[0] == 0


def test_demo_prints_a_summary_and_exports_topics(demo_runs, con):
    _, out, first, _ = demo_runs
    first_model = con.execute("SELECT model_id FROM topic_models ORDER BY fitted_at LIMIT 1").fetchone()[0]
    first_labels = [label for (label,) in con.execute("SELECT label FROM topics WHERE model_id = ?", [first_model]).fetchall()]
    top_entity = con.execute("SELECT c.name FROM entities e JOIN entity_catalog c USING (entity_id) "
                             "GROUP BY ALL ORDER BY count(*) DESC, c.name LIMIT 1").fetchone()[0]
    summary = " ".join(first.stdout.split())  # the tables wrap long cells
    assert "Top entities" in summary and top_entity in first.stdout
    for table in ("Chinese persons", "Chinese quotes", "Chinese themes", "Stories across languages"):
        assert table in summary
    assert "on topic by language: en" in summary and "zh " in summary
    assert all(label.split()[0] in summary for label in first_labels), (first_labels, summary)
    # the exports on disk are the second run's, of the current model
    model_id, k = con.execute("SELECT model_id, k FROM topic_models WHERE is_current").fetchone()
    labels = [label for (label,) in con.execute("SELECT label FROM current_topics ORDER BY topic_id").fetchall()]
    report = (out / "topics.md").read_text(encoding="utf-8")
    assert report.startswith("#") and model_id in report and all(label in report for label in labels), report[:1500]
    with open(out / "topics.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["model_id"], int(r["topic_id"]), r["label"]) for r in rows] == [(model_id, t, label) for t, label in enumerate(labels)]
    assert len(rows) == k and all(r["top_terms"] and r["representative"] for r in rows)


def test_demo_figures_quotes_and_names_come_out_whole(con):
    """The forms issue 15 found missing, as the demo articles carry them."""
    figures = con.execute("SELECT value, unit, subject, converted_from, start_char, article_id FROM figures").fetchall()
    by_value = {(value, unit): (subject, converted_from) for value, unit, subject, converted_from, _, _ in figures}
    assert by_value[(412_000, "people")][0] == "people who had repaid their debts"  # "412,000 of them"
    assert by_value[(2364, "platforms")][0].startswith("Chinese peer-to-peer lending platforms")
    assert (2000, "metres") in by_value and {(300, "points"), (900, "points")} <= set(by_value)
    starts = {(article, start): (value, unit) for value, unit, _, _, start, article in figures}
    conversions = [(starts[(article, converted_from)], (value, unit))
                   for value, unit, _, converted_from, _, article in figures if converted_from is not None]
    assert ((83e9, "CNY"), (11.8e9, "USD")) in conversions and ((46_500, "CNY"), (6600, "USD")) in conversions
    quotes = [q for (q,) in con.execute("SELECT quote FROM quotes WHERE kind = 'indirect'").fetchall()]
    assert any(q.startswith("8.57 million people were on the list") for q in quotes)
    assert not any(q.startswith(".") for q in quotes)
    names = {t for (t,) in con.execute("SELECT text FROM entities").fetchall()}
    assert {"Zhejiang University of Finance and Economics", "Hong Kong Baptist University"} <= names


def test_demo_shows_where_a_repeated_figure_came_from(con):
    """The demo's debtors figure: first in The Beacon Daily, repeated by the Harbour Morning Post
    three months later and rounded by Ledger Asia three months after that; the recovered sum
    repeated in dollars through the first article's own conversion."""
    settled = con.execute(
        "SELECT first_source, first_day, reports, outlets, changed_by, position, source, day, reported_value, "
        "value_changed FROM figure_provenance WHERE unit = 'debtors' AND first_value = 4870000 ORDER BY position"
    ).fetchall()
    assert [row[:5] for row in settled] == [("beacon", date(2025, 11, 4), 3, 3, ["ledger"])] * 3
    assert [row[5:] for row in settled] == [
        (0, "beacon", date(2025, 11, 4), 4_870_000, False),
        (1, "harbour", date(2026, 2, 9), 4_870_000, False),  # 07:30 in Hong Kong is the 9th in UTC
        (2, "ledger", date(2026, 5, 19), 4_900_000, True),
    ]
    recovered = con.execute("SELECT source, reported_value, reported_unit, compared_unit FROM figure_provenance "
                            "WHERE unit = 'CNY' AND first_value = 86.4e9 ORDER BY position").fetchall()
    assert recovered == [("beacon", 86.4e9, "CNY", "CNY"), ("harbour", 12.1e9, "USD", "USD")]
    # figures the demo's outlets repeated before: the travel-ban counts of March 2024
    planes = con.execute("SELECT list(source ORDER BY position) FROM figure_provenance "
                         "WHERE subject = 'people barred from buying plane tickets' AND first_value = 3200000").fetchone()
    assert planes == (["dongfang", "beacon", "harbour"],)
