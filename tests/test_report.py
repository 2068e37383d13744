"""The HTML report: one self-contained file whose every chart renders in a real
headless Chromium without a console message, with a screenshot saved to look at."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from required_tools import executable
from test_warehouse_views import build_warehouse
from warehouse.report import write_report
from warehouse.store import Warehouse

CHARTS = 7  # attention, languages, themes, topics, sources, entities, network (+ attention share when something was crawled)
INSTALL_HINT = "install it (Debian/Ubuntu: `apt-get install -y chromium`) to run the browser test"


def chromium() -> str:
    """The browser's path; the test is skipped without one, and fails without one on CI."""
    return executable("chromium", "chromium-browser", hint=INSTALL_HINT)


def run_chromium(tmp_path: Path, page: Path, *mode: str) -> subprocess.CompletedProcess:
    """Headless Chromium with no network at all (every host name resolves to nothing)."""
    return subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
         "--enable-logging=stderr", "--v=0", "--hide-scrollbars", *mode, page.as_uri()],
        capture_output=True, text=True, timeout=90,
    )


class SvgCounter(HTMLParser):
    """Counts the child elements of each <svg> in a document."""

    def __init__(self):
        super().__init__()
        self.children: list[int] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.children.append(0)
            self.depth = 1
        elif self.depth:
            if self.depth == 1:
                self.children[-1] += 1
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_startendtag(self, tag, attrs):
        if self.depth == 1:
            self.children[-1] += 1


def svg_children(dom: str) -> list[int]:
    counter = SvgCounter()
    counter.feed(dom)
    return counter.children


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line]


@pytest.fixture
def report(tmp_path) -> Path:
    with build_warehouse(tmp_path / "report.duckdb") as wh:
        return write_report(wh.con, tmp_path / "out" / "report.html")


def test_report_is_one_self_contained_file(report):
    page = report.read_text(encoding="utf-8")
    assert [p.name for p in report.parent.iterdir()] == ["report.html"]  # no temporary file left behind
    assert not re.search(r"<(script|link|img|iframe)\b", page, re.IGNORECASE)
    assert not re.search(r"url\(|@import|src=", page, re.IGNORECASE)
    assert page.count("<svg") == CHARTS
    assert "Travel bans: trains" in page and "Supreme People&#x27;s Court" in page
    assert "1,100,000 tickets" in page  # the table of reported figures
    assert "Coverage by language" in page and "法院公布失信被执行人名单" in page  # the cross-lingual story


def test_the_report_shows_where_the_numbers_come_from(report, tmp_path):
    page = report.read_text(encoding="utf-8")
    section = page[page.index("<h2>Where the numbers come from</h2>"):]
    section = section[: section.index("</section>")]
    first, repeated = re.search(r"<tbody><tr><td>.*?</td><td>(.*?)</td><td>(.*?)</td>", section).groups()
    assert "3,200,000 people" in section and "debtors barred from high-speed rail" in section
    assert first == '<a href="https://beacon.example/rail1" title="Court travel ban keeps debtors off high-speed rail">2024-01-05 beacon</a>'
    assert ">2024-01-06 harbour (copy)</a>" in repeated
    with Warehouse(tmp_path / "empty.duckdb") as wh:
        empty = write_report(wh.con, tmp_path / "empty.html").read_text(encoding="utf-8")
    assert "No figure has been reported by more than one article yet." in empty


def test_report_names_who_is_quoted_and_the_topic_terms(report):
    page = report.read_text(encoding="utf-8")
    assert "<h2>Who is quoted</h2>" in page
    assert re.search(r"<td>Li Wei</td><td>Supreme People&#x27;s Court</td><td class=\"num\">2</td>", page)
    assert "<h2>Topic terms</h2>" in page
    assert re.search(r'<td class="num">0</td><td>rail travel bans</td><td class="num">\d+</td><td>rail, ban, travel, debtor</td>',
                     page)


def test_a_brought_corpus_gets_no_share_of_everything_crawled(tmp_path):
    with build_warehouse(tmp_path / "corpus.duckdb") as wh:
        corpus = write_report(wh.con, tmp_path / "corpus.html").read_text(encoding="utf-8")
        wh.con.execute("INSERT INTO pages (url, status, fetched_at, origin) VALUES ('https://beacon.example/x', 200, now(), 'crawl')")
        crawled = write_report(wh.con, tmp_path / "crawled.html").read_text(encoding="utf-8")
    assert "share of everything crawled" not in corpus and "Articles crawled" not in corpus
    assert "Articles in the corpus" in corpus
    assert "Attention as a share of everything crawled" in crawled and "Articles crawled" in crawled
    assert crawled.count("<svg") == CHARTS + 1


def test_the_network_legend_wraps_inside_the_chart():
    from warehouse.report import WIDTH, network_chart

    kinds = [f"kind number {i}" for i in range(12)]
    svg = network_chart("net", [(f"e{i}", f"E{i}", kind, 1) for i, kind in enumerate(kinds)], [])
    xs = [float(x) for x in re.findall(r'<rect x="([\d.]+)"', svg)]
    assert len(xs) == 12 and max(xs) + 18 + 16 * 7 <= WIDTH
    height = float(re.search(r'viewBox="0 0 \d+ (\d+)"', svg).group(1))
    assert max(float(y) for y in re.findall(r'<rect x="[\d.]+" y="([\d.]+)"', svg)) + 12 <= height


@pytest.mark.slow  # a real browser
def test_every_chart_renders_in_chromium_without_console_messages(report, tmp_path):
    dumped = run_chromium(tmp_path, report, "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    assert console_messages(dumped.stderr) == []
    counts = svg_children(dumped.stdout)
    assert len(counts) == CHARTS and all(n > 0 for n in counts), counts
    assert "<table>" in dumped.stdout

    screenshot = tmp_path / "report.png"
    shot = run_chromium(tmp_path, report, f"--screenshot={screenshot}", "--window-size=1280,2400")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert console_messages(shot.stderr) == []
    assert screenshot.stat().st_size > 20_000  # a blank page is a few kilobytes
    print(f"report screenshot: {screenshot}")


@pytest.mark.slow  # a real browser
def test_a_report_of_an_empty_warehouse_says_so_in_every_chart(tmp_path):
    with Warehouse(tmp_path / "empty.duckdb") as wh:
        report = write_report(wh.con, tmp_path / "empty.html")
    dumped = run_chromium(tmp_path, report, "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    assert console_messages(dumped.stderr) == []
    counts = svg_children(dumped.stdout)
    assert len(counts) == CHARTS and all(n > 0 for n in counts), counts
    assert "No dated articles yet" in dumped.stdout and "No figures reported yet" in dumped.stdout
    assert "No story reported in more than one language yet" in dumped.stdout
