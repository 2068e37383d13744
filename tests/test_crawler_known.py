"""The incremental store: what a re-run skips, and what survives a killed crawl."""

from crawler.known import KnownUrls


def test_a_stored_page_is_current_until_a_feed_gives_a_newer_date(tmp_path):
    known = KnownUrls(tmp_path)
    known.remember_page(["https://e.com/a", "https://e.com/a?amp=1"], '"x"', None, "2026-01-02T00:00:00Z")
    assert known.is_current("https://e.com/a", None)
    assert known.is_current("https://e.com/a?amp=1", "2026-01-01")
    assert not known.is_current("https://e.com/a", "Sat, 03 Jan 2026 10:00:00 GMT")
    assert not known.is_current("https://e.com/b", None)


def test_store_survives_a_cut_off_line_and_keeps_validators_of_a_304(tmp_path):
    known = KnownUrls(tmp_path)
    known.remember_page(["https://e.com/a"], '"etag-1"', "Mon, 05 Jan 2026 08:00:00 GMT", None)
    known.remember_page(["https://e.com/a"], None, None, "2026-02-01")  # a 304 names no validators
    known.close()
    with open(tmp_path / "known.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"url": "https://e.com/cut", "et')  # what kill -9 leaves behind
    again = KnownUrls(tmp_path)
    assert set(again.pages) == {"https://e.com/a"}
    assert again.validators_for("https://e.com/a", "article")["etag"] == '"etag-1"'
    assert again.pages["https://e.com/a"]["lastmod"] == "2026-02-01"


def test_validators_of_link_bearing_documents_count_only_after_a_finished_crawl(tmp_path):
    known = KnownUrls(tmp_path)
    known.stage_validators("https://e.com/feed", '"f1"', None)
    known.close()  # killed or cut short: never committed
    assert KnownUrls(tmp_path).validators_for("https://e.com/feed", "discovery") == {}
    finished = KnownUrls(tmp_path)
    finished.stage_validators("https://e.com/feed", '"f1"', None)
    finished.commit_validators()
    assert KnownUrls(tmp_path).validators_for("https://e.com/feed", "discovery")["etag"] == '"f1"'


def test_a_304_finds_the_canonical_url_its_page_was_stored_under(tmp_path):
    known = KnownUrls(tmp_path)
    known.remember_page(["https://news.example/story", "http://127.0.0.1:8000/story"], '"a"', None, None)
    known.stage_validators("http://127.0.0.1:8000/", '"home"', None, canonical="https://news.example/")
    known.commit_validators()
    known.close()
    again = KnownUrls(tmp_path)
    assert again.canonical_for("http://127.0.0.1:8000/story") == "https://news.example/story"
    assert again.canonical_for("http://127.0.0.1:8000/") == "https://news.example/"
    assert again.canonical_for("https://news.example/story") is None  # already canonical
    assert again.canonical_for("https://elsewhere.example/") is None
