"""The publication date of a page, and which evidence it rests on.

Why this order: dates drive every trend view, and a wrong date moves a story silently
where a missing one is visible.  The publisher states the date in several places, and
the crawler keeps the ones it read on the way to the page (crawler/spiders): the feed
entry's publication date and the news sitemap's publication_date come first.  Then the
page itself, in the order htmldate trusts its parts (measured on the extraction bench,
bench/RESULTS.md): a date in the URL (with the time of day from the page's own
timestamp when that falls on the same day), the meta tags, schema.org JSON-LD.  Only
then a guess from the page's text and markup (htmldate, its quick pass and, when that
finds nothing, its extensive search), which refuses two dates a page shows without
being dated by them: the copyright footer's year (read as 1 January) and the date of
the fetch itself (a "today is ..." widget).  A sitemap's or feed's modification date is
the last resort: an article is not newer than its last change, but may be much older.

`DateEvidence` holds the crawler's part; the result is (datetime in UTC, source) with
source one of the names below, stored as `articles.date_source`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from htmldate import find_date
from htmldate.core import examine_header
from htmldate.extractors import extract_url_date, json_search
from htmldate.utils import Extractor
from lxml import etree

FEED, SITEMAP, URL, META, JSONLD, PAGE_GUESS, LASTMOD = "feed", "sitemap", "url", "meta", "jsonld", "page_guess", "lastmod"

# Publication dates outside [EARLIEST_DATE, now + FUTURE_TOLERANCE] are wrong (a copyright
# year, an event date, a parsing slip) and are dropped rather than stored.  The tolerance is
# the largest UTC offset: a date written without zone and read as UTC may run 14 hours ahead.
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=timezone.utc)
FUTURE_TOLERANCE = timedelta(hours=14)
# htmldate keeps the time and zone when the page gives them.
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"

# "© 2019", "&copy; 2015-2019", "Copyright (c) 2019": the year a footer shows, not a date.
_COPYRIGHT_YEARS = re.compile(
    r"(?:©|&copy;|&#169;|\(c\)|copyright)\s*(?:(?:19|20)\d\d\s*[-–]\s*)?((?:19|20)\d\d)", re.IGNORECASE
)

_PUBLISHED_META = etree.XPath(".//meta[@property='article:published_time' or @name='article:published_time' "
                              "or @itemprop='datePublished']/@content")


@dataclass(frozen=True)
class DateEvidence:
    """What the crawler knows about a page's date, as the publisher wrote it (Page fields)."""

    feed_date: str | None = None
    sitemap_date: str | None = None
    listed_lastmod: str | None = None
    fetched_at: datetime | None = None  # the day a "today" widget shows


def parse_published(value: str | None, now: datetime | None = None) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 or RFC 822 (RSS) date, or None when missing
    or impossible."""
    if not value:
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    parsed = parsed.astimezone(timezone.utc)
    now = now or datetime.now(timezone.utc)
    if parsed < EARLIEST_DATE or parsed > now + FUTURE_TOLERANCE:
        return None
    return parsed


def _options(extensive: bool) -> Extractor:
    latest = datetime.now(timezone.utc) + FUTURE_TOLERANCE
    return Extractor(extensive, latest.replace(tzinfo=None), EARLIEST_DATE.replace(tzinfo=None), True, DATE_FORMAT)


def _find_kwargs(extensive: bool) -> dict:
    return {
        "extensive_search": extensive,
        "original_date": True,
        "outputformat": DATE_FORMAT,
        "min_date": EARLIEST_DATE.strftime("%Y-%m-%d"),
        "max_date": (datetime.now(timezone.utc) + FUTURE_TOLERANCE).strftime("%Y-%m-%d"),
    }


def is_copyright_year(when: datetime, html: str) -> bool:
    """Whether `when` is 1 January of a year the page shows in a copyright notice."""
    return (when.month, when.day) == (1, 1) and str(when.year) in _COPYRIGHT_YEARS.findall(html)


def _refused(when: datetime | None, html: str, fetched_at: datetime | None) -> bool:
    if when is None:
        return False
    if is_copyright_year(when, html):
        return True
    return fetched_at is not None and when.date() == fetched_at.astimezone(timezone.utc).date()


def _page_guess(tree: etree._Element, url: str | None, html: str, fetched_at: datetime | None) -> datetime | None:
    for extensive in (False, True):  # the quick pass first: the extensive one costs ~7 ms a page
        when = parse_published(find_date(tree, url=url, **_find_kwargs(extensive)))
        if when is not None:
            return None if _refused(when, html, fetched_at) else when
    return None


def _declared_timestamp(tree: etree._Element) -> str | None:
    """The Open Graph / microdata publication timestamp as written, zone included."""
    for value in _PUBLISHED_META(tree):
        if value.strip():
            return value.strip()
    return None


def _with_zone(found: str | None, declared: datetime | None) -> datetime | None:
    """htmldate's reading of the meta tags, or the declared timestamp when htmldate's has no
    zone (it read a "publishdate" such as "2025-06-24 16:05") and falls on the same day:
    read as UTC it would be hours off."""
    when = parse_published(found)
    if when is None or declared is None or abs(declared - when) > timedelta(days=1):
        return when or declared
    try:
        zoned = datetime.fromisoformat(found).tzinfo is not None
    except ValueError:
        zoned = False
    return when if zoned else declared


def _canonical(tree: etree._Element) -> str | None:
    link = tree.find('.//link[@rel="canonical"]')
    return link.get("href") if link is not None else None


def publication_date(tree: etree._Element, url: str | None, html: str,
                     evidence: DateEvidence | None = None) -> tuple[datetime | None, str | None]:
    """(published_at in UTC, date_source), or (None, None) when nothing credible dates the page."""
    evidence = evidence or DateEvidence()
    for value, source in ((evidence.feed_date, FEED), (evidence.sitemap_date, SITEMAP)):
        when = parse_published(value)
        if when is not None:
            return when, source
    options = _options(extensive=False)
    header = _with_zone(examine_header(tree, options), parse_published(_declared_timestamp(tree)))
    on_page = [(header, META), (parse_published(json_search(tree, options)), JSONLD)]
    from_url = parse_published(extract_url_date(url, options) or extract_url_date(_canonical(tree), options))
    if from_url is not None:
        for when, source in on_page:  # the URL gives the day; the page's timestamp the time
            if when is not None and abs(when - from_url) <= timedelta(days=1):
                return when, source
        return from_url, URL
    for when, source in on_page:
        if when is not None:
            return when, source
    when = _page_guess(tree, url, html, evidence.fetched_at)
    if when is not None:
        return when, PAGE_GUESS
    when = parse_published(evidence.listed_lastmod)
    return (when, LASTMOD) if when is not None else (None, None)


# A date written in words htmldate's own patterns do not read ("3 mars 2019") sends it to
# dateparser, which compiles its tables for some 200 locales on first use.
_WARM_UP_PAGE = "<html><body><div><p>Updated hours ago</p><p>Posted on 3 mars 2019</p></div></body></html>"


def warm_up() -> None:
    """Pay the text search's one-time cost (1.3 s of CPU, dateparser's locale tables) now:
    called where processes are forked from, so each extraction worker starts with it paid."""
    find_date(_WARM_UP_PAGE, **_find_kwargs(extensive=True))
