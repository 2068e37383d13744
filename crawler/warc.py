"""Reading WARC and ARC files (gzipped or not; Common Crawl News included) as Pages.

Researchers bring archives instead of crawling; their HTML responses go down the
same path as crawled pages: decoded with the same charset rules, keyed by the same
canonical URL (rel=canonical included), redacted the same way, with origin "warc".
Everything else (requests, metadata, revisits, non-HTML payloads, error statuses)
is skipped and counted by reason.  A truncated or unreadable archive stops with a
one-line `WarcError` naming the file and the byte offset; the pages read before it
stay read, so a partly downloaded CC-NEWS file still yields what it holds.
"""

from __future__ import annotations

import zlib
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from warcio.archiveiterator import ArchiveIterator

from crawler.canonical import canonical_link, page_url
from crawler.charset import decode_html, looks_like_html
from crawler.known import parse_date
from nlp.privacy import redact_html, redact_url
from warehouse.records import Page


class WarcError(ValueError):
    """A WARC/ARC file cannot be read (missing, not an archive, truncated); one line for the user."""


class WarcReading:
    """Iterates over the HTML pages of one archive; `skipped` counts the other records by reason."""

    def __init__(self, path: Path, keep_personal_data: bool = False, max_record_bytes: int | None = None):
        self.path = Path(path)
        self.keep_personal_data = keep_personal_data
        self.max_record_bytes = max_record_bytes
        self.pages = 0
        self.skipped: Counter[str] = Counter()
        self._pages = self._read()

    def __iter__(self):
        return self

    def __next__(self) -> Page:
        return next(self._pages)

    def _fail(self, offset: int, problem: str) -> WarcError:
        return WarcError(f"{self.path}: {problem} at byte {offset}")

    def _read(self):
        try:
            handle = open(self.path, "rb")
        except OSError as exc:
            raise WarcError(f"{self.path}: cannot open: {exc.strerror or exc}") from exc
        with handle:
            size = self.path.stat().st_size
            start = handle.read(2)
            gzipped = start == b"\x1f\x8b"
            handle.seek(0)
            if size and not self._is_archive(handle, gzipped):
                raise self._fail(0, "not a WARC/ARC file")
            records = ArchiveIterator(handle, arc2warc=True)
            try:
                for record in records:
                    page = self._page(record)
                    if record.raw_stream.limit > 0 or records.err_count:
                        raise self._fail(records.offset, "truncated record (the file ends inside it)")
                    if page is not None:
                        self.pages += 1
                        yield page
            except WarcError:
                raise
            except Exception as exc:  # warcio raises assorted errors on damaged input
                problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise self._fail(records.offset, f"damaged record ({problem})") from exc
            if records.offset < size:
                handle.seek(records.offset)
                if gzipped or handle.read(4096).strip():
                    raise self._fail(records.offset, "truncated record (the file ends inside it)")

    @staticmethod
    def _is_archive(handle, gzipped: bool) -> bool:
        head = handle.read(65536)
        handle.seek(0)
        if gzipped:
            try:
                head = zlib.decompressobj(wbits=31).decompress(head, 64)
            except zlib.error:
                return False
        return head.lstrip().startswith((b"WARC/", b"filedesc://"))

    def _page(self, record) -> Page | None:
        if self.max_record_bytes and (record.length or 0) > self.max_record_bytes:
            # no news page is that large: pass over it a megabyte at a time instead of reading it whole
            self.skipped["over_max_record_bytes"] += 1
            while record.raw_stream.read(1 << 20):
                pass
            return None
        target = record.rec_headers.get_header("WARC-Target-URI") or ""
        if record.rec_type == "response" and urlsplit(target).scheme.lower() not in ("http", "https"):
            self.skipped["not_http"] += 1  # file:, ftp:, dns: ... records never become pages
            record.content_stream().read()
            return None
        if record.rec_type != "response" or record.http_headers is None:
            self.skipped[record.rec_type or "unknown"] += 1
            record.content_stream().read()
            return None
        headers = record.http_headers
        body = record.content_stream().read()
        status = int(headers.get_statuscode() or 0)
        content_type = headers.get_header("Content-Type")
        if status != 200:
            self.skipped["http_status"] += 1
            return None
        if not looks_like_html(body, content_type):
            self.skipped["not_html"] += 1
            return None
        text, encoding = decode_html(body, content_type)
        href = canonical_link(text)
        url = page_url(target, urljoin(target, href) if href else None)
        fetched_at = parse_date(record.rec_headers.get_header("WARC-Date")) or datetime.now().astimezone()
        if not self.keep_personal_data:
            text, url, target = redact_html(text), redact_url(url), redact_url(target)
        return Page.from_html(
            url,
            text,
            status=status,
            fetched_at=fetched_at,
            requested_url=target,
            content_type=content_type,
            encoding=encoding,
            etag=headers.get_header("ETag"),
            last_modified=headers.get_header("Last-Modified"),
            origin="warc",
        )


def read_warc(path: Path, *, keep_personal_data: bool = False, max_record_bytes: int | None = None) -> WarcReading:
    """The HTML pages of a WARC/ARC file, as an iterator of Pages (see `WarcReading.skipped`);
    records longer than `max_record_bytes` are skipped unread."""
    return WarcReading(path, keep_personal_data, max_record_bytes)
