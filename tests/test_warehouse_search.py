"""BM25 search over the small newsroom of test_warehouse_views: ranking, phrases,
filters, Chinese substrings and clear errors."""

from __future__ import annotations

from datetime import date

import pytest

from test_warehouse_views import build_warehouse
from warehouse.records import Article
from warehouse.search import SearchError, counts_over_time, index_is_current, refresh_index, search
from warehouse.store import Warehouse


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    """Shared by the tests of this module, which only read it."""
    wh = build_warehouse(tmp_path_factory.mktemp("warehouse") / "search.duckdb")
    refresh_index(wh.con)
    yield wh.con
    wh.close()


def ids(results):
    return [r["article_id"] for r in results]


def test_results_are_ranked_by_bm25_and_carry_a_snippet(con):
    results = search(con, "sesame credit scores")
    assert ids(results)[0] == "sesame"
    assert set(results[0]) == {"article_id", "score", "title", "source", "published_at", "url", "snippet", "matched"}
    assert "Sesame Credit" in results[0]["snippet"]
    assert results[0]["matched"] == ["Sesame", "Credit", "scores"]
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)


def test_stemming_finds_other_word_forms(con):
    assert "flight" in ids(search(con, "flights"))


def test_a_quoted_phrase_must_match_as_a_phrase(con):
    assert set(ids(search(con, "travel ban"))) >= {"rail1", "flight", "rail2", "undated"}
    phrase = ids(search(con, '"high-speed rail"'))
    assert sorted(phrase) == ["rail1", "rail1-copy"]
    assert search(con, '"rail high-speed"') == []


def test_filters_narrow_the_results(con):
    assert sorted(ids(search(con, "travel ban", source="beacon"))) == ["rail1", "rail2"]
    assert ids(search(con, "travel ban", since=date(2024, 3, 1))) == ["rail2"]
    assert sorted(ids(search(con, "travel ban", until=date(2024, 1, 31)))) == ["flight", "rail1", "rail1-copy"]
    assert ids(search(con, "privacy law", theme="PRIVACY_DATA_PROTECTION", language="en", limit=1)) == ["privacy"]
    assert ids(search(con, "privacy", theme="TRAVEL_BAN_TRAINS")) == []
    assert search(con, "travel ban", language="zh") == []


def test_chinese_is_matched_as_a_substring(con):
    assert ids(search(con, "失信被执行人")) == ["laolai"]


def test_the_index_is_rebuilt_only_when_articles_changed(tmp_path):
    wh = build_warehouse(tmp_path / "w.duckdb")
    assert not index_is_current(wh.con)
    refresh_index(wh.con)
    assert index_is_current(wh.con)
    assert search(wh.con, "zebra") == []
    wh.load_articles([Article(article_id="zebra", url="https://x.example/zebra", text="A zebra crossing ban.",
                              title="Zebra", is_relevant=True)])
    assert not index_is_current(wh.con)
    refresh_index(wh.con)
    assert ids(search(wh.con, "zebra")) == ["zebra"]
    wh.con.execute("UPDATE articles SET text = 'An okapi crossing ban.' WHERE article_id = 'zebra'")
    assert not index_is_current(wh.con)
    refresh_index(wh.con)
    assert ids(search(wh.con, "okapi")) == ["zebra"]
    wh.close()


def test_search_works_on_a_read_only_connection(tmp_path):
    wh = build_warehouse(tmp_path / "ro.duckdb")
    refresh_index(wh.con)
    wh.close()
    with Warehouse(tmp_path / "ro.duckdb", read_only=True) as ro:
        assert "sesame" in ids(search(ro.con, "sesame"))


def test_clear_errors(con, tmp_path):
    with pytest.raises(SearchError, match="empty search query"):
        search(con, '  "" ')
    with Warehouse(tmp_path / "empty.duckdb") as empty:
        with pytest.raises(SearchError, match="no search index yet"):
            search(empty.con, "ban")


def test_scores_are_the_extensions_own_bm25(con):
    ours = {r["article_id"]: r["score"] for r in search(con, "travel ban debtors", limit=50)}
    theirs = dict(con.execute(
        "SELECT article_id, round(fts_main_articles.match_bm25(article_id, 'travel ban debtors'), 4) AS s "
        "FROM articles WHERE s IS NOT NULL"
    ).fetchall())
    assert ours == theirs and len(ours) == 5


def test_a_phrase_of_stop_words_still_matches_as_a_phrase(con):
    assert ids(search(con, '"on the"')) == ["flight"]  # both words are stop words: no index term
    assert sorted(ids(search(con, '"the list works"'))) == ["rail1", "rail1-copy"]
    assert ids(search(con, '"may appeal"')) == ["rail1"]


def test_boolean_operators_and_exclusions(con):
    assert ids(search(con, "privacy -sesame")) == ["privacy"]
    assert ids(search(con, "privacy NOT sesame")) == ["privacy"]
    assert ids(search(con, "travel AND flights")) == ["flight"]
    assert sorted(ids(search(con, "sesame OR dumplings"))) == ["cooking", "sesame"]
    assert sorted(ids(search(con, "(flights OR spring) AND ban"))) == ["flight", "rail2"]
    assert sorted(ids(search(con, 'ban -"high-speed rail" -festival'))) == ["flight", "undated"]
    for bad in ("privacy AND", "NOT", "(privacy", "privacy )"):
        with pytest.raises(SearchError):
            search(con, bad)


def test_a_phrase_matches_stemmed_forms(con):
    assert sorted(ids(search(con, '"travel bans"'))) == ["flight", "rail1", "rail1-copy", "rail2", "undated"]
    assert ids(search(con, '"flight ban"')) == ["flight"]  # the title says "flight bans"
    assert search(con, '"ban travel"') == []


def test_snippets_name_the_words_that_matched(con):
    [hit] = search(con, '"flight ban"')
    assert hit["matched"] == ["ban", "flights"]
    assert hit["snippet"].startswith("…passengers on the dishonest debtor list")


def test_unknown_filter_values_list_the_known_ones(con):
    with pytest.raises(SearchError, match="unknown --theme 'TRAVEL_BANS'; known: COURT_DEBTOR_BLACKLIST, .*TRAVEL_BAN_TRAINS"):
        search(con, "ban", theme="TRAVEL_BANS")
    with pytest.raises(SearchError, match="unknown --source 'nope'; known: beacon, dongfang, harbour, ledger"):
        search(con, "ban", source="nope")
    with pytest.raises(SearchError, match="unknown --language 'fr'; known: en, zh"):
        search(con, "ban", language="fr")


def test_counts_over_time_with_the_share_of_all_articles(con):
    months, undated = counts_over_time(con, '"travel ban"', "month")
    assert [(m.isoformat(), n, total) for m, n, total, _ in months] == [
        ("2024-01-01", 3, 3), ("2024-02-01", 0, 1), ("2024-03-01", 1, 4)]
    assert months[2][3] == 0.25 and undated == 1
    weeks, _ = counts_over_time(con, "sesame", "week")
    assert [(w.isoformat(), n) for w, n, _, _ in weeks] == [("2024-02-05", 1)]
