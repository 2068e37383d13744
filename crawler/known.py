"""What earlier crawls already fetched, so a scheduled run fetches only what is new.

Two kinds of knowledge, kept under `STATE/crawl/`, with different durability on purpose:

* `known.jsonl` — article pages already recorded (stored, or a permanent failure such
  as a 404), with their ETag, Last-Modified and the feed/sitemap date they had.  One
  JSON line is appended and flushed per page *after* the page is in the spool, so a
  `kill -9` can only forget a page (it is fetched again, and the load is an upsert),
  never claim one that was not spooled.  A page listed here is not requested again
  unless a feed or sitemap gives it a newer date than the one we fetched.
* `validators.json` — ETag / Last-Modified of the documents whose links we follow
  (feeds, sitemaps, section pages).  A conditional request that answers 304 means "the
  links you took from this last time are unchanged", which is only true if the last
  crawl finished working through them; so these are written only when a crawl ends
  with its queue drained, atomically.  After a killed or cut-short crawl, those
  documents are fetched in full again and their links re-examined.

Both are keyed by the URL with personal numbers redacted (`nlp.privacy.redact_url`), so
the crawl state holds none either; two URLs differing only in such a number share a key.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

from nlp.privacy import redact_url
from warehouse.records import utcnow


def parse_date(value: str | None) -> datetime | None:
    """A feed or sitemap date (W3C datetime, RFC 822, or a bare date) as an aware datetime."""
    if not value:
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class KnownUrls:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.pages_path = self.directory / "known.jsonl"
        self.validators_path = self.directory / "validators.json"
        self.pages: dict[str, dict] = {}
        lines = 0
        if self.pages_path.exists():
            with open(self.pages_path, encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    lines += 1
                    try:
                        entry = json.loads(line)
                        self.pages[entry["url"]] = entry
                    except (ValueError, KeyError, TypeError):
                        continue  # the cut-off last line of a killed crawl
        if lines > 2 * len(self.pages) + 1000:
            self._compact()
        self.validators: dict[str, dict] = {}
        if self.validators_path.exists():
            try:
                self.validators = json.loads(self.validators_path.read_text(encoding="utf-8"))
            except ValueError:
                self.validators = {}
        self._staged: dict[str, dict] = {}
        self._file = open(self.pages_path, "a", encoding="utf-8")

    def _compact(self) -> None:
        temporary = self.pages_path.with_suffix(".jsonl.tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            for entry in self.pages.values():
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.pages_path)

    # -- article pages --------------------------------------------------------------

    def is_current(self, url: str, lastmod: str | None) -> bool:
        """Whether the page is already recorded and its feed/sitemap date (if any) is not newer."""
        entry = self.pages.get(redact_url(url))
        if entry is None:
            return False
        new_date = parse_date(lastmod)
        if new_date is None:
            return True
        seen_date = parse_date(entry.get("lastmod")) or parse_date(entry.get("fetched_at"))
        return seen_date is not None and new_date <= seen_date

    def remember_page(self, urls: list[str], etag: str | None, last_modified: str | None, lastmod: str | None) -> None:
        """`urls[0]` is the page's canonical URL, the rest the URLs that led to it."""
        fetched_at = utcnow().isoformat()
        page_url = redact_url(urls[0])
        for url in dict.fromkeys(map(redact_url, urls)):
            before = self.pages.get(url, {})  # a 304 may omit the validators it confirmed
            entry = {"url": url, "etag": etag or before.get("etag"),
                     "last_modified": last_modified or before.get("last_modified"),
                     "lastmod": lastmod or before.get("lastmod"), "fetched_at": fetched_at,
                     "canonical": before.get("canonical") if url == page_url else page_url}
            self.pages[url] = entry
            self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._file.flush()

    # -- documents whose links we follow ----------------------------------------------

    def stage_validators(self, url: str, etag: str | None, last_modified: str | None,
                         canonical: str | None = None) -> None:
        if etag or last_modified:
            self._staged[redact_url(url)] = {"etag": etag, "last_modified": last_modified,
                                             "canonical": redact_url(canonical) if canonical else None}

    def commit_validators(self) -> None:
        self.validators.update(self._staged)
        self._staged.clear()
        temporary = self.validators_path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(self.validators, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.validators_path)

    def validators_for(self, url: str, role: str) -> dict:
        """The ETag / Last-Modified to send for a request: link-bearing documents use the
        validators of the last finished crawl, article pages the ones stored with them."""
        url = redact_url(url)
        entry = self.validators.get(url) if role != "article" else self.pages.get(url)
        return entry or {}

    def canonical_for(self, url: str) -> str | None:
        """The canonical URL a page fetched from `url` was stored under, if it differs: a 304
        on that URL confirms the stored page, which must not gain a row under another address."""
        url = redact_url(url)
        for entry in (self.pages.get(url), self.validators.get(url)):
            if entry and entry.get("canonical"):
                return entry["canonical"]
        return None

    def close(self) -> None:
        self._file.close()
