"""`creditlens annotate` on Chinese text, run as a user would: persons with ids, quotes with speakers."""

import json

import pytest

from cli_helpers import creditlens


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_annotate_chinese_text_returns_linked_persons_and_quotes_with_speakers(tmp_path):
    rows = tmp_path / "zh.jsonl"
    lines = [
        {"id": "z1", "text": "杭州中院执行局局长王建国说：“今年已有4.7万家企业完成信用修复。”王法官表示，失信被执行人名单每月更新。"},
        {"id": "z2", "language": "zh-Hant", "text": "陳志明說：「法院已經將他列入失信被執行人名單。」"},
        {"id": "z3", "language": 7, "text": "李明说，名单每月更新。"},
    ]
    rows.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    result = creditlens("annotate", rows)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    people = {(e["text"], e["entity_id"]) for e in first["entities"] if e["label"] == "PERSON"}
    assert {("王建国", "person.王建国"), ("王", "person.王建国")} <= people
    assert any(e["entity_id"] == "court.hangzhou_intermediate_court" for e in first["entities"])
    assert [(q["speaker"], q["entity_id"], q["kind"]) for q in first["quotes"]] == [
        ("王建国", "person.王建国", "direct"), ("王建国", "person.王建国", "indirect")]
    assert {"value": 47000.0, "unit": "companies"}.items() <= first["figures"][0].items()
    assert [(q["speaker"], q["entity_id"]) for q in second["quotes"]] == [("陳志明", "person.陈志明")]
    assert "zh.jsonl:3" in result.stderr and "'language' must be a string" in result.stderr
