"""Offline demo news site: four fictional outlets served on 127.0.0.1.

Why: the crawler, extractor and taggers need realistic input with known ground
truth (relevance, syndication, SEO spam, paywall, robots.txt, GBK encoding)
without network access.  All text is fictional.

    with DemoSite() as site:
        registry = site.sources_toml()      # feed this to the crawler
        for article in site.articles: ...   # expected results, with absolute URLs
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterator
from dataclasses import replace
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .model import OUTLETS, Comment, DemoArticle, Outlet, load_articles
from .render import RENDERERS, UTC, OutletSite, Page, http_date

__all__ = ["Comment", "DemoArticle", "DemoSite", "Outlet", "load_articles"]


class _OutletServer(ThreadingHTTPServer):
    """One server per outlet, so each outlet has its own host:port like a real domain."""

    daemon_threads = True
    request_queue_size = 256  # a concurrent crawler must not get connection refusals
    pages: dict[str, Page]
    not_found: Page


class _Handler(BaseHTTPRequestHandler):
    """Serves pre-rendered pages; query strings and fragments never change the page."""

    server: _OutletServer
    server_version = "DemoNews/1.0"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        page = self.server.pages.get(path)
        status = 200 if page else 404
        page = page or self.server.not_found
        if status == 200 and _not_modified(self.headers, page):
            status = 304
        self.send_response(status)
        self.send_header("ETag", page.etag)
        if page.last_modified:
            self.send_header("Last-Modified", http_date(page.last_modified))
        if status != 304:
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(page.body)

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: a crawl of hundreds of requests would otherwise flood stderr."""


def _not_modified(headers, page: Page) -> bool:
    """Conditional GET (RFC 9110): If-None-Match wins over If-Modified-Since."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or page.etag in tags
    since = headers.get("If-Modified-Since")
    if since and page.last_modified:
        try:
            since_dt = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if since_dt.tzinfo is None:
            since_dt = since_dt.replace(tzinfo=UTC)
        return page.last_modified.replace(microsecond=0) <= since_dt
    return False


class DemoSite:
    """Context manager running one HTTP server per outlet on an ephemeral port."""

    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.outlets: list[Outlet] = []
        self.articles: list[DemoArticle] = []
        self._sites: dict[str, OutletSite] = {}
        self._servers: list[tuple[_OutletServer, threading.Thread]] = []

    def __enter__(self) -> DemoSite:
        by_outlet: dict[str, list[DemoArticle]] = {oid: [] for oid in OUTLETS}
        for article in load_articles():
            by_outlet[article.outlet].append(article)
        try:
            for oid, template in OUTLETS.items():
                server = _OutletServer((self.host, 0), _Handler)
                self._servers.append((server, threading.Thread(target=server.serve_forever, daemon=True)))
                outlet = replace(template, base_url=f"http://{self.host}:{server.server_address[1]}/")
                site = RENDERERS[oid](outlet, by_outlet[oid])
                server.pages = site.build()
                server.not_found = Page(site.html(f"<html><head><title>404 Not Found</title></head><body>"
                                                  f"<h1>Page not found</h1><p>{site.base}</p></body></html>"),
                                        site.html_content_type, None, '"404"')
                self.outlets.append(outlet)
                self._sites[oid] = site
        except Exception:
            self.__exit__(None, None, None)
            raise
        self.articles = [a for site in self._sites.values() for a in site.articles]
        for _, thread in self._servers:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        for server, thread in self._servers:
            if thread.is_alive():
                server.shutdown()
                thread.join()
            server.server_close()
        self._servers.clear()

    def html_pages(self) -> Iterator[tuple[str, bytes, str]]:
        """(url, body, content type) of every HTML page the outlets serve, for corpora
        built from the site without crawling it (WARC files for tests and benchmarks)."""
        for site in self._sites.values():
            for path, page in sorted(site.pages.items()):
                if page.content_type.startswith("text/html"):
                    yield site.base + path, page.body, page.content_type

    def sources_toml(self) -> str:
        """Source registry for the crawler: one [[source]] table per outlet."""
        blocks = []
        for outlet in self.outlets:
            base = outlet.base_url
            host = urllib.parse.urlsplit(base).hostname
            fields = {
                "id": outlet.id,
                "name": outlet.name,
                "homepage": base,
                "country": outlet.country,
                "language": outlet.language,
                "kind": outlet.kind,
                "feeds": [base + self._sites[outlet.id].feed_path.lstrip("/")],
                "sitemaps": [base + "sitemap.xml"],
                "start_urls": [base],
                "allowed_domains": [host, outlet.domain],
            }
            # JSON strings and arrays of strings are valid TOML values.
            lines = [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()]
            blocks.append("[[source]]\n" + "\n".join(lines) + "\n")
        return "\n".join(blocks)
