"""Issue 12, finding 1: personal numbers are redacted in every shape they come in, from every
field, and none survives anywhere creditlens stores or writes what it was given.

The corpus below is ours: every way an identity or phone number slipped past the old
redaction (a Chinese character touching it, full-width digits, an old 15-digit ID, dots,
en-dashes, no-break and double spaces, "+86 (138)", HTML character references, digits
split by tags, the URL, the `source` field, the title and the description).  Each number
is distinct, so a leak names its variant."""

from __future__ import annotations

import gzip
import html
import json
import re
import threading
import unicodedata
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from random import Random
from urllib.parse import quote, unquote

import duckdb
import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from nlp.privacy import (ID_REDACTED, PHONE_REDACTED, contains_personal_data, is_old_resident_id, redact,
                         redact_html, redact_url)
from tests.cli_helpers import creditlens
from tests.crawl_fixtures import ON_TOPIC


def resident_id(first17: str) -> str:
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def references(text: str, hexadecimal: bool = False) -> str:
    return "".join(f"&#x{ord(c):X};" if hexadecimal else f"&#{ord(c)};" for c in text)


ID_CJK = resident_id("44030119850612100")
ID_FULL_WIDTH = resident_id("11010519491231002")
ID_REFERENCES = resident_id("32010219900101123")
ID_IN_URL = resident_id("51010419800101456")
OLD_ID = "440301850612100"

# plain-text variants: (what the text says, the digits that must not survive)
TEXT_VARIANTS = {
    "cjk_id": (f"身份证号{ID_CJK}，", ID_CJK),
    "cjk_phone": ("电话13812340001，", "13812340001"),
    "full_width_id": (f"身份证{full_width(ID_FULL_WIDTH)}号", ID_FULL_WIDTH),
    "full_width_phone": (f"电话：{full_width('13812340002')}。", "13812340002"),
    "old_15_digit_id": (f"旧身份证{OLD_ID}。", OLD_ID),
    "dots": ("call 138.1234.0003 today", "13812340003"),
    "en_dashes": ("call 138–1234–0004 today", "13812340004"),
    "no_break_spaces": ("call 138\u00a01234\u00a00005 today", "13812340005"),
    "double_spaces": ("call 138  1234  0006 today", "13812340006"),
    "country_code_parentheses": ("call +86 (138) 1234 0007 today", "13812340007"),
    "landline_dots": ("office 0571.8877.6615", "057188776615"),
    "ideographic_space": ("手机　１３８　１２３４　０００８", "13812340008"),
}
# variants that only raw HTML can carry
HTML_VARIANTS = {
    "decimal_references": (f"电话{references('13912340008')}。", "13912340008"),
    "hex_full_width_references": (f"身份证{references(full_width(ID_REFERENCES), hexadecimal=True)}。", ID_REFERENCES),
    "split_by_tags": ('电话139<span class="n">1234</span><b>0009</b>。', "13912340009"),
    "nbsp_entities": ("call 139&nbsp;1234&nbsp;0015", "13912340015"),
    "comment_inside": ("call 1391234<!-- x -->0016", "13912340016"),
}
META_DESCRIPTION = ("热线13912340010", "13912340010")
TITLE = ("举报电话13912340011", "13912340011")
PAGE_URL_NUMBER = "13912340012"
ROW_SOURCE = ("热线13912340013", "13912340013")
ROW_URL = (f"https://corpus.example.org/u/13912340014?id={quote(ID_IN_URL)}", "13912340014")
ROW_ID = "13912340017"
WARC_NUMBER = "13912340018"

FORBIDDEN = sorted({digits for _, digits in [*TEXT_VARIANTS.values(), *HTML_VARIANTS.values(), META_DESCRIPTION,
                                             TITLE, ROW_SOURCE, ROW_URL]}
                   | {PAGE_URL_NUMBER, ID_IN_URL, ROW_ID, WARC_NUMBER})

WORDS = ("court debtor list credit score blacklist travel ban rail ticket flight judge company loan bank "
         "platform data privacy law rule city province official report appeal repair record penalty fine "
         "system market trust firm user app map village school hotel train plane lawyer policy reform").split()


def filler(seed: int, sentences: int = 12) -> list[str]:
    """Distinct on-topic sentences, so near-duplicate detection keeps every test article."""
    rng = Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "." for _ in range(sentences)]


def digits_of(value: str) -> str:
    """All digits a reader could recover from a stored string: references and escapes decoded, NFKC."""
    readable = unicodedata.normalize("NFKC", html.unescape(unquote(value)))
    return re.sub(r"[^0-9]", "", readable)


def leaks(where: str, value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, bytes):
        try:
            value = zlib.decompress(value).decode("utf-8", "replace")
        except zlib.error:
            value = value.decode("utf-8", "replace")
    digits = digits_of(str(value))
    return [f"{where}: {number}" for number in FORBIDDEN if number.rstrip("X") in digits]


# -- the variants one by one --------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TEXT_VARIANTS))
def test_text_variants_are_redacted(name):
    text, digits = TEXT_VARIANTS[name]
    redacted = redact(text)
    assert not leaks(name, redacted), redacted
    assert ID_REDACTED in redacted or PHONE_REDACTED in redacted
    assert redact(redacted) == redacted  # idempotent


@pytest.mark.parametrize("name", sorted(HTML_VARIANTS))
def test_html_variants_are_redacted_and_markup_kept(name):
    fragment, digits = HTML_VARIANTS[name]
    page = f'<html><head><title>t</title></head><body><p>{fragment}</p><p>x</p></body></html>'
    redacted = redact_html(page)
    assert not leaks(name, redacted), redacted
    assert redacted.count("<p>") == 2 and redacted.count("</p>") == 2 and redacted.startswith("<html><head>")


def test_numbers_in_attributes_urls_and_entity_encoded_text_are_redacted():
    page = (f'<meta name="description" content="{META_DESCRIPTION[0]}">'
            f'<a href="tel:+86{references("13912340019")}">x</a>'
            f'<a href="/u?tel=%31%33%39%31%32%33%34%30%30%32%30">y</a>')
    assert not leaks("attributes", redact_html(page).replace("REDACTED", ""))
    url = redact_url(ROW_URL[0])
    assert not leaks("url", url) and url.startswith("https://corpus.example.org/u/%5BPHONE%20REDACTED%5D?id=")
    assert " " not in url  # still a URL
    assert not leaks("text", redact(f"电话{references('13912340008')}"))


FALSE_POSITIVES = [
    "3.2 million people, in 2024, fined 1,850 yuan (about $260), 11.6 percent, on 2024-05-08, 1.2亿元",
    "12,000,000 readers, 610,000 times, 23,000 yuan, ¥1,234,567,890.00, 2019年至2024年",
    "Case (2019) Zhe 0105 Zhi 1234; （2023）京0105执12345号; 案号(2021)粤03民终12345号",
    "from 1990–2010 and 2013 2014 2015; scores of 350 to 950; the 2024.05.08 notice",
    "order 202405081234567 and tracking 123456789012345, ISBN 978-7-302-12345-6",
    "version 1.13812345678 and 0.13812345678 as decimals; invoice 4403011985061210041 (19 digits)",
    f"an 18-digit number with a wrong checksum: {ID_CJK[:17]}{(int(ID_CJK[17]) + 1) % 10 if ID_CJK[17] != 'X' else 0}",
    "全角金额１２３４５元，２０２４年５月８日",
]


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_amounts_years_and_case_numbers_are_left_alone(text):
    assert redact(text) == text
    assert not contains_personal_data(text)
    assert redact_html(f"<p>{text}</p><td>2024</td><td>15</td>") == f"<p>{text}</p><td>2024</td><td>15</td>"


def test_old_ids_need_a_real_region_and_birth_date():
    assert is_old_resident_id(OLD_ID)
    assert not is_old_resident_id("990301850612100")  # no such region
    assert not is_old_resident_id("440301851312100")  # month 13


# -- end to end: crawl, ingest, process, index, export; then look everywhere ----------------


def page_html(number: int) -> str:
    sentences = filler(number)
    variants = [text for text, _ in TEXT_VARIANTS.values()] + [text for text, _ in HTML_VARIANTS.values()]
    paragraphs = "".join(f"<p>{sentences[i]} {sentences[i + 6]} {variants[(number + i) % len(variants)]} "
                         f"{ON_TOPIC.format(n=number)}</p>" for i in range(6))
    rest = "".join(f"<p>{v} {filler(100 + number + i, 1)[0]}</p>" for i, v in enumerate(variants))
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE[0]} story {number}</title>'
            f'<meta name="description" content="{META_DESCRIPTION[0]}"></head>'
            f"<body><article><h1>{TITLE[0]} story {number}</h1>{paragraphs}{rest}</article></body></html>")


class VariantSite:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.pages = {f"/news/story-{i}.html": page_html(i) for i in range(4)}
        self.pages[f"/news/{PAGE_URL_NUMBER}.html"] = page_html(4)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def feed(self) -> str:
        items = "".join(f"<item><title>t</title><link>{self.base}{path}</link></item>" for path in self.pages)
        return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/feed.xml":
                    body, kind, status = site.feed(), "application/rss+xml", 200
                elif self.path in site.pages:
                    body, kind, status = site.pages[self.path], "text/html; charset=utf-8", 200
                else:
                    body, kind, status = "no", "text/plain", 404
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def corpus_rows() -> list[dict]:
    rows = []
    texts = [text for text, _ in TEXT_VARIANTS.values()]
    for number in range(6):
        sentences = filler(1000 + number, 18)
        body = "\n\n".join(f"{' '.join(sentences[i:i + 3])} {texts[(number + i) % len(texts)]}" for i in range(0, 18, 3))
        rows.append({"url": f"https://corpus.example.org/story/{number}", "title": f"{texts[number]} story {number}",
                     "text": body + "\n\n" + " ".join(texts), "source": "corpus", "published_at": "2025-03-0%d" % (number + 1)})
    rows[0]["source"] = ROW_SOURCE[0]
    rows[1]["url"] = ROW_URL[0]
    rows[2] = {**rows[2], "id": ROW_ID}
    return rows


def write_warc(path):
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        body = page_html(7).replace(PAGE_URL_NUMBER, WARC_NUMBER).encode("utf-8")
        writer.write_record(writer.create_warc_record(f"https://archive.example.org/{WARC_NUMBER}.html", "response",
                                                      payload=BytesIO(body), http_headers=headers))
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    folder = tmp_path_factory.mktemp("redaction")
    db, out = folder / "r.duckdb", folder / "out"
    out.mkdir()
    site = VariantSite()
    try:
        config = folder / "r.toml"
        config.write_text(
            "include_bundled_sources = false\n[crawl]\nallow_private_networks = true\ndownload_delay = 0.0\n"
            f'autothrottle = false\n\n[[source]]\nid = "variants"\nname = "Variants"\nhomepage = "{site.base}/"\n'
            f'feeds = ["{site.base}/feed.xml"]\nallowed_domains = ["127.0.0.1"]\n', encoding="utf-8")
        corpus = folder / "corpus.jsonl"
        corpus.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in corpus_rows()), encoding="utf-8")
        steps = [
            ("crawl", "--config", config), ("ingest", "jsonl", corpus, "--all-relevant"),
            ("ingest", "warc", write_warc(folder / "v.warc.gz")), ("process",), ("topics", "fit", "--k", "2"),
        ]
        for step in steps:
            result = creditlens(*step, "--db", db)
            assert result.returncode == 0, (step, result.stdout, result.stderr)
    finally:
        site.server.shutdown()
        site.server.server_close()
    exports = []
    for what, formats in (("articles", ("csv", "json", "parquet")), ("entities", ("csv", "json", "parquet")),
                          ("topics", ("csv", "json", "parquet", "md")), ("figures", ("csv", "json", "parquet", "md"))):
        for fmt in formats:
            target = out / f"{what}.{fmt}"
            result = creditlens("export", what, "--format", fmt, "--out", target, "--db", db)
            assert result.returncode == 0, result.stderr
            exports.append(target)
    report = out / "report.html"
    assert creditlens("report", "--out", report, "--db", db).returncode == 0
    return db, exports + [report]


@pytest.mark.slow  # the module's warehouse: crawl, ingest, process, topics, exports
def test_the_corpus_went_in(warehouse):
    db, _ = warehouse
    with duckdb.connect(str(db), read_only=True) as con:
        articles = con.execute("SELECT count(*), count(*) FILTER (text LIKE '%[PHONE REDACTED]%'),"
                               " count(*) FILTER (text LIKE '%[ID REDACTED]%') FROM articles").fetchone()
        assert articles[0] >= 11 and articles[1] >= 11 and articles[2] >= 11, articles
        assert con.execute("SELECT count(*) FROM entities").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'fts_main_articles'").fetchone()[0] > 0


@pytest.mark.slow  # the module's warehouse: crawl, ingest, process, topics, exports
def test_no_variant_survives_in_any_table_or_the_search_index(warehouse):
    db, _ = warehouse
    found = []
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
        assert ("fts_main_articles", "dict") in tables  # the search index's terms
        for schema, table in tables:
            result = con.execute(f'SELECT * FROM "{schema}"."{table}"')
            columns = [c[0] for c in result.description]
            for row in result.fetchall():
                for column, value in zip(columns, row):
                    found += leaks(f"{schema}.{table}.{column}", value)
    assert not found, sorted(set(found))[:20]


@pytest.mark.slow  # the module's warehouse: crawl, ingest, process, topics, exports
def test_no_entity_is_built_from_a_redacted_number(warehouse):
    db, _ = warehouse
    with duckdb.connect(str(db), read_only=True) as con:
        built = con.execute(
            "SELECT entity_id, text FROM entities WHERE text LIKE '%REDACTED%' OR entity_id LIKE '%redacted%' "
            "OR regexp_matches(text, '[0-9０-９]{6}') UNION ALL "
            "SELECT entity_id, name FROM entity_catalog WHERE name LIKE '%REDACTED%' OR regexp_matches(entity_id, '[0-9０-９]{6}')"
        ).fetchall()
    assert not built, built


@pytest.mark.slow  # the module's warehouse: crawl, ingest, process, topics, exports
def test_no_variant_survives_in_any_export_or_the_report(warehouse):
    _, files = warehouse
    found = []
    for path in files:
        if path.suffix == ".parquet":
            found += leaks(path.name, json.dumps(pq.read_table(path).to_pylist(), ensure_ascii=False, default=str))
        else:
            found += leaks(path.name, path.read_text(encoding="utf-8"))
    assert not found, found


@pytest.mark.slow  # the module's warehouse: crawl, ingest, process, topics, exports
def test_no_variant_survives_in_the_crawl_state(warehouse):
    db, _ = warehouse
    state = db.with_name(db.stem + ".state")
    found = []
    for path in state.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += leaks(str(path.relative_to(state)), gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
    assert not found, found


@pytest.mark.slow  # ingest and process twice, with spaCy
def test_reprocess_redacts_what_a_warehouse_stored_before_the_rules_caught_it(tmp_path):
    keep = tmp_path / "keep.toml"
    keep.write_text("[process]\nkeep_personal_data = true\n", encoding="utf-8")
    db = tmp_path / "old.duckdb"
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in corpus_rows()), encoding="utf-8")
    for step in (("ingest", "jsonl", corpus, "--all-relevant"), ("ingest", "warc", write_warc(tmp_path / "v.warc.gz")),
                 ("process",)):
        result = creditlens(*step, "--db", db, "--config", keep)
        assert result.returncode == 0, result.stderr

    def stored_leaks():
        found = []
        with duckdb.connect(str(db), read_only=True) as con:
            for table in ("pages", "articles", "entities", "entity_catalog", "quotes", "figures"):
                result = con.execute(f"SELECT * FROM {table}")
                columns = [c[0] for c in result.description]
                for row in result.fetchall():
                    for column, value in zip(columns, row):
                        found += leaks(f"{table}.{column}", value)
            counts = con.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
        return found, counts

    before, counts_before = stored_leaks()
    assert {"pages.html", "pages.url", "articles.text", "articles.url", "articles.source"} <= {
        where.split(":")[0] for where in before}
    result = creditlens("process", "--reprocess", "--db", db)
    assert result.returncode == 0, result.stderr
    assert "redacted" in result.stdout and "again under the current rules" in result.stdout
    after, counts_after = stored_leaks()
    assert not after, after
    assert counts_after == counts_before  # every article kept, none doubled
