"""One story, one URL: the canonical form of a URL and of a fetched page.

Feeds, share buttons and mobile sites point at the same article with tracking
parameters, fragments and AMP flags.  Requests are canonicalised before they reach
the scheduler, so Scrapy's duplicate filter and the incremental store see one URL;
after a fetch, the page's own `rel=canonical` link (when it stays on the same site)
names the row it is stored under.  The path is never rewritten before a fetch, so a
server's own redirects cannot fight ours.  The variant lists live in
`crawler/url_variants.toml`.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from html import unescape
from importlib import resources
from typing import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

_VARIANTS = tomllib.loads((resources.files("crawler") / "url_variants.toml").read_text(encoding="utf-8"))
_DROP_PARAMS = {p.lower() for p in _VARIANTS["tracking_params"]} | {p.lower() for p in _VARIANTS["amp_params"]}
_AMP_ENDINGS = [tuple(pair) for pair in _VARIANTS["amp_path_endings"]]
_HOST_PREFIXES = tuple(_VARIANTS["variant_host_prefixes"])


@lru_cache(maxsize=65536)  # a URL is canonicalised several times on its way (request, redirect, page key)
def canonical_url(url: str) -> str:
    """The URL without fragment, trackers and AMP flags; scheme and host lower-cased, default port dropped,
    query parameters sorted.  URLs that are not http(s) are returned unchanged."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url
    try:
        normal = normalize_url(parts._replace(fragment=""))
    except ValueError:
        return url
    parts = urlsplit(normal)
    if parts.query:
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _DROP_PARAMS]
        parts = parts._replace(query=urlencode(sorted(kept)))
    return urlunsplit(parts._replace(fragment=""))


def site_key(host: str) -> str:
    """The host without the prefixes of mobile/AMP/www renderings: m.example.com and www.example.com match."""
    host = host.lower()
    stripped = True
    while stripped:
        stripped = False
        for prefix in _HOST_PREFIXES:
            if host.startswith(prefix) and host.count(".") > 1:
                host = host[len(prefix):]
                stripped = True
    return host


def same_site(a: str, b: str) -> bool:
    ka, kb = site_key(urlsplit(a).hostname or ""), site_key(urlsplit(b).hostname or "")
    return bool(ka) and (ka == kb or ka.endswith("." + kb) or kb.endswith("." + ka))


def without_amp_ending(url: str) -> str:
    parts = urlsplit(url)
    for ending, replacement in _AMP_ENDINGS:
        if parts.path.endswith(ending) and len(parts.path) > len(ending):
            return urlunsplit(parts._replace(path=parts.path[: -len(ending)] + replacement))
    return url


def page_url(fetched_url: str, canonical_href: str | None, site_domains: Sequence[str] = ()) -> str:
    """The key a fetched page is stored under.

    The page's rel=canonical wins when it is an http(s) URL on the same site (or on one of
    `site_domains`, the outlet's registered domains: a mirror or CDN host declares the
    public one) and does not send an article to the home page (a common template bug);
    otherwise the fetched URL, with an AMP path ending mapped back to the regular page.
    """
    fetched = canonical_url(fetched_url)
    if canonical_href:
        candidate = canonical_url(canonical_href)
        parts, fetched_parts = urlsplit(candidate), urlsplit(fetched)
        to_home = parts.path in ("", "/") and fetched_parts.path not in ("", "/")
        host = (parts.hostname or "").lower()
        on_site = same_site(candidate, fetched) or any(host == d or host.endswith("." + d) for d in site_domains)
        if parts.scheme in ("http", "https") and on_site and not to_home:
            return candidate
    return without_amp_ending(fetched)


_LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_REL_CANONICAL = re.compile(r"""\brel\s*=\s*(["']?)[^"'>]*\bcanonical\b""", re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def canonical_link(html: str) -> str | None:
    """The href of the page's <link rel="canonical"> (searched in the head only: it is cheap and
    a canonical link in the body is not one), or None."""
    head_end = html.find("</head")
    head = html[: head_end if head_end != -1 else 200_000]
    for tag in _LINK_TAG.findall(head):
        if _REL_CANONICAL.search(tag):
            match = _HREF.search(tag)
            if match:
                href = next(g for g in match.groups() if g is not None).strip()
                return unescape(href) or None
    return None
