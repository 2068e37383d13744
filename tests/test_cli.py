"""Every command's contract: exit codes, one-line errors, read-only SQL, spooling when busy."""

import fcntl
import json
import re
import subprocess
import sys
import textwrap

import duckdb
import pytest

from crawl_fixtures import unreachable_config
from tests.cli_helpers import creditlens, one_line_error
from warehouse.store import Warehouse

COMMANDS = ["demo", "crawl", "ingest", "process", "topics", "export", "search", "sql", "schema", "report", "run",
            "extract", "annotate"]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "c.duckdb"
    Warehouse(path).close()
    return path


def listed_commands(help_text: str) -> list[str]:
    """The names in the Commands panel of --help: the first word of each row that starts one."""
    panel = help_text.split("Commands", 1)[1]
    return re.findall(r"^│ (\w+) {2,}\S", panel, re.MULTILINE)


def test_help_lists_every_command():
    result = creditlens("--help")
    assert result.returncode == 0
    assert sorted(listed_commands(result.stdout)) == sorted(COMMANDS)
    topics = creditlens("topics", "--help")
    assert topics.returncode == 0 and listed_commands(topics.stdout) == ["fit", "show", "list", "use"]


def test_bad_option_is_a_usage_error():
    result = creditlens("process", "--no-such-option")
    assert result.returncode == 2
    assert "No such option" in result.stderr and "Traceback" not in result.stderr


def test_missing_database_for_queries(tmp_path):
    result = creditlens("sql", "SELECT 1", "--db", tmp_path / "none.duckdb")
    assert result.returncode == 1
    assert "no database" in one_line_error(result)


def test_unreadable_database(tmp_path):
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"\x00not a database" * 500)
    result = creditlens("process", "--db", garbage)
    assert result.returncode == 1
    assert "cannot open database" in one_line_error(result)


@pytest.mark.parametrize("content, message", [
    ("[crawl\nmax_pages = 3", "invalid TOML"),
    ("[crawl]\nmax_pages = 'many'", "max_pages must be int"),
    ("[crawl]\nspeed = 3", "unknown key 'speed'"),
])
def test_bad_config_names_file_and_field(tmp_path, db, content, message):
    config = tmp_path / "bad.toml"
    config.write_text(content)
    result = creditlens("process", "--db", db, "--config", config)
    assert result.returncode == 1
    line = one_line_error(result)
    assert message in line and "bad.toml" in line


def test_missing_config_file(tmp_path, db):
    result = creditlens("crawl", "--db", db, "--config", tmp_path / "absent.toml")
    assert result.returncode == 1
    assert "config file not found" in one_line_error(result)


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_sql_is_read_only_unless_asked_and_binds_parameters(db):
    refused = creditlens("sql", "CREATE TABLE scratch (x INT)", "--db", db)
    assert refused.returncode == 1
    assert "--write" in one_line_error(refused)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'scratch'").fetchone() == (0,)
    written = creditlens("sql", "CREATE TABLE scratch (x INT)", "--db", db, "--write")
    assert written.returncode == 0, written.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'scratch'").fetchone() == (1,)
    hostile = "x'); DROP TABLE articles; --"
    result = creditlens("sql", "SELECT ? AS v, ? AS w", "--db", db, "--param", hostile, "--param", "2", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"v": hostile, "w": "2"}
    named = creditlens("sql", "SELECT $name AS v", "--db", db, "--named", "name=Zhou", "--format", "csv")
    assert named.stdout.splitlines() == ["v", "Zhou"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)


def test_sql_error_is_duckdbs_whole_message_without_a_traceback(db):
    result = creditlens("sql", "SELECT * FROM no_such_table", "--db", db)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: query failed: Catalog Error: Table with name no_such_table does not exist")
    assert "LINE 1: SELECT * FROM no_such_table" in result.stderr


CORPUS = [
    {"id": "a1", "title": "Court adds debtors to blacklist",
     "text": "The Supreme People's Court added 2,000 dishonest judgment debtors to its blacklist, "
             "barring them from flights and high-speed trains under the social credit system.",
     "published_at": "2025-03-01T08:00:00+08:00", "source": "mine"},
    {"url": "https://news.example.org/sport/1", "title": "Cup final",
     "text": "The home side won the cup final with a late goal in front of a record crowd."},
]


def write_corpus(path, rows, extra_lines=()):
    lines = [json.dumps(r) for r in rows] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_ingest_jsonl_records_bad_rows_and_never_duplicates(tmp_path, db):
    corpus = write_corpus(tmp_path / "corpus.jsonl", CORPUS, ["{not json", json.dumps({"id": "x"})])
    first = creditlens("ingest", "jsonl", corpus, "--db", db)
    assert first.returncode == 0, first.stderr
    assert "ingested 2 articles" in first.stdout and re.search(r"skipped +2", first.stdout)
    assert "corpus.jsonl:3: invalid JSON" in first.stderr and "corpus.jsonl:4: no text ('text' missing" in first.stderr
    assert creditlens("ingest", "jsonl", corpus, "--db", db).returncode == 0
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT article_id, is_relevant, published_at IS NOT NULL FROM articles ORDER BY article_id").fetchall()
    assert len(rows) == 2
    relevant = {row[0]: row[1] for row in rows}
    assert relevant["a1"] is True and list(relevant.values()).count(False) == 1


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_ingest_csv_and_missing_file(tmp_path, db):
    corpus = tmp_path / "corpus.csv"
    corpus.write_text('id,title,text\nc1,Blacklist,"Courts put debtors on the social credit blacklist."\n', encoding="utf-8")
    ok = creditlens("ingest", "csv", corpus, "--db", db)
    assert ok.returncode == 0 and "ingested 1 articles" in ok.stdout
    missing = creditlens("ingest", "csv", tmp_path / "absent.csv", "--db", db)
    assert missing.returncode == 1 and "no such file" in missing.stderr


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_busy_database_spools_the_work_and_the_next_command_loads_it(tmp_path, db):
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys
            con = duckdb.connect({str(db)!r})   # an analyst's read-write session
            print("ready", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    corpus = write_corpus(tmp_path / "corpus.jsonl", CORPUS)
    try:
        assert holder.stdout.readline().strip() == "ready"
        busy = creditlens("ingest", "jsonl", corpus, "--db", db)
        assert busy.returncode == 75
        assert "will be loaded by the next command" in one_line_error(busy)
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    later = creditlens("ingest", "csv", "--db", db, tmp_path / "absent.csv")
    assert "loaded 1 spool file(s): 2 articles" in later.stdout
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (2,)


@pytest.mark.parametrize("command", ["run", "crawl"])
def test_a_second_run_is_refused_while_the_lock_is_held(tmp_path, db, command):
    state = tmp_path / "c.state"
    state.mkdir(exist_ok=True)
    config = unreachable_config(tmp_path / "nobody.toml")  # loopback only, should the lock ever fail
    with open(state / "run.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = creditlens(command, "--config", config, "--db", db)
    assert result.returncode == 3
    assert "holds" in one_line_error(result)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM crawl_runs").fetchone() == (0,)


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_extract_prints_what_the_pipeline_sees(tmp_path):
    page = tmp_path / "story.html"
    paragraphs = "".join(
        f"<p>Paragraph {i}: the court said dishonest debtors were barred from flights and trains under the "
        f"credit system, and officials explained how people can appeal against the listing.</p>" for i in range(8)
    )
    page.write_text(
        "<html><head><title>Court bars debtors</title>"
        '<meta property="article:published_time" content="2025-02-03T10:00:00+08:00"></head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>Court bars debtors</h1>{paragraphs}</article>"
        "<footer>Copyright 2025 Example News</footer></body></html>", encoding="utf-8")
    result = creditlens("extract", page, "--url", "https://news.example.org/a/1")
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)
    assert row["url"] == "https://news.example.org/a/1" and row["language"] == "en"
    assert "barred from flights" in row["text"] and "Copyright" not in row["text"]
    missing = creditlens("extract", tmp_path / "absent.html")
    assert missing.returncode == 1 and "cannot read" in missing.stderr


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_annotate_reads_jsonl_and_writes_annotations(tmp_path):
    rows = tmp_path / "in.jsonl"
    rows.write_text(json.dumps({"id": "t1", "text": "The Supreme People's Court said 3.2 million people were barred from flights."})
                    + "\nnot json\n", encoding="utf-8")
    result = creditlens("annotate", rows)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.splitlines()[0])
    assert out["id"] == "t1"
    assert any(e["entity_id"] == "court.supreme_peoples_court" for e in out["entities"])
    assert any(f["value"] == 3200000 for f in out["figures"])
    assert "in.jsonl:2" in result.stderr


@pytest.mark.slow  # process loads spaCy
def test_ingest_warc_then_process_lands_articles_in_the_same_tables(tmp_path, db):
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    story = "".join(
        f"<p>Paragraph {i}. The Supreme People's Court said dishonest judgment debtors on the blacklist were "
        f"barred from flights and high-speed trains under the social credit system.</p>" for i in range(8))
    warc = tmp_path / "news.warc.gz"
    with open(warc, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        body = f"<html><head><title>Courts bar debtors</title></head><body><article><h1>Courts bar debtors</h1>{story}</article></body></html>"
        writer.write_record(writer.create_warc_record("https://news.example.org/courts", "response",
                                                      payload=BytesIO(body.encode()), http_headers=headers))
    ingested = creditlens("ingest", "warc", warc, "--db", db)
    assert ingested.returncode == 0 and "ingested 1 pages" in ingested.stdout, ingested.stderr
    processed = creditlens("process", "--db", db)
    assert processed.returncode == 0, processed.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT origin, page_kind FROM pages").fetchall() == [("warc", "article")]
        assert con.execute("SELECT url, is_relevant FROM articles").fetchall() == [("https://news.example.org/courts", True)]
        assert con.execute("SELECT count(*) FROM entities WHERE entity_id = 'court.supreme_peoples_court'").fetchone()[0] >= 1
