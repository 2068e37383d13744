"""Size caps on untrusted corpora (issue 12, finding 6 and the low findings on
oversized input): one huge or malformed row is skipped or cut, counted and reported,
and every other row is kept; the search index is never left half-built."""

from __future__ import annotations

import csv
import re
import json
import threading
import tracemalloc
from io import BytesIO

import duckdb
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cli_helpers import creditlens
from crawler.warc import read_warc
from warehouse.records import Article
from warehouse.search import index_is_current, refresh_index, search
from warehouse.store import Warehouse

DEEP_JSON = "[" * 100_000 + "]" * 100_000
GOOD = [
    {"id": "good1", "title": "Court blacklist", "text": "The court put debtors on the social credit blacklist."},
    {"id": "good2", "title": "Travel ban", "text": "Debtors on the blacklist may not buy train tickets."},
]


@pytest.fixture
def caps(tmp_path):
    config = tmp_path / "caps.toml"
    config.write_text("[process]\nmax_text_chars = 20000\nmax_record_bytes = 200000\nmax_annotate_chars = 3000\n")
    return config


def stored(db) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("SELECT article_id, length(text) FROM articles").fetchall())


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_a_deeply_nested_json_line_is_skipped_and_the_rest_kept(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps(GOOD[0]) + "\n" + DEEP_JSON + "\n" + json.dumps(GOOD[1]) + "\n")
    db = tmp_path / "c.duckdb"
    result = creditlens("ingest", "jsonl", corpus, "--db", db, "--all-relevant")
    assert result.returncode == 0, result.stderr
    assert "c.jsonl:2: invalid JSON (nested too deeply)" in result.stderr
    assert "ingested 2 articles" in result.stdout and re.search(r"skipped +1 ", result.stdout)
    assert set(stored(db)) == {"good1", "good2"}


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_a_huge_text_is_cut_to_the_default_cap(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "huge", "text": "debtor blacklist " * 200_000}) + "\n" + json.dumps(GOOD[0]) + "\n")
    db = tmp_path / "c.duckdb"
    result = creditlens("ingest", "jsonl", corpus, "--db", db, "--all-relevant")
    assert result.returncode == 0, result.stderr
    assert "cut huge: text cut from 3,400,000 to 2,000,000 characters ([process] max_text_chars)" in result.stderr
    assert stored(db) == {"huge": 2_000_000, "good1": len(GOOD[0]["text"])}


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_annotate_skips_a_deeply_nested_line_and_reports_a_cut_text(tmp_path, caps):
    rows = tmp_path / "rows.jsonl"
    long_text = "The Supreme People's Court blacklisted debtors. " * 200  # 9,600 characters
    rows.write_text(json.dumps(GOOD[0]) + "\n" + DEEP_JSON + "\n" + json.dumps({"id": "long", "text": long_text}) + "\n")
    result = creditlens("annotate", rows, "--config", caps)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["good1", "long"]
    assert "rows.jsonl:2: invalid JSON (nested too deeply)" in result.stderr
    assert "cut long: annotated the first 3,000 of 9,600 characters ([process] max_annotate_chars)" in result.stderr


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_a_huge_csv_field_skips_its_row_only_and_long_texts_are_cut(tmp_path, caps):
    corpus = tmp_path / "c.csv"
    with corpus.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "text"])
        writer.writerow(["good1", GOOD[0]["title"], GOOD[0]["text"]])
        writer.writerow(["huge", "Too big", "debtor " * 50_000])  # 350 KB: over max_record_bytes
        writer.writerow(["long", "Long", "debtor " * 10_000])  # 70 KB: over max_text_chars
        writer.writerow(["good2", GOOD[1]["title"], GOOD[1]["text"]])
    db = tmp_path / "c.duckdb"
    result = creditlens("ingest", "csv", corpus, "--db", db, "--config", caps, "--all-relevant")
    assert result.returncode == 0, result.stderr
    assert "c.csv:3: field larger than field limit (200000) ([process] max_record_bytes)" in result.stderr
    assert "cut long: text cut from 70,000 to 20,000 characters ([process] max_text_chars)" in result.stderr
    assert "ingested 3 articles" in result.stdout
    assert re.search(r"skipped +1  \(1 field larger than field limit", result.stdout)
    assert re.search(r"texts cut +1  \(to \[process\] max_text_chars\)", result.stdout)
    assert stored(db) == {"good1": len(GOOD[0]["text"]), "long": 20_000, "good2": len(GOOD[1]["text"])}


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_a_csv_field_over_128_kb_is_read_by_default(tmp_path):
    corpus = tmp_path / "c.csv"
    with corpus.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerow(["big", "debtor " * 30_000])  # 210 KB
        writer.writerow(["good1", GOOD[0]["text"]])
    db = tmp_path / "c.duckdb"
    result = creditlens("ingest", "csv", corpus, "--db", db, "--all-relevant")
    assert result.returncode == 0, result.stderr
    assert stored(db) == {"big": 210_000, "good1": len(GOOD[0]["text"])}


def write_warc(path, bodies: dict[str, bytes]):
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=False)
        for url, body in bodies.items():
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers))
    return path


def test_an_oversized_warc_record_is_skipped_unread(tmp_path):
    page = b"<html><body><p>social credit blacklist</p></body></html>"
    huge = b"<html><body><p>" + b"x" * 30_000_000 + b"</p></body></html>"
    path = write_warc(tmp_path / "x.warc", {"https://a.example/1": page, "https://a.example/huge": huge,
                                             "https://a.example/2": page})
    tracemalloc.start()
    reading = read_warc(path, max_record_bytes=1_000_000)
    urls = [p.url for p in reading]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert urls == ["https://a.example/1", "https://a.example/2"]
    assert reading.skipped == {"over_max_record_bytes": 1}
    assert peak < 10_000_000  # the 30 MB record was never held in memory


def test_ingest_reports_oversized_warc_records(tmp_path, caps):
    page = b"<html><body><p>social credit blacklist</p></body></html>"
    path = write_warc(tmp_path / "x.warc", {"https://a.example/1": page,
                                             "https://a.example/huge": b"<p>" + b"x" * 300_000 + b"</p>"})
    result = creditlens("ingest", "warc", path, "--db", tmp_path / "c.duckdb", "--config", caps)
    assert result.returncode == 0, result.stderr
    assert "x.warc: 1 record(s) larger than 200,000 bytes ([process] max_record_bytes)" in result.stderr
    assert "ingested 1 pages" in result.stdout


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_an_interrupted_index_build_leaves_search_working(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.load_articles([Article(article_id="a0", url="https://a.example/0", title="Debtor blacklist",
                                  text="The court blacklist of debtors.")])
        refresh_index(wh.con)
        wh.load_articles([Article(article_id=f"a{n}", url=f"https://a.example/{n}", title=f"Story {n}",
                                  text=" ".join(f"word{(n * 7 + i) % 5000}" for i in range(4000)))
                          for n in range(1, 300)])
        timer = threading.Timer(0.3, wh.con.interrupt)
        timer.start()
        with pytest.raises(duckdb.InterruptException):
            refresh_index(wh.con)
        timer.cancel()
        assert [hit["article_id"] for hit in search(wh.con, "blacklist")] == ["a0"]  # the old index, whole
        assert not index_is_current(wh.con)  # so the next run builds it again
        refresh_index(wh.con)
        assert index_is_current(wh.con)
