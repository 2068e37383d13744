"""The analysts' views answer the standard questions correctly on a small warehouse
built here through the loading API (warehouse.store.Warehouse and records).

`build_warehouse` is also used by the other warehouse tests (search, exports,
docs, report): one small, hand-written newsroom whose every count is known.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from warehouse.records import Annotations, Article, Entity, Figure, Quote, ThemeHit
from warehouse.search import refresh_index
from warehouse.store import Warehouse
from warehouse.views import VIEWS


def at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T08:00:00").replace(tzinfo=timezone.utc)


# (id, source, day, title, text, is_relevant, duplicate_of, language)
ARTICLES = [
    ("rail1", "beacon", "2024-01-05", "Court travel ban keeps debtors off high-speed rail",
     "The Supreme People's Court said its travel ban kept 3.2 million debtors off high-speed rail trains. "
     "Judge Li Wei said the list works. Debtors may appeal.", True, None, "en"),
    ("rail1-copy", "harbour", "2024-01-06", "Court travel ban keeps debtors off high-speed rail",
     "The Supreme People's Court said its travel ban kept 3.2 million debtors off high-speed rail trains. "
     "Judge Li Wei said the list works.", True, "rail1", "en"),
    ("flight", "harbour", "2024-01-20", "Stranded at the gate: flight bans for debtors",
     "Airline passengers on the dishonest debtor list were refused boarding; the travel ban covers flights. "
     "Wang Fang of Peking University said the ban is harsh.", True, None, "en"),
    ("sesame", "ledger", "2024-02-10", "How Sesame Credit scores work",
     "Ant Group's Sesame Credit scores users from 350 to 950. Critics raise privacy worries about data sharing.",
     True, None, "en"),
    ("privacy", "ledger", "2024-03-02", "Privacy law limits credit data",
     "The new privacy law limits how credit data is shared. Wang Fang said consent matters. "
     "Call 13812345678 or ID 110101199003074578 were redacted upstream.", True, None, "en"),
    ("rail2", "beacon", "2024-03-15", "Spring festival rail ban figures",
     "During the spring festival the travel ban stopped 1.1 million ticket purchases, the Supreme People's Court said.",
     True, None, "en"),
    ("cooking", "beacon", "2024-03-16", "Ten dumpling recipes",
     "Fold the dumplings carefully and steam them for ten minutes.", False, None, "en"),
    ("laolai", "dongfang", "2024-03-20", "法院公布失信被执行人名单",
     "最高人民法院公布失信被执行人名单，限制高消费和乘坐高铁。", True, None, "zh"),
    ("undated", "harbour", None, "Undated explainer on blacklists",
     "An explainer on court blacklists and the travel ban without a date.", True, None, "en"),
]

ENTITY_CATALOG = [
    {"entity_id": "court.supreme_peoples_court", "name": "Supreme People's Court", "type": "court", "label": "ORG"},
    {"entity_id": "person.li_wei", "name": "Li Wei", "type": "person", "label": "PERSON"},
    {"entity_id": "person.wang_fang", "name": "Wang Fang", "type": "person", "label": "PERSON"},
    {"entity_id": "company.ant_group", "name": "Ant Group", "type": "company", "label": "ORG"},
    {"entity_id": "org.peking_university", "name": "Peking University", "type": "university", "label": "ORG"},
]

# article -> (entity_id, text, label) mentions
MENTIONS = {
    "rail1": [("court.supreme_peoples_court", "Supreme People's Court", "ORG"), ("person.li_wei", "Li Wei", "PERSON")],
    "rail1-copy": [("court.supreme_peoples_court", "Supreme People's Court", "ORG"), ("person.li_wei", "Li Wei", "PERSON")],
    "flight": [("person.wang_fang", "Wang Fang", "PERSON"), ("org.peking_university", "Peking University", "ORG")],
    "sesame": [("company.ant_group", "Ant Group", "ORG")],
    "privacy": [("person.wang_fang", "Wang Fang", "PERSON")],
    "rail2": [("court.supreme_peoples_court", "Supreme People's Court", "ORG")],
    "laolai": [("court.supreme_peoples_court", "最高人民法院", "ORG")],
    "cooking": [("person.li_wei", "Li Wei", "PERSON")],
}

THEMES = {
    "rail1": ["TRAVEL_BAN_TRAINS", "COURT_DEBTOR_BLACKLIST"], "rail1-copy": ["TRAVEL_BAN_TRAINS", "COURT_DEBTOR_BLACKLIST"],
    "flight": ["TRAVEL_BAN_FLIGHTS"], "sesame": ["FINANCIAL_CREDIT_SCORING", "PRIVACY_DATA_PROTECTION"],
    "privacy": ["PRIVACY_DATA_PROTECTION"], "rail2": ["TRAVEL_BAN_TRAINS"], "laolai": ["COURT_DEBTOR_BLACKLIST"],
    "undated": ["COURT_DEBTOR_BLACKLIST", "TRAVEL_BAN_TRAINS"],
}

QUOTES = [
    ("rail1", "Li Wei", "person.li_wei", "the list works", "Supreme People's Court", "court.supreme_peoples_court"),
    ("rail1-copy", "Li Wei", "person.li_wei", "the list works", "Supreme People's Court", "court.supreme_peoples_court"),
    ("flight", "Wang Fang", "person.wang_fang", "the ban is harsh", "Peking University", "org.peking_university"),
    ("privacy", "Wang Fang", "person.wang_fang", "consent matters", "Peking University", "org.peking_university"),
    ("cooking", "A chef", None, "steam them", None, None),
]

FIGURES = [
    ("rail1", 3_200_000, "people", "debtors barred from high-speed rail"),
    ("rail1-copy", 3_200_000, "people", "debtors barred from high-speed rail"),  # harbour repeats beacon's figure
    ("rail2", 1_100_000, "tickets", "ticket purchases stopped"),
    ("sesame", 950, "points", "maximum Sesame Credit score"),
    ("laolai", 1_100_000, "tickets", "火车票购买被限制"),  # rail2's figure, five days later, in Chinese
]

TOPICS = [  # topic_id, label, terms, weights, size, share
    (0, "rail travel bans", ["rail", "ban", "travel", "debtor"], [0.9, 0.8, 0.7, 0.5], 4, 0.5),
    (1, "credit scores and privacy", ["privacy", "credit", "score", "data"], [0.9, 0.7, 0.6, 0.4], 3, 0.375),
    (2, "court lists", ["court", "list", "名单"], [0.8, 0.6, 0.5], 1, 0.125),
]

# article -> [(topic_id, weight)] in the current model
ARTICLE_TOPICS = {
    "rail1": [(0, 0.8), (2, 0.2)], "rail1-copy": [(0, 0.8), (2, 0.2)], "flight": [(0, 0.7), (1, 0.3)],
    "rail2": [(0, 0.9), (2, 0.1)], "sesame": [(1, 1.0)], "privacy": [(1, 0.9), (0, 0.1)],
    "laolai": [(2, 1.0)], "undated": [(2, 0.6), (0, 0.4)],
}


def build_warehouse(path: Path) -> Warehouse:
    """A read-write Warehouse holding the newsroom above (caller closes it)."""
    wh = Warehouse(path)
    wh.upsert_rows("sources", [
        {"source_id": "beacon", "name": "The Beacon"}, {"source_id": "harbour", "name": "Harbour Post"},
        {"source_id": "ledger", "name": "The Ledger"}, {"source_id": "dongfang", "name": "Dongfang Daily"},
    ], key="source_id")
    wh.upsert_rows("entity_catalog", ENTITY_CATALOG, key="entity_id")
    wh.upsert_rows("theme_catalog", [
        {"theme": "TRAVEL_BAN_TRAINS", "taxonomy_version": "1", "name": "Travel bans: trains"},
        {"theme": "TRAVEL_BAN_FLIGHTS", "taxonomy_version": "1", "name": "Travel bans: flights"},
        {"theme": "COURT_DEBTOR_BLACKLIST", "taxonomy_version": "1", "name": "Court debtor blacklist"},
        {"theme": "FINANCIAL_CREDIT_SCORING", "taxonomy_version": "1", "name": "Financial credit scoring"},
        {"theme": "PRIVACY_DATA_PROTECTION", "taxonomy_version": "1", "name": "Privacy and data protection"},
    ], key="theme")
    wh.load_articles([
        Article(
            article_id=aid, url=f"https://{src}.example/{aid}", text=text, title=title, source=src,
            published_at=at(day) if day else None, language=lang, word_count=len(text.split()),
            is_relevant=relevant, relevance=0.9 if relevant else 0.1, duplicate_of=dup,
        )
        for aid, src, day, title, text, relevant, dup, lang in ARTICLES
    ])
    texts = {a[0]: a[4] for a in ARTICLES}
    batch = []
    for aid, text in texts.items():
        entities = []
        for entity_id, mention, label in MENTIONS.get(aid, []):
            start = max(text.find(mention), 0)
            entities.append(Entity(aid, start, start + len(mention), mention, label, entity_id))
        batch.append(Annotations(
            article_id=aid, text=text, entities=entities,
            themes=[ThemeHit(aid, theme, 0.9 - 0.1 * i, "1") for i, theme in enumerate(THEMES.get(aid, []))],
            quotes=[Quote(q[0], q[1], q[3], entity_id=q[2], organisation=q[4], organisation_id=q[5])
                    for q in QUOTES if q[0] == aid],
            figures=[Figure(f[0], float(f[1]), f[2], f[3], f"sentence about {f[3]}") for f in FIGURES if f[0] == aid],
        ))
    wh.load_annotations(batch, annotated_at=at("2024-04-01"))
    wh.refresh_entity_pairs()  # as `creditlens process` does after annotating
    wh.refresh_crosslingual_stories()
    wh.refresh_figure_groups()
    wh.upsert_rows("topic_models", [
        {"model_id": "old", "method": "nmf", "k": 2, "n_docs": 5, "is_current": False},
        {"model_id": "m1", "method": "nmf", "k": 3, "n_docs": 8, "npmi": 0.12, "is_current": True},
    ], key="model_id")
    wh.upsert_rows("topics", [
        {"model_id": "m1", "topic_id": t, "label": label, "terms": terms, "weights": weights, "size": size,
         "share": share, "npmi": 0.1}
        for t, label, terms, weights, size, share in TOPICS
    ] + [{"model_id": "old", "topic_id": 0, "label": "stale topic", "terms": ["old"], "weights": [1.0]}],
        key="model_id")
    wh.upsert_rows("article_topics", [
        {"model_id": "m1", "article_id": aid, "topic_id": topic, "weight": weight}
        for aid, pairs in ARTICLE_TOPICS.items() for topic, weight in pairs
    ] + [{"model_id": "old", "article_id": "rail1", "topic_id": 0, "weight": 1.0}])
    return wh


def build_indexed_warehouse_file(path: Path) -> Path:
    """The newsroom above in a closed database file with its search index, for `creditlens` subprocesses."""
    with build_warehouse(path) as wh:
        refresh_index(wh.con)
    return path


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    """Shared by the tests of this module, which only read it."""
    wh = build_warehouse(tmp_path_factory.mktemp("warehouse") / "test.duckdb")
    yield wh.con
    wh.close()


def rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


# The columns analysts' queries (and docs/schema.md) rely on; a view may add more.
VIEW_COLUMNS = {
    "relevant_articles": ["article_id", "url", "source", "title", "author", "published_at", "day", "week", "month",
                          "language", "word_count", "relevance", "duplicate_of", "is_original", "text"],
    "attention_daily": ["day", "articles", "stories", "all_articles", "share_of_all"],
    "attention_weekly": ["week", "articles", "stories", "all_articles", "share_of_all"],
    "attention_monthly": ["month", "articles", "stories", "all_articles", "share_of_all"],
    "top_sources": ["source", "name", "articles", "stories", "all_articles", "share_of_coverage", "first_published",
                    "last_published"],
    "top_entities": ["entity_id", "name", "type", "label", "articles", "mentions", "sources"],
    "entity_cooccurrence": ["entity_a", "name_a", "entity_b", "name_b", "articles"],
    "theme_trends": ["month", "theme", "name", "articles", "share_of_month"],
    "theme_sources": ["month", "theme", "source", "articles"],
    "current_topics": ["topic_id", "label", "terms", "weights", "size", "share", "npmi", "model_id", "method",
                       "fitted_at"],
    "article_main_topic": ["article_id", "topic_id", "weight"],
    "topic_trends": ["month", "topic_id", "label", "articles", "weight", "share_of_month"],
    "top_words": ["word", "articles", "occurrences", "share_of_articles"],
    "story_samples": ["article_id", "published_at", "day", "month", "source", "language", "title", "url", "themes",
                      "topic_id", "topic", "snippet"],
    "stories": ["story_id", "published_at", "day", "month", "source", "title", "url", "articles", "outlets", "language",
                "crosslingual_story_id"],
    "crosslingual_stories": ["story_id", "language", "source", "published_at", "title", "url", "article_id",
                             "linked_articles", "days_apart", "shared_entities", "shared_figures", "themes", "speakers",
                             "quotes", "figures"],
    "language_monthly": ["month", "language", "articles", "stories", "sources"],
    "quotes_detail": ["published_at", "day", "month", "source", "title", "url", "article_id", "speaker", "speaker_id",
                      "organisation", "organisation_id", "role", "kind", "quote"],
    "quotes_by_speaker": ["speaker", "speaker_id", "organisation", "quotes", "articles", "sources", "first_quoted",
                          "last_quoted", "latest_quote"],
    "quotes_by_organisation": ["organisation", "organisation_id", "quotes", "speakers", "articles", "sources"],
    "reported_figures": ["published_at", "day", "month", "source", "title", "url", "article_id", "subject", "value",
                         "unit", "sentence"],
    "figures_over_time": ["month", "subject", "unit", "reports", "articles", "min_value", "median_value", "max_value",
                          "latest_value"],
    "figure_provenance": ["group_id", "subject", "unit", "first_value", "first_source", "first_day",
                          "first_published_at", "first_title", "first_url", "first_article_id", "reports", "outlets",
                          "changed_by", "position", "is_first", "article_id", "start_char", "source", "published_at",
                          "day", "title", "url", "is_copy", "reported_value", "reported_unit", "reported_subject",
                          "compared_unit", "compared_value", "first_compared_value", "value_changed", "sentence"],
}


def test_every_view_is_described_and_runs(con):
    assert set(VIEWS) == set(VIEW_COLUMNS)
    for name, description in VIEWS.items():
        assert description and "\n" not in description


@pytest.mark.parametrize("view", sorted(VIEW_COLUMNS))
def test_every_view_answers_with_its_columns(con, view):
    result = con.execute(f"SELECT * FROM {view}")
    columns = [c[0] for c in result.description]
    rows = result.fetchall()
    assert set(VIEW_COLUMNS[view]) <= set(columns), sorted(set(VIEW_COLUMNS[view]) - set(columns))
    assert rows, f"{view} is empty on the test warehouse"
    first = dict(zip(columns, rows[0]))
    assert first[VIEW_COLUMNS[view][0]] is not None, first  # the column a row is about


def test_views_survive_reopening_read_only(tmp_path):
    build_warehouse(tmp_path / "w.duckdb").close()
    with Warehouse(tmp_path / "w.duckdb", read_only=True) as wh:
        assert rows(wh.con, "SELECT articles FROM attention_monthly WHERE month = DATE '2024-01-01'") == [(3,)]


def test_attention_monthly_counts_relevant_articles_stories_and_share(con):
    got = rows(con, "SELECT month, articles, stories, all_articles, share_of_all FROM attention_monthly")
    assert got == [
        (date(2024, 1, 1), 3, 2, 3, 1.0),
        (date(2024, 2, 1), 1, 1, 1, 1.0),
        (date(2024, 3, 1), 3, 3, 4, 0.75),  # the dumpling recipes are crawled but not relevant
    ]


def test_attention_daily_fills_days_without_articles_with_zero(con):
    got = dict(rows(con, "SELECT day, articles FROM attention_daily"))
    assert got[date(2024, 1, 5)] == 1 and got[date(2024, 1, 7)] == 0
    assert len(got) == (date(2024, 3, 20) - date(2024, 1, 5)).days + 1


def test_attention_weekly_starts_on_monday(con):
    weeks = [w for (w,) in rows(con, "SELECT week FROM attention_weekly")]
    assert all(w.weekday() == 0 for w in weeks)
    assert rows(con, "SELECT sum(articles) FROM attention_weekly") == [(7,)]  # the undated one has no week


def test_top_sources_ranks_outlets_by_relevant_articles(con):
    got = rows(con, "SELECT source, name, articles, stories, all_articles FROM top_sources")
    assert got[0] == ("harbour", "Harbour Post", 3, 2, 3)
    assert ("beacon", "The Beacon", 2, 2, 3) in got


def test_top_entities_counts_relevant_articles_and_uses_catalog_names(con):
    got = rows(con, "SELECT entity_id, name, articles, mentions, sources FROM top_entities")
    assert got[0] == ("court.supreme_peoples_court", "Supreme People's Court", 4, 4, 3)
    assert ("person.li_wei", "Li Wei", 2, 2, 2) in got  # the off-topic mention is not counted


def test_entity_cooccurrence_lists_each_pair_once(con):
    got = rows(con, "SELECT entity_a, entity_b, articles FROM entity_cooccurrence")
    assert ("court.supreme_peoples_court", "person.li_wei", 2) in got
    assert ("org.peking_university", "person.wang_fang", 1) in got
    assert all(a < b for a, b, _ in got)


def test_theme_trends_has_every_month_for_every_theme(con):
    got = {(m, t): (n, s) for m, t, n, s in rows(con, "SELECT month, theme, articles, share_of_month FROM theme_trends")}
    assert got[(date(2024, 1, 1), "TRAVEL_BAN_TRAINS")] == (2, round(2 / 3, 4))
    assert got[(date(2024, 1, 1), "TRAVEL_BAN_FLIGHTS")] == (1, round(1 / 3, 4))
    assert got[(date(2024, 2, 1), "TRAVEL_BAN_TRAINS")] == (0, 0)
    assert got[(date(2024, 3, 1), "TRAVEL_BAN_TRAINS")] == (1, round(1 / 3, 4))
    names = rows(con, "SELECT DISTINCT name FROM theme_trends WHERE theme = 'TRAVEL_BAN_TRAINS'")
    assert names == [("Travel bans: trains",)]


def test_theme_sources_shows_which_outlets_drove_a_theme(con):
    got = rows(con, "SELECT source, sum(articles) FROM theme_sources WHERE theme LIKE 'TRAVEL_BAN%' "
                    "GROUP BY source ORDER BY 2 DESC, 1")
    assert got == [("beacon", 2), ("harbour", 2)]  # harbour's undated explainer has no month


def test_topic_views_use_only_the_current_model(con):
    assert rows(con, "SELECT topic_id, label FROM current_topics") == [(t[0], t[1]) for t in TOPICS]
    jan = rows(con, "SELECT topic_id, articles, weight FROM topic_trends WHERE month = DATE '2024-01-01' ORDER BY topic_id")
    assert jan == [(0, 3, 2.3), (1, 0, 0.3), (2, 0, 0.4)]
    assert rows(con, "SELECT sum(share_of_month) FROM topic_trends WHERE month = DATE '2024-01-01'") == [(1.0,)]


def test_top_words_leaves_out_stop_words(con):
    words = dict(rows(con, "SELECT word, articles FROM top_words"))
    assert words["travel"] == 4 and words["ban"] == 4  # rail1, flight, rail2, undated; the copy is not a story
    assert "the" not in words and "said" not in words
    assert "dumplings" not in words


def test_stories_count_a_syndicated_story_once_with_its_outlets(con):
    got = rows(con, "SELECT story_id, articles, outlets FROM stories WHERE story_id = 'rail1'")
    assert got == [("rail1", 2, ["beacon", "harbour"])]
    assert rows(con, "SELECT count(*) FROM stories") == [(7,)]
    assert rows(con, "SELECT count(*) FROM story_samples WHERE list_contains(themes, 'TRAVEL_BAN_TRAINS')") == [(3,)]


def test_quotes_by_speaker_and_organisation(con):
    speakers = rows(con, "SELECT speaker, speaker_id, organisation, quotes, articles, sources FROM quotes_by_speaker")
    assert ("Wang Fang", "person.wang_fang", "Peking University", 2, 2, 2) in speakers
    assert ("Li Wei", "person.li_wei", "Supreme People's Court", 2, 2, 2) in speakers
    assert all(s[0] != "A chef" for s in speakers)  # quoted only off topic
    orgs = rows(con, "SELECT organisation, quotes, speakers FROM quotes_by_organisation")
    assert ("Peking University", 2, 1) in orgs


def test_figures_over_time(con):
    got = rows(con, "SELECT month, subject, unit, reports, max_value FROM figures_over_time")
    assert (date(2024, 1, 1), "debtors barred from high-speed rail", "people", 2, 3_200_000.0) in got
    assert rows(con, "SELECT count(*) FROM reported_figures") == [(5,)]


def test_an_english_and_a_chinese_article_on_the_same_event_form_one_crosslingual_story(con):
    got = rows(con, "SELECT story_id, language, article_id, linked_articles, shared_entities, shared_figures "
                    "FROM crosslingual_stories")
    assert got == [
        ("rail2", "en", "rail2", ["laolai"], ["Supreme People's Court"], ["1100000 tickets"]),
        ("rail2", "zh", "laolai", ["rail2"], ["Supreme People's Court"], ["1100000 tickets"]),
    ]
    assert rows(con, "SELECT story_id, crosslingual_story_id FROM stories WHERE crosslingual_story_id IS NOT NULL "
                     "ORDER BY story_id") == [("laolai", "rail2"), ("rail2", "rail2")]
    # rail1 shares the court with laolai but no figure, and is two months apart: not one story
    assert rows(con, "SELECT count(*) FROM crosslingual_links WHERE 'rail1' IN (article_a, article_b)") == [(0,)]


def test_crosslingual_stories_need_a_shared_figure_a_shared_entity_and_a_few_days(tmp_path):
    wh = build_warehouse(tmp_path / "w.duckdb")
    try:
        assert wh.refresh_crosslingual_stories() == 1
        wh.con.execute("UPDATE articles SET published_at = published_at + INTERVAL 30 DAY WHERE article_id = 'laolai'")
        assert wh.refresh_crosslingual_stories() == 0  # a month later it is another story
        wh.con.execute("UPDATE articles SET published_at = published_at - INTERVAL 30 DAY WHERE article_id = 'laolai'")
        wh.con.execute("DELETE FROM article_entities WHERE article_id = 'laolai'")
        assert wh.refresh_crosslingual_stories() == 0  # the same number about something else
        assert rows(wh.con, "SELECT count(*) FROM crosslingual_stories") == [(0,)]
        wh.con.execute("INSERT INTO article_entities SELECT * FROM article_entities WHERE article_id = 'rail2'")
        wh.con.execute("UPDATE article_entities SET article_id = 'laolai' WHERE rowid = (SELECT max(rowid) FROM article_entities)")
        assert wh.refresh_crosslingual_stories() == 1
        wh.con.execute("UPDATE figures SET value = 10, unit = 'percent' WHERE article_id IN ('rail2', 'laolai')")
        assert wh.refresh_crosslingual_stories() == 0  # "10 percent" is in too many stories to link two
    finally:
        wh.close()


def test_figure_provenance_names_the_first_report_and_its_repetitions(con):
    got = rows(con, "SELECT first_source, first_day, reports, outlets, changed_by, position, source, day, is_copy, "
                    "value_changed FROM figure_provenance")
    assert got == [
        ("beacon", date(2024, 1, 5), 2, 2, [], 0, "beacon", date(2024, 1, 5), False, False),
        ("beacon", date(2024, 1, 5), 2, 2, [], 1, "harbour", date(2024, 1, 6), True, False),
    ]


def test_a_bracketed_conversion_is_stored_linked_and_not_reported_twice(tmp_path):
    wh = build_warehouse(tmp_path / "conversion.duckdb")
    fine = Figure("rail1", 1850.0, "CNY", "fine for unpaid rent", "fined 1,850 yuan (about $260)", 6)
    dollars = Figure("rail1", 260.0, "USD", "fine for unpaid rent", "fined 1,850 yuan (about $260)", 25, converted_from=6)
    wh.load_annotations([Annotations("rail1", "text", figures=[fine, dollars])], annotated_at=at("2024-04-02"))
    assert rows(wh.con, "SELECT unit, converted_from FROM reported_figures WHERE subject = 'fine for unpaid rent' "
                        "ORDER BY start_char") == [("CNY", None), ("USD", 6)]
    assert rows(wh.con, "SELECT unit, reports FROM figures_over_time WHERE subject = 'fine for unpaid rent'") == [
        ("CNY", 1)]
    wh.close()
