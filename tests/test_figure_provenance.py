"""Figure provenance: which reports are of the same quantity (warehouse/provenance.py), on
reports built here, and the snapshot the `figure_provenance` view reads, on a warehouse
loaded through the loading API."""

from __future__ import annotations

from datetime import datetime, timezone

import csv
import io
import json

import duckdb
import pytest

from tests.cli_helpers import creditlens
from warehouse.provenance import Report, group_reports, key_terms, reading, same_value, written_quantum
from warehouse.records import Annotations, Article, Entity, Figure
from warehouse.store import Warehouse

SPC, ZHEJIANG, JIANGSU = "court.supreme_peoples_court", "place.zhejiang", "place.jiangsu"


def report(article_id, day, value, unit="people", subject="people barred from flights", conversions=(),
           sentence_entities=(SPC,), article_entities=(SPC,), start_char=0) -> Report:
    readings = [reading(unit, value)] + [reading(u, v, converted=True) for u, v in conversions]
    return Report(article_id, start_char, datetime.fromisoformat(day).replace(tzinfo=timezone.utc), readings,
                  key_terms(subject, unit), frozenset(sentence_entities), frozenset(article_entities))


def grouped(*reports) -> list[list[str]]:
    return [[g.first.article_id] + [r.article_id for r, _, _ in g.members] for g in group_reports(list(reports))]


def test_written_precision_is_the_last_written_digit():
    assert written_quantum(4_900_000.0) == 100_000 and written_quantum(4_870_000.0) == 10_000
    assert written_quantum(1850.0) == 10 and written_quantum(11.6) == pytest.approx(0.1)


def test_a_rounded_repetition_groups_with_the_figure_it_rounds():
    assert grouped(report("a", "2025-11-04", 4_870_000), report("b", "2026-05-19", 4_900_000)) == [["a", "b"]]
    # either way round: the first report may be the rounded one
    assert grouped(report("a", "2025-11-04", 4_900_000), report("b", "2026-05-19", 4_870_000)) == [["a", "b"]]


def test_values_that_are_not_a_rounding_of_each_other_do_not_group():
    assert same_value(reading("people", 4_870_000), reading("people", 5_000_000))  # one digit, 2.6% apart
    assert not same_value(reading("people", 3_200_000), reading("people", 3_000_000))  # 6% apart: beyond tolerance
    assert not same_value(reading("people", 4_870_000), reading("people", 4_880_000))  # same precision, another figure
    assert not same_value(reading("people", 4_900_000), reading("people", 4_820_000))  # rounds to 4.8 million
    assert grouped(report("a", "2025-01-01", 4_870_000), report("b", "2025-02-01", 4_880_000)) == []


def test_the_unit_must_be_the_same_after_fixed_conversions():
    assert grouped(report("a", "2025-01-01", 3_200_000, unit="people"),
                   report("b", "2025-02-01", 3_200_000, unit="times")) == []
    assert grouped(report("a", "2025-01-01", 2, unit="kilometres", subject="radius of the debtor map"),
                   report("b", "2025-02-01", 2000, unit="metres", subject="radius of the debtor map")) == [["a", "b"]]


def test_a_currency_is_compared_only_through_the_article_s_own_conversion():
    first = report("a", "2025-11-04", 86.4e9, unit="CNY", subject="courts recovered", conversions=[("USD", 12.1e9)])
    dollars = report("b", "2026-02-10", 12.1e9, unit="USD", subject="courts recovered")
    other_rate = report("c", "2026-03-01", 12.4e9, unit="USD", subject="courts recovered")  # 2.4% off: another rate
    unlinked = report("d", "2026-04-01", 12.1e9, unit="USD", subject="courts recovered")
    groups = group_reports([first, dollars, other_rate])
    assert [[g.first.article_id] + [r.article_id for r, _, _ in g.members] for g in groups] == [["a", "b", "c"]]
    (_, mine, theirs), (_, changed, original) = groups[0].members
    assert (mine.unit, mine.value, theirs.value) == ("USD", 12.1e9, 12.1e9)
    assert (changed.value, original.value) == (12.4e9, 12.1e9)
    # without the conversion nothing says how many yuan $12.1 billion is
    plain = report("a", "2025-11-04", 86.4e9, unit="CNY", subject="courts recovered")
    assert grouped(plain, unlinked) == []


def test_the_subject_must_share_its_key_terms():
    assert key_terms("people barred from buying plane tickets", "people") == {"barred", "buying", "plane", "ticket"}
    flights = report("a", "2025-01-01", 3_200_000, subject="people barred from buying plane tickets")
    trains = report("b", "2025-02-01", 3_200_000, subject="people barred from boarding high-speed trains")
    shorter = report("c", "2025-03-01", 3_200_000, subject="people barred from plane tickets")
    assert grouped(flights, trains) == []
    assert grouped(flights, shorter) == [["a", "c"]]


def test_places_and_organisations_named_must_agree():
    zhejiang = report("a", "2025-01-01", 1_200_000, sentence_entities=[ZHEJIANG], article_entities=[ZHEJIANG, SPC])
    jiangsu = report("b", "2025-02-01", 1_200_000, sentence_entities=[JIANGSU], article_entities=[JIANGSU, SPC])
    unnamed_elsewhere = report("c", "2025-03-01", 1_200_000, sentence_entities=[], article_entities=[SPC])
    unnamed_zhejiang = report("d", "2025-04-01", 1_200_000, sentence_entities=[], article_entities=[ZHEJIANG])
    assert grouped(zhejiang, jiangsu) == []
    assert grouped(zhejiang, unnamed_elsewhere) == []  # Zhejiang's figure, but this article never names Zhejiang
    assert grouped(zhejiang, unnamed_zhejiang) == [["a", "d"]]


def test_the_earliest_report_is_first_and_an_article_counts_once():
    late = report("late", "2026-01-01", 4_900_000)
    first = report("first", "2025-01-01", 4_870_000)
    headline = report("mid", "2025-06-01", 4_870_000, start_char=0)
    body = report("mid", "2025-06-01", 4_870_000, start_char=400)
    groups = group_reports([late, body, headline, first])
    assert len(groups) == 1 and groups[0].first.article_id == "first"
    assert [(r.article_id, r.start_char) for r, _, _ in groups[0].members] == [("mid", 0), ("late", 0)]


def test_a_figure_reported_once_has_no_provenance():
    assert grouped(report("a", "2025-01-01", 4_870_000)) == []


# -- the snapshot in a warehouse ------------------------------------------------------------

TEXTS = {
    "first": ("beacon", "2025-11-04", "The Supreme People's Court said 4.87 million debtors had settled their debts. "
              "Courts recovered 86.4 billion yuan ($12.1 billion) for creditors."),
    "repeat": ("harbour", "2026-02-10", "According to the Supreme People's Court, 4.87 million debtors have settled "
               "their debts. Courts recovered $12.1 billion for creditors."),
    "rounded": ("ledger", "2026-05-19", "Some 4.9 million debtors have settled their debts, the Supreme People's Court "
                "says."),
    "undated": ("ledger", None, "The Supreme People's Court said 4.87 million debtors had settled their debts."),
    "off-topic": ("ledger", "2026-06-01", "The Supreme People's Court said 4.87 million debtors had settled their debts."),
}


def figure(article_id, written, value, unit, subject, converted_from=None) -> Figure:
    text = TEXTS[article_id][2]
    start = text.index(written)
    sentence = next(s for s in text.split(". ") if written in s)
    return Figure(article_id, value, unit, subject, sentence, start,
                  None if converted_from is None else text.index(converted_from))


# what pages and corpora may hold: a spreadsheet formula and Markdown in a title, a script URL
TITLES = {"rounded": '=HYPERLINK("https://evil.example") | [click](https://evil.example)'}
URLS = {"repeat": "javascript:alert(1)"}


def build(path) -> Warehouse:
    wh = Warehouse(path)
    wh.load_articles([
        Article(article_id=aid, url=URLS.get(aid, f"https://{source}.example/{aid}"), source=source,
                title=TITLES.get(aid, aid), text=text,
                published_at=datetime.fromisoformat(day + "T08:00:00+00:00") if day else None,
                is_relevant=aid != "off-topic", language="en")
        for aid, (source, day, text) in TEXTS.items()
    ])
    settled = "debtors who had settled their debts"
    figures = {
        "first": [figure("first", "4.87 million", 4_870_000, "debtors", settled),
                  figure("first", "86.4 billion", 86.4e9, "CNY", "Courts recovered"),
                  figure("first", "$12.1 billion", 12.1e9, "USD", "Courts recovered", converted_from="86.4 billion")],
        "repeat": [figure("repeat", "4.87 million", 4_870_000, "debtors", "debtors who have settled their debts"),
                   figure("repeat", "$12.1 billion", 12.1e9, "USD", "Courts recovered")],
        "rounded": [figure("rounded", "4.9 million", 4_900_000, "debtors", "debtors who have settled their debts")],
        "undated": [figure("undated", "4.87 million", 4_870_000, "debtors", settled)],
        "off-topic": [figure("off-topic", "4.87 million", 4_870_000, "debtors", settled)],
    }
    spc = "Supreme People's Court"
    wh.load_annotations([
        Annotations(aid, TEXTS[aid][2], figures=rows, entities=[
            Entity(aid, TEXTS[aid][2].index(spc), TEXTS[aid][2].index(spc) + len(spc), spc, "ORG", SPC)
        ] if spc in TEXTS[aid][2] else [])
        for aid, rows in figures.items()
    ], annotated_at=datetime(2026, 7, 1, tzinfo=timezone.utc))
    assert wh.refresh_figure_groups() == 2
    return wh


@pytest.fixture
def warehouse(tmp_path):
    wh = build(tmp_path / "provenance.duckdb")
    yield wh
    wh.close()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("provenance") / "provenance.duckdb"
    build(path).close()
    return path


def test_the_view_tells_who_reported_first_who_repeated_and_who_changed(warehouse):
    got = warehouse.con.execute(
        "SELECT unit, first_source, reports, changed_by, position, source, reported_value, reported_unit, "
        "compared_unit, value_changed FROM figure_provenance ORDER BY unit, position"
    ).fetchall()
    assert got == [
        ("CNY", "beacon", 2, [], 0, "beacon", 86.4e9, "CNY", "CNY", False),
        ("CNY", "beacon", 2, [], 1, "harbour", 12.1e9, "USD", "USD", False),  # through beacon's own conversion
        ("debtors", "beacon", 3, ["ledger"], 0, "beacon", 4_870_000, "debtors", "debtors", False),
        ("debtors", "beacon", 3, ["ledger"], 1, "harbour", 4_870_000, "debtors", "debtors", False),
        ("debtors", "beacon", 3, ["ledger"], 2, "ledger", 4_900_000, "debtors", "debtors", True),
    ]  # neither the undated nor the off-topic article is a report


def test_the_snapshot_is_rebuilt_not_added_to(warehouse):
    before = warehouse.con.execute("SELECT * FROM figure_groups ORDER BY ALL").fetchall()
    assert warehouse.refresh_figure_groups() == 2
    assert warehouse.con.execute("SELECT * FROM figure_groups ORDER BY ALL").fetchall() == before


# -- creditlens export figures ----------------------------------------------------------------


def exported(db, tmp_path, fmt: str, *options) -> tuple[object, str]:
    out = tmp_path / f"figures.{fmt}"
    result = creditlens("export", "figures", "--format", fmt, "--out", out, "--db", db, *options)
    assert result.returncode == 0 and "wrote" in result.stdout, result.stdout + result.stderr
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))), ""
    if fmt == "json":  # one document
        return json.loads(out.read_text(encoding="utf-8")), ""
    if fmt == "jsonl":
        return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()], ""
    if fmt == "parquet":
        with duckdb.connect() as con:
            cursor = con.execute("SELECT * FROM read_parquet(?)", [str(out)])
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()], ""
    return None, out.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "parquet"])
def test_export_figures_gives_every_figure_with_its_provenance(db, tmp_path, fmt):
    rows, _ = exported(db, tmp_path, fmt)
    assert len(rows) == 7  # the relevant articles' figures, conversions and the undated included; not the off-topic one
    repeated = {(r["article_id"], str(r["unit"])): r for r in rows if r["group_id"] not in (None, "")}
    assert set(repeated) == {("first", "debtors"), ("repeat", "debtors"), ("rounded", "debtors"), ("first", "CNY"),
                             ("repeat", "USD")}
    rounded = repeated[("rounded", "debtors")]
    assert rounded["first_source"] == "beacon" and int(rounded["repetition"]) == 2
    assert str(rounded["value_changed"]).lower() == "true"
    assert rounded["changed_by"] == ("ledger" if fmt == "csv" else ["ledger"])
    if fmt == "csv":  # a spreadsheet shows the hostile title as text
        assert rounded["title"].startswith("'=HYPERLINK")
    undated = [r for r in rows if r["article_id"] == "undated"]
    assert undated and all(r["group_id"] in (None, "") for r in undated)


def test_export_figures_as_markdown_tells_where_the_numbers_come_from(db, tmp_path):
    _, text = exported(db, tmp_path, "md")
    assert text.startswith("# Where the numbers come from")
    assert "## 4,870,000 debtors: debtors who had settled their debts" in text
    assert "First reported by beacon on 2025-11-04: [first](https://beacon.example/first)" in text
    assert "3 reports by 3 outlets; changed by ledger." in text
    assert "| 2026-05-19 | ledger | 4,900,000 debtors | changed |" in text
    assert "javascript:" not in text  # a script URL stays text
    assert "[click]" not in text and "\\[click\\]" in text  # Markdown in a title is escaped
    narrowed = exported(db, tmp_path, "md", "--source", "ledger")[1]
    assert "## 4,870,000 debtors" in narrowed and "86,400,000,000 CNY" not in narrowed
