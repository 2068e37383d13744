"""The source registry: which outlets to crawl and how to discover their articles.

The bundled `crawler/sources.toml` lists real outlets; operators add or override
entries in their own TOML files (`--config`).  Every entry is checked when it is
loaded, so a typo in a field name or a feed that is not a URL stops the run with
one line naming the file, the entry and the field, instead of failing silently
hours later in a cron job.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Sequence
from urllib.parse import urlsplit

BUNDLED_REGISTRY = "crawler/sources.toml"

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)*[a-z0-9-]{1,63}$")


class RegistryError(ValueError):
    """A registry or config file cannot be used; the message is one line naming file, entry and field."""


@dataclass
class Source:
    id: str
    name: str
    homepage: str
    country: str = ""
    language: str = "en"
    kind: str = ""
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    start_urls: list[str] = field(default_factory=list)
    allowed_domains: list[str] = field(default_factory=list)

    def owns(self, url: str) -> bool:
        """Whether a URL belongs to this outlet (its allowed domains or its homepage's host)."""
        return host_matches(urlsplit(url).hostname or "", self.domains())

    def domains(self) -> list[str]:
        return self.allowed_domains or [bare_host(self.homepage)]


def bare_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def host_matches(host: str, domains: Sequence[str]) -> bool:
    host = host.lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def source_for_url(url: str, sources: Sequence[Source]) -> Source | None:
    """The source a URL belongs to: the one with the longest matching domain."""
    host = (urlsplit(url).hostname or "").lower()
    best, best_len = None, -1
    for source in sources:
        for domain in source.domains():
            if (host == domain or host.endswith("." + domain)) and len(domain) > best_len:
                best, best_len = source, len(domain)
    return best


_STRING_FIELDS = ("country", "language", "kind")
_URL_LIST_FIELDS = ("feeds", "sitemaps", "start_urls")
_KNOWN_FIELDS = {"id", "name", "homepage", *_STRING_FIELDS, *_URL_LIST_FIELDS, "allowed_domains"}


def unknown_key(key: str, known) -> str:
    """"unknown key 'x'" with the closest known key suggested, for a one-line settings error:
    a misspelt key silently ignored means a run that quietly does something else."""
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(sorted(known))}"
    return f"unknown key '{key}' ({hint})"


def _is_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _parse_entry(where: str, index: int, entry: object) -> Source:
    if not isinstance(entry, dict):
        raise RegistryError(f"{where}: source #{index + 1} must be a table ([[source]])")
    label = f"source '{entry['id']}'" if isinstance(entry.get("id"), str) else f"source #{index + 1}"

    def fail(field_name: str, problem: str) -> RegistryError:
        return RegistryError(f"{where}: {label}: field '{field_name}' {problem}")

    unknown = sorted(set(entry) - _KNOWN_FIELDS)
    if unknown:
        raise RegistryError(f"{where}: {label}: {unknown_key(unknown[0], _KNOWN_FIELDS)}")
    for required in ("id", "name", "homepage"):
        if required not in entry:
            raise fail(required, "is missing")
    if not isinstance(entry["id"], str) or not _ID.match(entry["id"]):
        raise fail("id", "must be lower-case letters, digits, '.', '_' or '-'")
    if not isinstance(entry["name"], str) or not entry["name"].strip():
        raise fail("name", "must be a non-empty string")
    if not _is_http_url(entry["homepage"]):
        raise fail("homepage", "must be an http(s) URL")
    for name in _STRING_FIELDS:
        if name in entry and not isinstance(entry[name], str):
            raise fail(name, "must be a string")
    for name in _URL_LIST_FIELDS:
        value = entry.get(name, [])
        if not isinstance(value, list) or not all(_is_http_url(v) for v in value):
            raise fail(name, "must be a list of http(s) URLs")
    domains = entry.get("allowed_domains", [])
    if not isinstance(domains, list) or not all(
        isinstance(d, str) and _HOSTNAME.match(d.lower()) for d in domains
    ):
        raise fail("allowed_domains", "must be a list of host names such as \"example.com\"")
    return Source(
        id=entry["id"],
        name=entry["name"].strip(),
        homepage=entry["homepage"],
        country=entry.get("country", ""),
        language=entry.get("language", "en"),
        kind=entry.get("kind", ""),
        feeds=list(entry.get("feeds", [])),
        sitemaps=list(entry.get("sitemaps", [])),
        start_urls=list(entry.get("start_urls", [])),
        allowed_domains=[d.lower().removeprefix("www.") for d in domains] or [bare_host(entry["homepage"])],
    )


def _read_toml(where: str, text_reader) -> dict:
    try:
        return tomllib.loads(text_reader())
    except OSError as exc:
        raise RegistryError(f"{where}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{where}: not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{where}: TOML syntax error: {exc}") from exc


def parse_registry(where: str, data: dict) -> list[Source]:
    """The [[source]] entries of one parsed file; other tables ([crawl], [process]...) are not ours."""
    if "sources" in data:
        raise RegistryError(f"{where}: [[sources]] is not read: write [[source]] (one table per source)")
    entries = data.get("source", [])
    if not isinstance(entries, list):
        raise RegistryError(f"{where}: 'source' must be an array of tables: write [[source]], not [source]")
    sources: list[Source] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        source = _parse_entry(where, index, entry)
        if source.id in seen:
            raise RegistryError(f"{where}: source '{source.id}': field 'id' is used by an earlier entry of this file")
        seen.add(source.id)
        sources.append(source)
    return sources


def load_registry(config_paths: Sequence[Path] = (), bundled: bool = True) -> list[Source]:
    """The bundled registry followed by each config file's sources; a later file's entry replaces an earlier one's."""
    configs = []
    for path in config_paths:
        path = Path(path)
        if not path.is_file():
            raise RegistryError(f"{path}: no such file")
        data = _read_toml(str(path), lambda: path.read_text(encoding="utf-8"))
        flag = data.get("include_bundled_sources", True)
        if not isinstance(flag, bool):
            raise RegistryError(f"{path}: 'include_bundled_sources' must be true or false")
        bundled = bundled and flag
        configs.append((str(path), data))
    merged: dict[str, Source] = {}
    if bundled:
        registry = resources.files("crawler") / "sources.toml"
        for source in parse_registry(BUNDLED_REGISTRY, _read_toml(BUNDLED_REGISTRY, lambda: registry.read_text(encoding="utf-8"))):
            merged[source.id] = source
    for where, data in configs:
        for source in parse_registry(where, data):
            merged.pop(source.id, None)
            merged[source.id] = source
    return list(merged.values())


def select(sources: list[Source], ids_or_names: Sequence[str]) -> list[Source]:
    """The sources named by id or (case-insensitively) by name, in the order asked; all when none are asked."""
    if not ids_or_names:
        return list(sources)
    by_key: dict[str, Source] = {}
    for source in sources:
        by_key[source.id] = source
        by_key.setdefault(source.name.casefold(), source)
    chosen: list[Source] = []
    for wanted in ids_or_names:
        source = by_key.get(wanted) or by_key.get(wanted.casefold())
        if source is None:
            known = ", ".join(s.id for s in sources) or "none"
            raise RegistryError(f"unknown source '{wanted}' (known: {known})")
        if source not in chosen:
            chosen.append(source)
    return chosen
