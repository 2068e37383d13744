"""The one check every request passes before it leaves: scheme, scope, address.

Pages, feeds, sitemaps, robots.txt and redirects are written by strangers, and any of
them can name a URL.  `RequestGuardMiddleware` sits first among the downloader
middlewares, so it sees every request Scrapy is about to download, whichever discovery
path made it, and every hop of a redirect (Scrapy's RedirectMiddleware sends the next
hop back through the scheduler and so through here).  A request is refused when

* its scheme is not http or https (`blocked_scheme`: `file://localhost/etc/passwd`);
* its host is not one of its source's domains (`off_site`): its allowed_domains and
  the hosts of the URLs the operator gave for it (homepage, feeds, sitemaps, start
  URLs); a request without a source (a URL-list entry, a robots.txt) must stay on the
  host its chain started at;
* its host is, or resolves to, an address that is not globally routable: private,
  loopback, link-local (the cloud metadata service 169.254.169.254), shared, reserved
  or multicast (`private_address`), unless CREDITLENS_ALLOW_PRIVATE_NETWORKS is set
  (`[crawl] allow_private_networks = true`; the demo and the tests crawl 127.0.0.1).

The address is looked up through Scrapy's own caching resolver, the one the download
then uses, so the address checked is the address connected to.  A refusal raises
`RequestRefused`, which the spiders' errback records as a page with that error_kind
(so it is counted in `crawl_runs.errors_by_kind`), with one warning line in the log.
Scrapy's file, s3, ftp and data download handlers are switched off in
crawler/settings.py as well, so a non-http URL has nothing to be fetched by.
"""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

from crawler.sources import bare_host, host_matches
from nlp.privacy import redact_url

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https")


class RequestRefused(IgnoreRequest):
    """A request the guard will not send; `kind` is the error_kind it is recorded under."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def public_address(address: str) -> bool:
    """Whether an IP address is globally routable (an IPv4-mapped IPv6 address counts as its IPv4 one)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


class RequestGuardMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.allow_private = crawler.settings.getbool("CREDITLENS_ALLOW_PRIVATE_NETWORKS")
        self._source_domains: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        parts = urlsplit(request.url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        if scheme not in ALLOWED_SCHEMES:
            self._refuse(request, "blocked_scheme", f"scheme {scheme or 'missing'!r} is not http(s)")
        if not host:
            self._refuse(request, "blocked_scheme", "no host")
        domains = self._domains(request)
        if not host_matches(host, domains):
            self._refuse(request, "off_site", f"host {host} is outside the source's domains ({', '.join(domains)})")
        if not self.allow_private:
            address = _ip_literal(host) or await self._resolve(host)
            if address is not None and not public_address(address):
                self._refuse(request, "private_address",
                             f"host {host} is the non-public address {address} (allow_private_networks is off)")
        return None

    def _domains(self, request) -> list[str]:
        spider = self.crawler.spider
        source = getattr(spider, "sources_by_id", {}).get(request.meta.get("source"))
        if source is not None:
            if source.id not in self._source_domains:
                given = [source.homepage, *source.feeds, *source.sitemaps, *source.start_urls]
                self._source_domains[source.id] = list(dict.fromkeys([*source.domains(), *map(bare_host, given)]))
            return self._source_domains[source.id]
        first = (request.meta.get("redirect_urls") or [request.url])[0]
        return [bare_host(first)]

    async def _resolve(self, host: str) -> str | None:
        """The address Scrapy's resolver gives the host (cached, so the download connects to it);
        None when the name does not resolve: the download then fails with its own DNS error."""
        from twisted.internet import reactor

        try:
            return await maybe_deferred_to_future(reactor.resolve(host))
        except (DNSLookupError, OSError):
            return None

    def _refuse(self, request, kind: str, reason: str):
        chain = request.meta.get("redirect_urls") or []
        via = f" (redirected from {redact_url(chain[0])})" if chain else ""
        message = f"refused {redact_url(request.url)}{via}: {reason}"
        logger.warning(message)
        raise RequestRefused(kind, message)
