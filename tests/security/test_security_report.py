"""The HTML report under hostile data (issue 12, finding 4 and the planted-symlink
finding): only http(s) URLs become links, a Content-Security-Policy forbids any
script or inline handler, and the writer never follows a link planted beside its output."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from test_report import console_messages, run_chromium
from test_warehouse_views import build_warehouse
from warehouse.report import write_report
from warehouse.store import Warehouse

JAVASCRIPT_URL = "javascript:document.title='pwned'"
HOSTILE_TITLE = "<img src=x onerror=\"document.title='pwned'\"> [/] =HYPERLINK(\"http://evil.example\") \x1b[2J"


def hostile_warehouse(path: Path) -> Warehouse:
    """The views' newsroom with attack data in titles and URLs, as a crawl or a corpus may bring."""
    wh = build_warehouse(path)
    wh.con.execute("UPDATE articles SET url = ?, title = ? WHERE article_id = 'rail2'", [JAVASCRIPT_URL, HOSTILE_TITLE])
    wh.con.execute("UPDATE articles SET url = 'data:text/html,<script>alert(1)</script>' WHERE article_id = 'sesame'")
    wh.con.execute("UPDATE figures SET sentence = '<script>document.title=1</script> onerror=x' WHERE article_id = 'rail1'")
    return wh


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.handlers: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        self.hrefs += [value for name, value in attrs if name in ("href", "xlink:href", "src", "action")]
        self.handlers += [name for name, _ in attrs if name.startswith("on")]


def parsed(page: str) -> Links:
    links = Links()
    links.feed(page)
    return links


def test_only_http_urls_become_links(tmp_path):
    with hostile_warehouse(tmp_path / "w.duckdb") as wh:
        page = write_report(wh.con, tmp_path / "report.html").read_text(encoding="utf-8")
    links = parsed(page)
    assert links.hrefs and all(re.match(r"https?://", href) for href in links.hrefs), links.hrefs
    assert links.handlers == [] and links.scripts == 0
    assert "sentence about ticket purchases stopped" in page  # the figure whose link was dropped is still listed


def test_a_content_security_policy_allows_only_the_report_itself(tmp_path):
    with hostile_warehouse(tmp_path / "w.duckdb") as wh:
        page = write_report(wh.con, tmp_path / "report.html").read_text(encoding="utf-8")
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    assert "script-src 'none'" in policy and "default-src 'none'" in policy
    assert re.search(r"style-src 'sha256-[A-Za-z0-9+/=]+'", policy) and "unsafe-inline" not in policy


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_chromium_runs_no_script_even_one_slipped_into_the_page(tmp_path):
    """Escaping is the first line; the policy is the second: a handler and a script planted
    into the written page (as a future escaping bug would) are refused by the browser."""
    with hostile_warehouse(tmp_path / "w.duckdb") as wh:
        report = write_report(wh.con, tmp_path / "report.html")
    clean = run_chromium(tmp_path, report, "--dump-dom")
    assert clean.returncode == 0 and console_messages(clean.stderr) == []  # nothing of its own refused
    assert "pwned" not in re.search(r"<title>(.*?)</title>", clean.stdout).group(1)
    page = report.read_text(encoding="utf-8")
    planted = page.replace("<main>", "<main><img src=x onerror=\"document.title='pwned'\">"
                                     "<script>document.title='pwned'</script>", 1)
    report.write_text(planted, encoding="utf-8")
    dumped = run_chromium(tmp_path, report, "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    assert "pwned" not in re.search(r"<title>(.*?)</title>", dumped.stdout).group(1)
    refusals = console_messages(dumped.stderr)
    assert refusals and all("Content Security Policy" in line for line in refusals), refusals
    assert not any("style-src" in line for line in refusals)  # the report's own style sheet is allowed


def test_the_report_writer_does_not_follow_a_planted_link(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "report.html"
    Path(f"{out}.part").symlink_to(victim)
    with hostile_warehouse(tmp_path / "w.duckdb") as wh:
        write_report(wh.con, out)
    assert victim.read_text() == "precious"
    assert out.is_file() and not out.is_symlink() and "<svg" in out.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir() if "report" in p.name) == ["report.html", "report.html.part"]
