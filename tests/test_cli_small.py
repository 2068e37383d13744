"""The small promises of the command line (issue 16): --version, -h, help text that keeps
its brackets, the start_char/end_char names, and what `extract` shows."""

import json

import pytest

from creditlens import __version__
from tests.cli_helpers import creditlens

PARAGRAPHS = "".join(
    f"<p>Paragraph {i}: the court said dishonest debtors were barred from flights and trains under the "
    f"credit system, and officials explained how people can appeal against the listing.</p>" for i in range(8)
)


def _page(tmp_path, head="", extra=""):
    page = tmp_path / "story.html"
    page.write_text(f"<html><head><title>Court bars debtors</title>{head}</head><body><article><h1>Court bars debtors</h1>"
                    f"{PARAGRAPHS}<p>{extra}</p></article></body></html>", encoding="utf-8")
    return page


def test_version_and_short_help():
    version = creditlens("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"creditlens {__version__}"
    for args in (["-h"], ["topics", "-h"], ["search", "-h"]):
        result = creditlens(*args)
        assert result.returncode == 0 and "Usage:" in result.stdout


def test_config_help_keeps_the_toml_table_name():
    for command in ("crawl", "run", "process"):
        assert "extra [[source]] entries" in creditlens(command, "--help").stdout


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_annotate_names_offsets_as_the_tables_do(tmp_path):
    rows = tmp_path / "in.jsonl"
    rows.write_text(json.dumps({"id": "t1", "text": "The Supreme People's Court said debtors were barred."}) + "\n")
    entity = json.loads(creditlens("annotate", rows).stdout)["entities"][0]
    assert {"start_char", "end_char"} <= set(entity) and "start" not in entity and "end" not in entity


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_extract_uses_the_declared_canonical_link_as_the_url(tmp_path):
    page = _page(tmp_path, head='<link rel="canonical" href="https://news.example.org/a/1?utm_source=x">')
    row = json.loads(creditlens("extract", page).stdout)
    assert row["url"] == "https://news.example.org/a/1"
    bare = json.loads(creditlens("extract", _page(tmp_path)).stdout)
    assert bare["url"].startswith("file://")


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_extract_redacts_personal_numbers_unless_asked_to_keep_them(tmp_path):
    page = _page(tmp_path, extra="Call 13812345678 or see ID 110101199003074573 on the notice.")
    redacted = json.loads(creditlens("extract", page).stdout)["text"]
    assert "13812345678" not in redacted and "110101199003074573" not in redacted
    assert "[PHONE REDACTED]" in redacted and "[ID REDACTED]" in redacted
    kept = json.loads(creditlens("extract", page, "--keep-personal-data").stdout)["text"]
    assert "13812345678" in kept and "110101199003074573" in kept
