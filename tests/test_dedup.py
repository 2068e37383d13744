"""Grouping copies of a story: exact copies, edited copies, earliest copy, persistence."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from nlp.dedup import DuplicateIndex, DuplicateIndexError
from nlp.extraction import content_hash
from warehouse.records import Article, stable_id

WIRE = [
    "Lawmakers began reading a draft law on Monday that would put the social credit system on a single "
    "legal footing and stop cities from inventing their own blacklists, state media reported.",
    "The draft sets out which government bodies may list companies and individuals as untrustworthy, "
    "how long a listing may last and how those listed can apply to have their records repaired.",
    "Legal scholars said the law would curb the patchwork of local rules that emerged after 2014, when "
    "pilot cities experimented with point scores for residents and rewards for volunteering.",
    "Several provinces already publish lists of dishonest judgment debtors who are barred from flights "
    "and high-speed trains, and the courts say millions of people have been restricted since 2013.",
    "The standing committee is expected to review the draft again before a vote later in the year, "
    "after a public consultation period of thirty days during which citizens may submit comments.",
    "Officials said the new rules would also protect personal information gathered by credit platforms "
    "and would require agencies to correct errors within fifteen working days of a complaint.",
]
OTHER = [
    "A secondary school teacher spent eight months clearing her name after a court confused her with "
    "another woman who shared her name and had failed to repay a loan to a furniture company.",
    "She discovered the listing when a ticket machine at the railway station refused her identity card "
    "during the holiday rush, leaving her unable to visit her parents in the countryside.",
    "Her lawyer said the court had matched the two women by name and birth year alone and had never "
    "checked the identity numbers, a mistake he said he had seen in several other cases.",
]
T0 = datetime(2025, 6, 24, 8, 0, tzinfo=timezone.utc)


def article(url: str, paragraphs: list[str], published: datetime | None = T0) -> Article:
    text = "\n".join(paragraphs)
    return Article(article_id=stable_id(url), url=url, text=text, published_at=published,
                   content_hash=content_hash(text))


def test_exact_copy_points_at_the_original(tmp_path):
    index = DuplicateIndex.open(tmp_path)
    original, copy = article("https://a.example/1", WIRE), article("https://b.example/1", WIRE, T0 + timedelta(hours=2))
    index.assign([original, copy])
    assert original.duplicate_of is None
    assert copy.duplicate_of == original.article_id


def test_edited_copies_group_and_different_stories_do_not(tmp_path):
    index = DuplicateIndex.open(tmp_path)
    original = article("https://wire.example/1", WIRE)
    trimmed = article("https://b.example/2", ["China moves to unify its credit rules"] + WIRE[:-1], T0 + timedelta(hours=3))
    edited = article("https://c.example/3", [p.replace("state media reported", "Xinhua said") for p in WIRE],
                     T0 + timedelta(hours=5))
    other = article("https://d.example/4", OTHER, T0 + timedelta(hours=1))
    index.assign([original, trimmed, edited, other])
    assert trimmed.duplicate_of == original.article_id
    assert edited.duplicate_of == original.article_id
    assert other.duplicate_of is None and original.duplicate_of is None


def test_earliest_copy_wins_even_when_seen_later(tmp_path):
    index = DuplicateIndex.open(tmp_path)
    republished = article("https://b.example/late", WIRE, T0 + timedelta(days=1))
    index.assign([republished])
    index.save()
    assert republished.duplicate_of is None

    original = article("https://wire.example/early", WIRE[:-1], T0)
    index.assign([original])
    assert original.duplicate_of is None
    assert index.regrouped == {republished.article_id: original.article_id}
    index.save()
    assert index.regrouped == {}
    again = article("https://b.example/late", WIRE, T0 + timedelta(days=1))
    assert index.assign([again])[0].duplicate_of == original.article_id


def test_within_a_batch_the_earlier_date_wins_over_the_earlier_position(tmp_path):
    index = DuplicateIndex.open(tmp_path)
    late = article("https://b.example/x", WIRE, T0 + timedelta(hours=6))
    early = article("https://a.example/x", WIRE, T0)
    undated = article("https://c.example/x", WIRE, None)
    index.assign([late, undated, early])
    assert early.duplicate_of is None
    assert late.duplicate_of == early.article_id and undated.duplicate_of == early.article_id


def test_first_seen_breaks_ties(tmp_path):
    index = DuplicateIndex.open(tmp_path)
    first, second = article("https://a.example/t", WIRE, None), article("https://b.example/t", WIRE, None)
    index.assign([first, second])
    assert first.duplicate_of is None and second.duplicate_of == first.article_id


def test_index_persists_and_reassigning_is_idempotent(tmp_path):
    index = DuplicateIndex.open(tmp_path)
    original, copy = article("https://a.example/p", WIRE), article("https://b.example/p", WIRE, T0 + timedelta(hours=1))
    index.assign([original, copy])
    index.save()
    index.close()

    reopened = DuplicateIndex.open(tmp_path)
    again = [article("https://a.example/p", WIRE), article("https://b.example/p", WIRE, T0 + timedelta(hours=1))]
    reopened.assign(again)
    assert again[0].duplicate_of is None  # never a duplicate of itself
    assert again[1].duplicate_of == original.article_id
    later = article("https://c.example/p", WIRE[1:], T0 + timedelta(days=2))
    assert reopened.assign([later])[0].duplicate_of == original.article_id


def test_unsaved_assignments_are_not_kept(tmp_path):
    index = DuplicateIndex.open(tmp_path)
    index.assign([article("https://a.example/u", WIRE)])
    index.close()
    copy = article("https://b.example/u", WIRE, T0 + timedelta(hours=1))
    DuplicateIndex.open(tmp_path).assign([copy])
    assert copy.duplicate_of is None


def test_chinese_copies_group(tmp_path):
    text = ["最高人民法院表示，今年已有一千二百余名失信被执行人在履行义务后被移出名单，相关限制同步解除。",
            "法院称，名单限制当事人乘坐飞机和高铁，部分记录早已过时，需要定期清理并向社会公布结果。",
            "律师表示欢迎这一做法，但认为被错误列入名单的人仍缺乏简便的申诉渠道，建议设立统一平台。"]
    index = DuplicateIndex.open(tmp_path)
    first = article("https://zh.example/1", text)
    copy = article("https://zh2.example/1", ["（来源：新华社）"] + text, T0 + timedelta(hours=1))
    index.assign([first, copy])
    assert copy.duplicate_of == first.article_id


def test_index_built_with_other_settings_is_refused(tmp_path):
    DuplicateIndex.open(tmp_path).close()
    with sqlite3.connect(tmp_path / "minhash.sqlite3") as db:
        db.execute("UPDATE settings SET value = '64' WHERE key = 'num_perm'")
    with pytest.raises(DuplicateIndexError, match="other settings"):
        DuplicateIndex.open(tmp_path)


def test_re_extracted_text_is_indexed_afresh(tmp_path):
    index = DuplicateIndex.open(tmp_path)
    original, copy = article("https://a.example/r", WIRE), article("https://b.example/r", WIRE, T0 + timedelta(hours=1))
    index.assign([original, copy])
    rewritten = article("https://b.example/r", OTHER, T0 + timedelta(hours=1))  # same page, new extraction
    index.assign([rewritten])
    assert rewritten.duplicate_of is None
    other_copy = article("https://c.example/r", OTHER, T0 + timedelta(hours=2))
    wire_copy = article("https://d.example/r", WIRE, T0 + timedelta(hours=3))
    index.assign([other_copy, wire_copy])
    assert other_copy.duplicate_of == rewritten.article_id
    assert wire_copy.duplicate_of == original.article_id
