"""`creditlens ingest` of a researcher's own corpus: every date format, other column names,
an honest summary, and nothing lost unseen (issue 16)."""

import json
import re

import duckdb
import pytest

from tests.cli_helpers import creditlens, one_line_error

MIXED = """id,headline,body,date,outlet
d1,Court blacklist grows,"The Supreme People's Court blacklist of debt defaulters grew; debtors cannot buy train tickets.",19 March 2024,east-wire
d2,Debtors barred from trains,"Dishonest debtors on the court blacklist were barred from high-speed trains under the social credit system.",19/03/2024,east-wire
d3,Rail ban widens,"Debt defaulters on the blacklist face travel bans on trains and flights.",2024/03/19,beacon
d4,Flights refused,"The social credit system blacklist barred debtors from flights.",1710835200,beacon
d5,Sesame scores,"Sesame Credit scores and the court blacklist of defaulters were discussed.","Tue, 19 Mar 2024 08:00:00 GMT",beacon
d6,Impossible day,"Court blacklist of debt defaulters and travel bans for debtors.",31/02/2024,beacon
d7,No text,,2024-03-01,beacon
d2,Debtors barred from trains again,"Dishonest debtors on the court blacklist were again barred from high-speed trains.",20/03/2024,east-wire
"""


def _stored(db) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        return {row[0]: row[1:] for row in con.execute(
            "SELECT article_id, strftime(timezone('UTC', published_at), '%Y-%m-%d %H:%M'), title, source, language "
            "FROM articles"
        ).fetchall()}


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_mixed_dates_and_a_body_column_ingest_with_an_honest_summary(tmp_path):
    corpus = tmp_path / "mixed.csv"
    corpus.write_text(MIXED, encoding="utf-8")
    db = tmp_path / "c.duckdb"
    result = creditlens("ingest", "csv", corpus, "--db", db)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "text from 'body'" in out and "published_at from 'date'" in out and "title from 'headline'" in out
    assert "dates day first, as '19/03/2024' shows" in out
    assert "ingested 6 articles" in out
    assert re.search(r"new +6\n", out) and re.search(r"repeated ids +1 ", out)
    assert re.search(r"dates not understood +1 ", out) and re.search(r"skipped +1  \(1 no text", out)
    # every row not kept and every date not understood is named with its file and line
    assert f"{corpus}:8: no text" in result.stderr
    assert f"{corpus}:7: '31/02/2024': impossible date" in result.stderr
    assert f"{corpus}:9: d2 (also {corpus}:3)" in result.stderr
    stored = _stored(db)
    assert {k: v[0] for k, v in stored.items()} == {
        "d1": "2024-03-19 00:00", "d2": "2024-03-20 00:00", "d3": "2024-03-19 00:00",
        "d4": "2024-03-19 08:00", "d5": "2024-03-19 08:00", "d6": None,
    }
    assert stored["d1"][1:] == ("Court blacklist grows", "east-wire", "en")


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_ambiguous_dates_are_reported_not_guessed_until_the_order_is_given(tmp_path):
    corpus = tmp_path / "us.jsonl"
    corpus.write_text("\n".join(json.dumps({"id": f"u{i}", "text": "Court blacklist of debt defaulters.", "date": d})
                                for i, d in enumerate(["03/04/2024", "05/06/2024", "2024-03-19"])) + "\n")
    db = tmp_path / "c.duckdb"
    guessed = creditlens("ingest", "jsonl", corpus, "--db", db)
    assert guessed.returncode == 0, guessed.stderr
    assert f"{corpus}:1: '03/04/2024': ambiguous (day-first or month-first?)" in guessed.stderr
    assert f"{corpus}:2: '05/06/2024': ambiguous" in guessed.stderr
    assert {k: v[0] for k, v in _stored(db).items()} == {"u0": None, "u1": None, "u2": "2024-03-19 00:00"}
    ordered = creditlens("ingest", "jsonl", corpus, "--db", db, "--date-order", "mdy")
    assert ordered.returncode == 0 and "dates as given by --date-order" in ordered.stdout
    assert re.search(r"updated \(text changed\) +0", ordered.stdout)
    assert re.search(r"already stored, same text +3", ordered.stdout)
    assert {k: v[0] for k, v in _stored(db).items()} == {
        "u0": "2024-03-04 00:00", "u1": "2024-05-06 00:00", "u2": "2024-03-19 00:00"}


def test_mixed_day_first_and_month_first_in_one_file_is_one_error(tmp_path):
    corpus = tmp_path / "both.csv"
    corpus.write_text("id,text,published_at\na,Blacklist news.,19/03/2024\nb,Blacklist news.,03/19/2024\n")
    result = creditlens("ingest", "csv", corpus, "--db", tmp_path / "c.duckdb")
    assert result.returncode == 1
    assert "mix day-first ('19/03/2024') and month-first ('03/19/2024')" in one_line_error(result)


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_field_options_name_other_columns(tmp_path):
    corpus = tmp_path / "own.jsonl"
    corpus.write_text(json.dumps({"key": "k1", "words": "Courts keep a blacklist of debt defaulters.",
                                  "when": "2024-05-01", "paper": "beacon", "head": "Blacklist"}) + "\n")
    db = tmp_path / "c.duckdb"
    result = creditlens("ingest", "jsonl", corpus, "--db", db, "--text-field", "words", "--id-field", "key",
                        "--date-field", "when", "--title-field", "head", "--source-field", "paper")
    assert result.returncode == 0, result.stderr
    assert _stored(db) == {"k1": ("2024-05-01 00:00", "Blacklist", "beacon", "en")}


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_a_file_without_the_text_field_is_one_error_listing_its_fields_and_creates_no_database(tmp_path):
    corpus = tmp_path / "content.jsonl"
    corpus.write_text("".join(json.dumps({"doc": str(i), "words": "Blacklist."}) + "\n" for i in range(29)))
    db = tmp_path / "c.duckdb"
    result = creditlens("ingest", "jsonl", corpus, "--db", db)
    assert result.returncode == 1
    line = one_line_error(result)
    assert "no text field" in line and "fields found: doc, words" in line and "--text-field" in line
    assert "next:" not in result.stdout
    assert not db.exists()
    wrong = creditlens("ingest", "jsonl", corpus, "--db", db, "--text-field", "body")
    assert "no field 'body' (--text-field); fields found: doc, words" in one_line_error(wrong)
    assert not db.exists()


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_jsonl_passed_as_csv_and_csv_passed_as_jsonl(tmp_path):
    jsonl = tmp_path / "corpus.jsonl"
    jsonl.write_text(json.dumps({"id": "a", "text": "Blacklist."}) + "\n")
    as_csv = creditlens("ingest", "csv", jsonl, "--db", tmp_path / "c.duckdb")
    assert as_csv.returncode == 1
    assert "holds JSON, not CSV: use `creditlens ingest jsonl" in one_line_error(as_csv)
    table = tmp_path / "corpus.csv"
    table.write_text("id,text\na,Blacklist.\n")
    as_jsonl = creditlens("ingest", "jsonl", table, "--db", tmp_path / "c.duckdb")
    assert "looks like CSV" in one_line_error(as_jsonl)
    assert not (tmp_path / "c.duckdb").exists()


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_language_is_detected_on_ingest_and_off_topic_rows_are_named_with_the_hint(tmp_path):
    corpus = tmp_path / "lang.jsonl"
    corpus.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"id": "zh", "text": "最高人民法院公布失信被执行人名单，限制其乘坐飞机和高铁。"},
        {"id": "en", "text": "The court blacklist of debt defaulters bars them from flights and trains."},
        {"id": "cake", "title": "A lemon cake recipe", "text": "Whisk the eggs and sugar, fold in flour and lemon zest."},
    ]) + "\n", encoding="utf-8")
    db = tmp_path / "c.duckdb"
    result = creditlens("ingest", "jsonl", corpus, "--db", db)
    assert result.returncode == 0, result.stderr
    assert {k: v[3] for k, v in _stored(db).items()} == {"zh": "zh", "en": "en", "cake": "en"}
    assert "judged off-topic: cake (A lemon cake recipe)" in result.stderr
    assert re.search(r"judged off-topic +\d+  \(kept, not annotated; --all-relevant", result.stdout)
    processed = creditlens("process", "--db", db)
    assert processed.returncode == 0, processed.stderr
    assert re.search(r"not annotated: \d+ article\(s\) judged off-topic .*ingest it again with --all-relevant",
                     processed.stdout)
    assert "judged off-topic" not in creditlens("ingest", "jsonl", corpus, "--db", db, "--all-relevant").stderr
