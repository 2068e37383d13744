"""Issue 12, findings 2 and 3: a crawl never reads local files and never reaches hosts it was not
given, whichever discovery path names them (links, feeds, sitemap indexes, sitemaps, redirects,
WARC records), and refuses non-public addresses after DNS resolution unless allowed.

The hostile site is a loopback server on 127.0.0.1; the same server answers for "localhost",
which stands for an internal host: a request for a /internal/ path means the attack worked."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from types import SimpleNamespace

import duckdb
import pytest
from scrapy import Request
from scrapy.settings import Settings
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.guard import RequestGuardMiddleware, RequestRefused, public_address
from crawler.runner import crawl_settings
from crawler.sources import Source
from crawler.warc import read_warc
from tests.cli_helpers import creditlens
from tests.crawl_fixtures import ON_TOPIC, article_html, crawl

SECRET = "LOCAL-FILE-SECRET"


class HostileSite:
    """Pages on an allowed host (127.0.0.1) that point at local files and at an internal host."""

    def __init__(self, secret_path: str):
        self.secret = secret_path  # an absolute path to a local HTML file
        self.paths: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.internal = f"http://localhost:{self.port}/internal"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def routes(self) -> dict[str, tuple[int, str, dict]]:
        base, internal, secret = self.base, self.internal, self.secret
        xml = {"Content-Type": "application/xml"}
        feed_links = [f"{base}/news/feed-ok.html", f"file://{secret}", "http://169.254.169.254/latest/meta-data/",
                      f"{internal}/feed-entry.html"]
        feed = "".join(f"<item><title>t</title><link>{link}</link></item>" for link in feed_links)
        index = "".join(f"<sitemap><loc>{loc}</loc></sitemap>"
                        for loc in (f"{base}/sitemap-ok.xml", f"{internal}/sitemap.xml", f"file://{secret}"))
        urlset = "".join(f"<url><loc>{loc}</loc></url>" for loc in (f"{base}/news/sitemap-ok.html", f"{base}/go/internal"))
        section = article_html("Credit news", ON_TOPIC.format(n=1), links=[
            f"file://localhost{secret}", f"file://127.0.0.1{secret}", f"{base}/go/file", f"{base}/go/metadata",
            f"{base}/news/link-ok.html"])
        return {
            "/robots.txt": (200, "User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}),
            "/feed.xml": (200, f'<?xml version="1.0"?><rss version="2.0"><channel>{feed}</channel></rss>',
                          {"Content-Type": "application/rss+xml"}),
            "/sitemap_index.xml": (200, f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>', xml),
            "/sitemap-ok.xml": (200, f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urlset}</urlset>', xml),
            "/section/": (200, section, {}),
            "/go/internal": (301, "", {"Location": f"{internal}/redirect-target.html"}),
            "/go/file": (302, "", {"Location": f"file://{secret}"}),
            "/go/metadata": (302, "", {"Location": "http://169.254.169.254/latest/meta-data/iam"}),
        }

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                site.paths.append(path)
                if path.startswith("/internal/"):
                    status, body, headers = 200, article_html("Internal", f"INTERNAL-SECRET {ON_TOPIC.format(n=9)}"), {}
                elif path.startswith("/news/"):
                    status, body, headers = 200, article_html(f"Story {path}", ON_TOPIC.format(n=len(path))), {}
                else:
                    status, body, headers = site.routes().get(path, (404, "not here", {}))
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", headers.pop("Content-Type", "text/html; charset=utf-8"))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


@pytest.fixture
def hostile(tmp_path):
    secret = tmp_path / "secret.html"
    secret.write_text(f"<html><body><p>{SECRET} {ON_TOPIC.format(n=7)}</p></body></html>", encoding="utf-8")
    site = HostileSite(str(secret))
    yield site
    site.close()


def source_config(site: HostileSite, path, allow_private: bool = True):
    path.write_text(
        f"include_bundled_sources = false\n[crawl]\nallow_private_networks = {str(allow_private).lower()}\n"
        "download_delay = 0.0\nautothrottle = false\ntimeout = 5\n\n"
        f'[[source]]\nid = "hostile"\nname = "Hostile"\nhomepage = "{site.base}/"\n'
        f'feeds = ["{site.base}/feed.xml"]\nsitemaps = ["{site.base}/sitemap_index.xml"]\n'
        f'start_urls = ["{site.base}/section/"]\nallowed_domains = ["127.0.0.1"]\n',
        encoding="utf-8")
    return path


@pytest.mark.slow  # a real crawl through the command line
def test_no_local_file_and_no_internal_host_is_reached_from_any_discovery_path(hostile, tmp_path):
    db = tmp_path / "c.duckdb"
    result = creditlens("crawl", "--db", db, "--config", source_config(hostile, tmp_path / "c.toml"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert not [p for p in hostile.paths if p.startswith("/internal/")], hostile.paths

    with duckdb.connect(str(db), read_only=True) as con:
        pages = con.execute("SELECT url, error_kind, error, html FROM pages").fetchall()
        (errors_by_kind,) = con.execute("SELECT errors_by_kind FROM crawl_runs").fetchone()
    from warehouse.records import decompress_html

    assert not [url for url, _, _, html in pages if html and (SECRET in decompress_html(html) or "INTERNAL" in decompress_html(html))]
    stored = {url.rsplit("/", 1)[-1] for url, kind, _, html in pages if html}
    assert {"feed-ok.html", "sitemap-ok.html", "link-ok.html"} <= stored
    kinds = json.loads(errors_by_kind)
    # refused by the guard: the file:// link on the allowed host and the file:// sitemap child
    # (the file:// feed entry and the file://localhost link never become requests at all)
    assert kinds.get("blocked_scheme") == 2, kinds
    # the internal feed entry, sitemap child and redirect; the metadata feed entry and redirect
    assert kinds.get("off_site") == 5, kinds
    # Scrapy's redirect middleware does not follow a Location that is not http(s) either
    assert kinds.get("http_3xx") == 1 and len(kinds) == 3, kinds
    refused = {url.replace(hostile.base, ""): kind for url, kind, _, _ in pages if kind}
    assert refused["/go/internal"] == "off_site" and refused["/go/metadata"] == "off_site"  # the hop, under the URL asked for
    assert refused["/go/file"] == "http_3xx"
    assert refused["http://169.254.169.254/latest/meta-data/"] == "off_site"
    assert refused[f"file://127.0.0.1{hostile.secret}"] == "blocked_scheme"
    # one warning line per refusal, naming what was refused and why
    lines = [line for line in result.stderr.splitlines() if "refused " in line]
    assert len(lines) == 7, result.stderr
    assert any("redirected from" in line and "/go/internal" in line for line in lines)


def test_scrapy_file_s3_ftp_and_data_handlers_are_switched_off(tmp_path):
    handlers = crawl_settings(tmp_path, "run", {}).getdict("DOWNLOAD_HANDLERS")
    assert all(handlers[scheme] is None for scheme in ("file", "s3", "ftp", "data"))


@pytest.mark.slow  # two real crawls
def test_private_addresses_are_refused_after_dns_resolution_unless_allowed(hostile, tmp_path):
    config = tmp_path / "p.toml"
    config.write_text(
        "include_bundled_sources = false\n"
        f'[[source]]\nid = "byname"\nname = "By name"\nhomepage = "http://localhost:{hostile.port}/"\n'
        f'feeds = ["http://localhost:{hostile.port}/feed.xml"]\nallowed_domains = ["localhost"]\n'
        f'[[source]]\nid = "byaddress"\nname = "By address"\nhomepage = "{hostile.base}/"\n'
        f'feeds = ["{hostile.base}/feed.xml"]\nallowed_domains = ["127.0.0.1"]\n',
        encoding="utf-8")
    stats = crawl(config, tmp_path / "state", "refused", {"CREDITLENS_ALLOW_PRIVATE_NETWORKS": False,
                                                          "CREDITLENS_DISCOVERY": ["feeds"]})
    assert hostile.paths == []  # nothing reached the server
    assert stats["errors_by_kind"] == {"private_address": 2}
    assert "Traceback" not in stats["stderr"]
    assert "host localhost is the non-public address 127.0.0.1" in stats["stderr"]

    allowed = crawl(config, tmp_path / "state2", "allowed", {"CREDITLENS_DISCOVERY": ["feeds"]})
    assert "/feed.xml" in hostile.paths and "private_address" not in allowed["errors_by_kind"]


@pytest.mark.parametrize("address, public", [
    ("169.254.169.254", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("127.0.0.1", False), ("0.0.0.0", False), ("100.64.0.1", False), ("::1", False), ("fe80::1", False),
    ("fd00::1", False), ("::ffff:127.0.0.1", False), ("224.0.0.1", False), ("93.184.216.34", True),
    ("2606:4700::1111", True),
])
def test_address_classes(address, public):
    assert public_address(address) is public


def guard(allow_private: bool = False):
    source = Source(id="s", name="S", homepage="https://news.example.org/", allowed_domains=["example.org", "169.254.169.254"])
    crawler = SimpleNamespace(
        settings=Settings({"CREDITLENS_ALLOW_PRIVATE_NETWORKS": allow_private}),
        spider=SimpleNamespace(sources_by_id={"s": source}),
    )
    middleware = RequestGuardMiddleware(crawler)

    async def resolve(host):  # the crawl tests resolve through Scrapy's resolver; here, a fixed answer
        return {"news.example.org": "93.184.216.34", "cdn.example.org": "93.184.216.35",
                "intranet.example.org": "10.0.0.7"}.get(host, "93.184.216.36")

    middleware._resolve = resolve
    return middleware


def refusal(middleware, url: str, **meta) -> str | None:
    try:
        asyncio.run(middleware.process_request(Request(url, meta=meta)))
    except RequestRefused as exc:
        return exc.kind
    return None


def test_every_request_is_checked_for_scheme_scope_and_address():
    middleware = guard()
    assert refusal(middleware, "https://news.example.org/a", source="s") is None
    assert refusal(middleware, "https://cdn.example.org/a", source="s") is None  # a subdomain is the source's
    assert refusal(middleware, "file:///etc/passwd", source="s") == "blocked_scheme"
    assert refusal(middleware, "ftp://news.example.org/x", source="s") == "blocked_scheme"
    assert refusal(middleware, "https://elsewhere.example.com/a", source="s") == "off_site"
    assert refusal(middleware, "https://intranet.example.org/a", source="s") == "private_address"  # by its address
    # a metadata address is refused even when the source's domains name it
    assert refusal(middleware, "http://169.254.169.254/latest/meta-data/", source="s") == "private_address"
    assert refusal(guard(allow_private=True), "http://169.254.169.254/latest/meta-data/", source="s") is None
    assert refusal(middleware, "http://[::1]/", source="s") == "off_site"
    # without a source (a URL list entry, robots.txt), a redirect must stay on the host the chain began at
    assert refusal(middleware, "https://other.example.net/b", redirect_urls=["https://www.example.com/a"]) == "off_site"
    assert refusal(middleware, "https://example.com/b", redirect_urls=["https://www.example.com/a"]) is None


def test_warc_records_that_are_not_http_are_skipped(tmp_path):
    path = tmp_path / "local.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url in ("file:///etc/passwd", "ftp://files.example.org/a.html", "https://news.example.org/a"):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            body = f"<html><body><p>{ON_TOPIC.format(n=1)}</p></body></html>".encode()
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers))
    reading = read_warc(path)
    assert [page.url for page in reading] == ["https://news.example.org/a"]
    assert reading.skipped == {"not_http": 2}
