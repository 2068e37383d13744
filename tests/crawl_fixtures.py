"""A loopback test web for the crawler tests, and a helper to crawl it in a subprocess.

`TestSite` serves one news site on 127.0.0.1 from a threaded http.server: a feed, a
sitemap index with a Google News sitemap and an old archive sitemap, robots.txt, a
section with listing pages, articles (one in GBK without any charset declaration, one
AMP rendering) and every fault the crawler must survive.  Every request is logged
(path, headers, time) so tests can assert what was and was not fetched.  Articles
answer conditional requests with 304.

Scrapy's reactor cannot be restarted in one process, so real crawls run in a
subprocess (`crawl`), which prints the CrawlStats as JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from loopback_network import child_env

REPO = Path(__file__).resolve().parents[1]

ON_TOPIC = (
    "The Supreme People's Court added {n} names to the list of dishonest judgment debtors; "
    "the social credit system bars them from flights and high-speed rail. Court blacklist, "
    "travel ban, credit repair and the corporate social credit system were discussed."
)
GBK_TEXT = "最高人民法院公布失信被执行人名单，限制高消费和乘坐飞机、高铁。社会信用体系建设继续推进。"
LAST_MODIFIED = format_datetime(datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc), usegmt=True)


def article_html(title: str, body: str, canonical: str | None = None, links: list[str] = ()) -> str:
    head = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    anchors = "".join(f'<a href="{href}">link</a> ' for href in links)
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title>{head}</head>"
            f"<body><h1>{title}</h1><p>{body}</p><nav>{anchors}</nav></body></html>")


class TestSite:
    """The site's content and faults; `base` is http://127.0.0.1:PORT once started."""

    __test__ = False

    def __init__(self, articles: int = 0, delay: float = 0.0):
        self.base = ""
        self.log: list[tuple[str, dict, float]] = []
        self.lock = threading.Lock()
        self.feed_version = 1
        self.extra_articles = articles  # /bulk/N.html pages listed in /bulk-sitemap.xml
        self.delay = delay
        self.now = datetime.now(timezone.utc)
        # The gate: after `hold_bulk_after` /bulk/ pages, every further one waits until `released`
        # is set, so a test can stop a crawl at a known point instead of racing it.
        self.hold_bulk_after: int | None = None
        self.bulk_answered = 0
        self.released = threading.Event()

    # -- content ---------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base + path

    def date(self, days_ago: float = 0) -> str:
        return (self.now - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def feed(self) -> str:
        items = [
            ("/news/a1.html", 1), ("/news/a2.html?utm_source=rss&utm_medium=feed", 1),
            ("/private/secret.html", 1), ("/faults/404", 1), ("/faults/500", 1), ("/faults/503", 1),
            ("/faults/redirect-chain", 1), ("/faults/loop-a", 1), ("/faults/slow", 1),
            ("/faults/truncated", 1), ("/faults/report", 1), ("/faults/octet", 1), ("/faults/big", 1), ("/faults/big-stream", 1),
            ("/news/gbk.html", 1),
        ]
        if self.feed_version > 1:
            items.append(("/news/new.html", 0))
        rows = "".join(
            f"<item><title>t</title><link>{self.url(path)}</link>"
            f"<pubDate>{format_datetime(self.now - timedelta(days=age), usegmt=True)}</pubDate></item>"
            for path, age in items
        )
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Test</title>{rows}</channel></rss>'

    def sitemap_index(self) -> str:
        maps = [("/sitemap-news.xml", self.date(0)), ("/sitemap-2001.xml", "2001-01-01")]
        if self.extra_articles:
            maps.append(("/bulk-sitemap.xml", self.date(0)))
        rows = "".join(f"<sitemap><loc>{self.url(p)}</loc><lastmod>{d}</lastmod></sitemap>" for p, d in maps)
        return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'

    def urlset(self, entries: list[tuple[str, str]], news: bool = False) -> str:
        rows = []
        for path, date in entries:
            if news:
                rows.append(f"<url><loc>{self.url(path)}</loc><news:news><news:publication><news:name>T</news:name>"
                            f"</news:publication><news:publication_date>{date}</news:publication_date></news:news></url>")
            else:
                rows.append(f"<url><loc>{self.url(path)}</loc><lastmod>{date}</lastmod></url>")
        return ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(rows) + "</urlset>")

    def article(self, path: str) -> str:
        return article_html(f"Article {path}", ON_TOPIC.format(n=len(path)))


def _handler(site: TestSite):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep pytest output clean
            pass

        def send(self, status: int, body: bytes | str = b"", content_type: str = "text/html; charset=utf-8",
                 headers: dict | None = None, validators: bool = False):
            if isinstance(body, str):
                body = body.encode("utf-8")
            etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
            if validators and status == 200 and self.headers.get("If-None-Match") == etag:
                status, body = 304, b""
            self.send_response(status)
            if content_type and status != 304:
                self.send_header("Content-Type", content_type)
            if validators:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            with site.lock:
                site.log.append((self.path, dict(self.headers), time.monotonic()))
            if site.delay:
                time.sleep(site.delay)
            path = self.path.split("#", 1)[0]
            route = path.split("?", 1)[0]
            if route.startswith("/bulk/") and site.hold_bulk_after is not None:
                with site.lock:
                    site.bulk_answered += 1
                    held = site.bulk_answered > site.hold_bulk_after
                if held and not site.released.wait(timeout=120):
                    return
            try:
                self.route(route, path)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def route(self, route: str, path: str):
            s = site
            xml = "application/xml"
            if route == "/robots.txt":
                self.send(200, f"User-agent: *\nDisallow: /private/\nSitemap: {s.url('/sitemap_index.xml')}\n",
                          "text/plain")
            elif route == "/feed.xml":
                self.send(200, s.feed(), "application/rss+xml", validators=True)
            elif route == "/sitemap_index.xml":
                self.send(200, s.sitemap_index(), xml, validators=True)
            elif route == "/sitemap-news.xml":
                self.send(200, s.urlset([("/news/s1.html", s.date(0)), ("/news/a2.html", s.date(1)),
                                         ("/news/ancient.html", "2003-05-01")], news=True), xml, validators=True)
            elif route == "/sitemap-2001.xml":
                self.send(200, s.urlset([("/news/from-2001.html", "2001-01-01")]), xml, validators=True)
            elif route == "/bulk-sitemap.xml":
                self.send(200, s.urlset([(f"/bulk/{i}.html", s.date(0)) for i in range(s.extra_articles)]), xml,
                          validators=True)
            elif route == "/section/":
                self.send(200, article_html("Credit news section", ON_TOPIC.format(n=0), links=[
                    "/news/l1.html", "/news/a2.html#comments", "/section/page2", "/news/a1/amp",
                    "http://elsewhere.invalid/x.html"]), validators=True)
            elif route == "/section/page2":
                self.send(200, article_html("More credit news", ON_TOPIC.format(n=2), links=["/news/l3.html"]),
                          validators=True)
            elif route == "/news/a1/amp":
                self.send(200, article_html("AMP a1", ON_TOPIC.format(n=1), canonical=s.url("/news/a1.html")))
            elif route == "/news/gbk.html":
                body = (f"<html><head><title>{GBK_TEXT[:9]}</title></head><body><p>{GBK_TEXT * 3}</p>"
                        f"</body></html>").encode("gbk")
                self.send(200, body, "text/html", validators=True)
            elif route.startswith(("/news/", "/bulk/", "/private/")):
                self.send(200, s.article(route), validators=True)
            elif route == "/faults/404":
                self.send(404, "<html><body>not here</body></html>")
            elif route == "/faults/500":
                self.send(500, "<html><body>oops</body></html>")
            elif route == "/faults/503":
                self.send(503, "<html><body>busy</body></html>", headers={"Retry-After": "1"})
            elif route == "/faults/redirect-chain":
                self.send(302, headers={"Location": "/faults/chain-2"})
            elif route == "/faults/chain-2":
                self.send(301, headers={"Location": s.url("/news/a3.html?utm_campaign=x")})
            elif route == "/faults/loop-a":
                self.send(302, headers={"Location": "/faults/loop-b"})
            elif route == "/faults/loop-b":
                self.send(302, headers={"Location": "/faults/loop-a"})
            elif route == "/faults/slow":
                time.sleep(3)
                self.send(200, s.article(route))
            elif route == "/faults/truncated":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "50000")
                self.end_headers()
                self.wfile.write(b"<html><body><p>cut" + b" off" * 100)
                self.wfile.flush()
                self.close_connection = True
            elif route == "/faults/report":
                self.send(200, b"%PDF-1.4\n%binary\x00\x01 report", "text/html")
            elif route == "/faults/octet":
                self.send(200, s.article(route), "application/octet-stream")
            elif route == "/faults/big":
                size = 20 * 1024 * 1024
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                chunk = b"<p>" + b"x" * 65533
                for _ in range(size // len(chunk)):
                    self.wfile.write(chunk)
            elif route == "/faults/big-stream":  # no Content-Length: the size shows only while downloading
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"<p>" + b"y" * 65533
                for _ in range(12 * 1024 * 1024 // len(chunk)):
                    self.wfile.write(chunk)
                self.close_connection = True
            else:
                self.send(404, "<html><body>no such page</body></html>")

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        """A client killed mid-request (the kill -9 test) is expected; anything else is reported."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def start_site(site: TestSite) -> _Server:
    server = _Server(("127.0.0.1", 0), _handler(site))
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def site():
    site = TestSite()
    server = start_site(site)
    yield site
    server.shutdown()
    server.server_close()


def write_config(site: TestSite, path: Path, section: bool = True, feeds: bool = True) -> Path:
    """A user config pointing the crawler at the test site (bundled registry switched off)."""
    start = f'start_urls = ["{site.url("/section/")}"]' if section else ""
    feed = f'feeds = ["{site.url("/feed.xml")}"]' if feeds else ""
    path.write_text(
        "include_bundled_sources = false\n[crawl]\nignored = true\n\n"
        f'[[source]]\nid = "testsite"\nname = "Test Site"\nhomepage = "{site.url("/")}"\n'
        f'{feed}\n{start}\nallowed_domains = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    return path


def unreachable_config(path: Path) -> Path:
    """A user config whose one source is a loopback port with nothing listening: every fetch is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    path.write_text(
        "include_bundled_sources = false\n[crawl]\ndownload_delay = 0.0\nautothrottle = false\ntimeout = 2.0\n"
        "allow_private_networks = true\n\n"
        f'[[source]]\nid = "nobody"\nname = "Nobody Home"\nhomepage = "{base}"\nstart_urls = ["{base}news/"]\n'
        'allowed_domains = ["127.0.0.1"]\n', encoding="utf-8")
    return path


FAST = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_TIMEOUT": 1,
    "RETRY_TIMES": 1,
    "CREDITLENS_RETRY_BACKOFF": 0.05,
    "CREDITLENS_MAX_AGE_DAYS": 30,
    "CREDITLENS_CONTACT": "ops@example.org",
    "CREDITLENS_ALLOW_PRIVATE_NETWORKS": True,  # the test site is on 127.0.0.1
}

_CRAWL = """
import json, sys
from pathlib import Path
from crawler.runner import run_crawl
from crawler.sources import load_registry
config, state, run_id, settings = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
stats = run_crawl(load_registry([Path(config)]), Path(state), run_id, settings)
print(json.dumps({**stats.__dict__, "started_at": str(stats.started_at), "ended_at": str(stats.ended_at)}))
"""


def crawl_command(config: Path, state: Path, run_id: str, settings: dict | None = None) -> list[str]:
    return [sys.executable, "-c", _CRAWL, str(config), str(state), run_id, json.dumps({**FAST, **(settings or {})})]


def crawl_env() -> dict:
    """The crawl subprocess's environment: the repository importable, the loopback guard first, no proxy."""
    return child_env(REPO)


def crawl(config: Path, state: Path, run_id: str, settings: dict | None = None, timeout: float = 60) -> dict:
    """Run one crawl in a subprocess; its CrawlStats as a dict, plus what it wrote to stderr."""
    done = subprocess.run(crawl_command(config, state, run_id, settings), capture_output=True, text=True,
                          timeout=timeout, cwd=REPO, env=crawl_env())
    assert done.returncode == 0, done.stderr[-3000:]
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "stderr": done.stderr}
