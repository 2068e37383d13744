"""Real crawls of the loopback test web, each in a subprocess (Scrapy's reactor cannot restart)."""

import json
import os
import signal
import subprocess
import time
from urllib.parse import urlsplit

import pytest

from crawl_fixtures import REPO, TestSite, crawl, crawl_command, crawl_env, site, start_site, write_config  # noqa: F401
from crawler.runner import CrawlSettingsError, crawl_settings
from warehouse.spool import Spool
from warehouse.store import Warehouse


def load_pages(state, db):
    """Drain the crawl's spool into a warehouse, as the lead's job does; {path: row}."""
    with Warehouse(db) as warehouse:
        warehouse.drain_spool(Spool(state / "spool"))
        rows = warehouse.con.execute(
            "SELECT url, status, error_kind, html IS NOT NULL, encoding, source, requested_url FROM pages"
        ).fetchall()
    return {row[0].split(":", 2)[2].split("/", 1)[1]: row[1:] for row in rows}


def fetched(site, since=0):
    return [path for path, _, _ in site.log[since:]]


@pytest.mark.slow
def test_faults_are_recorded_robots_obeyed_and_duplicates_collapse(site, tmp_path):
    config = write_config(site, tmp_path / "site.toml")
    stats = crawl(config, tmp_path / "state", "run1")
    pages = load_pages(tmp_path / "state", tmp_path / "db.duckdb")

    kinds = {path: row[1] for path, row in pages.items() if row[1]}
    assert kinds == {
        "faults/404": "http_404", "faults/500": "http_5xx",
        "faults/503": "http_5xx", "faults/loop-a": "redirect_loop", "faults/slow": "timeout",
        "faults/truncated": "truncated", "faults/report": "not_html", "faults/big": "too_large",
        "faults/big-stream": "too_large",
    }
    assert stats["status"] == "finished" and stats["errors"] == 10 - 1  # robots.txt refusals are no fetch
    assert stats["errors_by_kind"]["http_5xx"] == 2
    # stored pages, the redirect chain under its target, the GBK page decoded, HTML served as octet-stream kept
    stored = {path for path, row in pages.items() if row[2]}
    assert stored == {"section/", "section/page2", "news/a1.html", "news/a2.html", "news/a3.html", "news/s1.html",
                      "news/l1.html", "news/l3.html", "news/gbk.html", "faults/octet"}
    assert pages["news/a3.html"][5].endswith("/faults/redirect-chain")
    assert pages["news/gbk.html"][3] == "gb18030" and pages["news/a1.html"][4] == "testsite"
    # robots.txt obeyed; old sitemaps and entries skipped; each story fetched once despite tracking variants
    paths = fetched(site)
    assert not [p for p in paths if p.startswith("/private/")] and "private/secret.html" not in pages
    assert not [p for p in paths if "2001" in p or "ancient" in p]
    assert len([p for p in paths if p.startswith("/news/a2.html")]) == 1
    assert "news/a1/amp" not in pages  # the AMP rendering is stored under its canonical URL
    # Retry-After honoured; our User-Agent sent
    times = [t for p, _, t in site.log if p == "/faults/503"]
    assert len(times) == 2 and times[1] - times[0] >= 0.9
    agents = {headers.get("User-Agent") for _, headers, _ in site.log}
    assert agents == {"creditlens/0.1 (+ops@example.org)"}


@pytest.mark.slow
def test_rerun_fetches_nothing_new_then_only_what_changed(site, tmp_path):
    config = write_config(site, tmp_path / "site.toml")
    state = tmp_path / "state"
    crawl(config, state, "run1")
    first = len(site.log)

    again = crawl(config, state, "run2")
    second = site.log[first:]
    assert sorted(p for p, _, _ in second) == ["/feed.xml", "/robots.txt", "/robots.txt", "/section/",
                                              "/sitemap-news.xml", "/sitemap_index.xml"]
    # conditional requests, except for robots.txt and the sitemap index: a 304 on those would hide the
    # sitemaps they name, which change on their own
    conditional = {p for p, h, _ in second if h.get("If-None-Match")}
    assert conditional == {"/feed.xml", "/section/", "/sitemap-news.xml"}
    assert again["status"] == "finished" and again["pages_stored"] == 0 and again["errors"] == 0

    site.feed_version = 2  # a new story appears in the feed: it is fetched, and the transient failures retried
    crawl(config, state, "run3")
    third = {p for p in fetched(site, first + len(second))}
    assert {"/feed.xml", "/news/new.html", "/faults/500", "/faults/slow", "/faults/truncated"} <= third
    settled = {"/news/a1.html", "/news/a2.html", "/news/gbk.html", "/faults/404", "/faults/report", "/faults/big",
               "/faults/octet", "/faults/redirect-chain"}
    assert not third & settled


@pytest.fixture
def bulk_site():
    site = TestSite(articles=240, delay=0.01)
    server = start_site(site)
    yield site
    site.released.set()  # let any request still held at the gate finish
    server.shutdown()
    server.server_close()


def spooled_bulk_pages(state) -> set[str]:
    """URLs of the /bulk/ pages whose HTML is in the spool so far (a line being written is skipped)."""
    urls = set()
    for path in (state / "spool").glob("*.jsonl*"):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)["row"]
            except ValueError:
                continue
            if "/bulk/" in (row.get("url") or "") and row.get("html"):
                urls.add(row["url"])
    return urls


def wait_for_spooled(state, n: int) -> None:
    """The crawl is held at the gate once n pages are answered; wait until all n are spooled."""
    deadline = time.monotonic() + 60
    while len(spooled_bulk_pages(state)) < n:
        assert time.monotonic() < deadline, f"only {len(spooled_bulk_pages(state))} of {n} pages spooled"
        time.sleep(0.05)


@pytest.mark.slow
def test_kill_9_mid_crawl_then_resume_loses_and_doubles_nothing(bulk_site, tmp_path):
    config = write_config(bulk_site, tmp_path / "site.toml", section=False, feeds=False)
    state = tmp_path / "state"
    settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": 4}
    bulk_site.hold_bulk_after = 60  # the crawl gets 60 pages, then waits at the gate
    process = subprocess.Popen(crawl_command(config, state, "run1", settings), cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=crawl_env())
    try:
        wait_for_spooled(state, 60)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    bulk_site.released.set()
    spooled = {record.url for spooled in Spool(state / "spool").read() for record in spooled.records
               if "/bulk/" in record.url and record.html}
    known = {json.loads(line)["url"] for line in (state / "crawl" / "known.jsonl").read_text().splitlines()}
    known = {url for url in known if "/bulk/" in url}
    assert len(spooled) == 60  # exactly the pages answered before the gate
    assert known <= spooled  # the incremental store never claims a page the spool does not hold
    first = len(bulk_site.log)

    stats = crawl(config, state, "run2", settings)
    assert stats["status"] == "finished"
    refetched = {bulk_site.url(p) for p in fetched(bulk_site, first) if p.startswith("/bulk/")}
    # the resumed run fetches exactly the pages the killed one had not recorded
    assert refetched == {bulk_site.url(f"/bulk/{i}.html") for i in range(240)} - known

    with Warehouse(tmp_path / "db.duckdb") as warehouse:
        warehouse.drain_spool(Spool(state / "spool"))
        total, distinct, stored = warehouse.con.execute(
            "SELECT count(*), count(DISTINCT url), count(*) FILTER (html IS NOT NULL) FROM pages WHERE url LIKE '%/bulk/%'"
        ).fetchone()
    assert (total, distinct, stored) == (240, 240, 240)
    assert not (state / "jobdir").exists()  # a finished crawl leaves no frontier behind


@pytest.mark.slow
def test_sigterm_interrupts_and_the_next_run_resumes_the_frontier(bulk_site, tmp_path):
    config = write_config(bulk_site, tmp_path / "site.toml", section=False, feeds=False)
    state = tmp_path / "state"
    settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": 2}
    bulk_site.hold_bulk_after = 30  # requests past the gate time out (DOWNLOAD_TIMEOUT 1 s) until released
    process = subprocess.Popen(crawl_command(config, state, "run1", settings), cwd=REPO, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=crawl_env())
    try:
        wait_for_spooled(state, 30)
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    bulk_site.released.set()
    assert '"status": "interrupted"' in out
    assert (state / "jobdir" / "requests.queue").is_dir()
    answered_first = {urlsplit(url).path for url in spooled_bulk_pages(state)}
    assert len(answered_first) == 30  # the held requests timed out: nothing past the gate was stored
    first = len(bulk_site.log)

    crawl(config, state, "run2", settings)
    bulk_second = [p for p in fetched(bulk_site, first) if p.startswith("/bulk/")]
    assert len(bulk_second) == len(set(bulk_second)) and not answered_first & set(bulk_second)  # none twice
    assert answered_first | set(bulk_second) == {f"/bulk/{i}.html" for i in range(240)}


@pytest.mark.slow
def test_url_list_mode(site, tmp_path):
    config = write_config(site, tmp_path / "site.toml")
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# a list\n{site.url('/news/x1.html')}\nnot a url\n{site.url('/news/x2.html?utm_source=a')}\n")
    stats = crawl(config, tmp_path / "state", "run1", {"CREDITLENS_DISCOVERY": ["urllist"], "CREDITLENS_URLLIST": str(urls),
                                                       "CREDITLENS_PROGRESS": True})
    assert sorted(p for p in fetched(site) if p != "/robots.txt") == ["/news/x1.html", "/news/x2.html"]
    assert stats["pages_stored"] == 2
    # the progress line (its closing state), and the warning about the bad line
    assert "\x1b[Kcrawl: 2 fetched, 2 stored, 0 unchanged, 0 errors, 0 already known, 0 queued\n" in stats["stderr"]
    assert "urls.txt:3: not an http(s) URL, skipped" in stats["stderr"]


def test_bad_crawl_settings_are_one_line_errors(tmp_path):
    with pytest.raises(CrawlSettingsError, match=r"nothere.txt: no such URL list file"):
        crawl_settings(tmp_path, "r", {"CREDITLENS_URLLIST": str(tmp_path / "nothere.txt")})
    with pytest.raises(CrawlSettingsError, match=r"CREDITLENS_DISCOVERY: unknown mode 'rss'"):
        crawl_settings(tmp_path, "r", {"CREDITLENS_DISCOVERY": ["rss"]})


@pytest.mark.slow
def test_a_page_limit_keeps_the_frontier_for_the_next_run(bulk_site, tmp_path):
    config = write_config(bulk_site, tmp_path / "site.toml", section=False, feeds=False)
    state = tmp_path / "state"
    cut = crawl(config, state, "run1", {"CLOSESPIDER_PAGECOUNT": 20})
    assert cut["status"] == "finished" and cut["pages_stored"] < 240
    assert (state / "jobdir" / "requests.queue").is_dir()
    first = len(bulk_site.log)

    crawl(config, state, "run2")
    second = fetched(bulk_site, first)
    assert "/bulk-sitemap.xml" in second  # discovery documents are read again, not taken for duplicates
    with Warehouse(tmp_path / "db.duckdb") as warehouse:
        warehouse.drain_spool(Spool(state / "spool"))
        stored = warehouse.con.execute("SELECT count(*) FROM pages WHERE url LIKE '%/bulk/%' AND html IS NOT NULL").fetchone()[0]
    assert stored == 240
    assert len([p for p in fetched(bulk_site) if p.startswith("/bulk/")]) <= 240 + 32  # in flight at the cut
