"""Data model of the demo site: outlets, articles, and the TOML article loader.

Articles are plain TOML files so that content can be written and reviewed
without touching code; the loader validates them strictly because they are
the ground truth that pipeline tests compare against.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


@dataclass(frozen=True)
class Outlet:
    """One fictional news outlet; ``base_url`` is only known once its server runs."""

    id: str
    name: str
    base_url: str
    language: str
    country: str
    kind: str
    domain: str  # the outlet's public domain: its pages declare canonical URLs there




# Static outlet facts; the port (hence base_url) is assigned at server start.
OUTLETS: dict[str, Outlet] = {
    o.id: o
    for o in (
        Outlet("beacon", "The Beacon Daily", "", "en", "CN", "state media", "beacondaily.example"),
        Outlet("harbour", "Harbour Morning Post", "", "en", "HK", "commercial", "harbourpost.example"),
        Outlet("ledger", "Ledger Asia", "", "en", "SG", "business press", "ledgerasia.example"),
        Outlet("dongfang", "Dongfang Review 东方评论", "", "en", "CN", "bilingual", "dongfangreview.example"),
        Outlet("qiantang", "钱塘法治报", "", "zh", "CN", "state media", "qiantangfazhi.example"),
        Outlet("weigang", "維港日報", "", "zh", "HK", "commercial", "weigangdaily.example"),
    )
}


@dataclass(frozen=True)
class Comment:
    author: str
    text: str


@dataclass(frozen=True)
class DemoArticle:
    """Every field of an article TOML file, plus ``url`` once the site is running."""

    slug: str
    outlet: str
    title: str
    author: str
    published: dt.datetime  # timezone-aware
    section: str
    language: str
    relevant: bool
    kind: str
    tags: tuple[str, ...]
    summary: str
    syndicated_from: str
    spam_block: bool
    disallowed: bool
    paragraphs: tuple[str, ...]
    comments: tuple[Comment, ...]
    url: str = ""
    canonical_url: str = ""  # on the outlet's public domain; the key the pipeline stores it under


_REQUIRED = object()
# field -> (expected type, default); _REQUIRED fields must be present.
_FIELDS: dict[str, tuple[type, object]] = {
    "slug": (str, _REQUIRED),
    "outlet": (str, _REQUIRED),
    "title": (str, _REQUIRED),
    "author": (str, ""),
    "published": (str, _REQUIRED),
    "section": (str, _REQUIRED),
    "language": (str, _REQUIRED),
    "relevant": (bool, _REQUIRED),
    "kind": (str, "article"),
    "tags": (list, []),
    "summary": (str, _REQUIRED),
    "syndicated_from": (str, ""),
    "spam_block": (bool, False),
    "disallowed": (bool, False),
    "paragraphs": (list, _REQUIRED),
    "comments": (list, []),
}
_CHOICES = {"language": {"en", "zh"}, "kind": {"article", "paywall"}, "outlet": set(OUTLETS)}


def load_articles(directory: str | Path | Traversable | None = None) -> list[DemoArticle]:
    """Parse ``<directory>/<outlet>/<slug>.toml`` (default: the bundled articles).

    Raises ValueError naming the file and field on any bad data, so a typo in
    content fails loudly instead of silently skewing the pipeline's ground truth.
    """
    root = resources.files(__package__) / "articles" if directory is None else Path(directory)
    articles: list[DemoArticle] = []
    for outlet_dir in sorted(root.iterdir(), key=lambda p: p.name):
        if not outlet_dir.is_dir():
            continue
        if outlet_dir.name not in OUTLETS:
            raise ValueError(f"{outlet_dir}: directory name is not an outlet id {sorted(OUTLETS)}")
        for file in sorted(outlet_dir.iterdir(), key=lambda p: p.name):
            if file.name.endswith(".toml"):
                articles.append(_parse_file(file, outlet_dir.name))
    _check_cross_references(articles)
    return articles


def _parse_file(file: Traversable, outlet_dir: str) -> DemoArticle:
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{file}: not valid UTF-8 TOML: {exc}") from exc

    def bad(field: str, problem: str) -> ValueError:
        return ValueError(f"{file}: field {field!r}: {problem}")

    unknown = set(data) - set(_FIELDS)
    if unknown:
        raise bad(sorted(unknown)[0], "unknown field")
    values = {}
    for field, (kind, default) in _FIELDS.items():
        if field not in data:
            if default is _REQUIRED:
                raise bad(field, "missing")
            values[field] = default
            continue
        value = data[field]
        if field == "published" and isinstance(value, dt.datetime):
            value = value.isoformat()  # unquoted TOML datetime: accept it too
        if not isinstance(value, kind):
            raise bad(field, f"expected {kind.__name__}, got {type(value).__name__}")
        if field in _CHOICES and value not in _CHOICES[field]:
            raise bad(field, f"{value!r} not one of {sorted(_CHOICES[field])}")
        values[field] = value

    stem = file.name.removesuffix(".toml")
    if values["slug"] != stem:
        raise bad("slug", f"{values['slug']!r} must equal the file stem {stem!r}")
    if values["outlet"] != outlet_dir:
        raise bad("outlet", f"{values['outlet']!r} must equal the directory name {outlet_dir!r}")
    for field in ("title", "section", "summary"):
        if not values[field].strip():
            raise bad(field, "empty")
    try:
        published = dt.datetime.fromisoformat(values["published"])
    except ValueError as exc:
        raise bad("published", f"not ISO 8601: {exc}") from exc
    if published.tzinfo is None:
        raise bad("published", "needs a UTC offset, e.g. +08:00")
    if not values["paragraphs"] or not all(isinstance(p, str) and p.strip() for p in values["paragraphs"]):
        raise bad("paragraphs", "must be a non-empty list of non-empty strings")
    if not all(isinstance(t, str) for t in values["tags"]):
        raise bad("tags", "must be a list of strings")
    comments = []
    for c in values["comments"]:
        if not (isinstance(c, dict) and set(c) == {"author", "text"} and all(isinstance(v, str) for v in c.values())):
            raise bad("comments", "each entry needs exactly string fields 'author' and 'text'")
        comments.append(Comment(c["author"], c["text"]))

    values.update(
        published=published,
        tags=tuple(values["tags"]),
        paragraphs=tuple(values["paragraphs"]),
        comments=tuple(comments),
    )
    return DemoArticle(**values)


def _check_cross_references(articles: list[DemoArticle]) -> None:
    slugs: set[str] = set()
    for a in articles:
        if a.slug in slugs:
            raise ValueError(f"{a.outlet}/{a.slug}.toml: field 'slug': duplicate slug {a.slug!r}")
        slugs.add(a.slug)
    for a in articles:
        if a.syndicated_from and a.syndicated_from not in slugs:
            raise ValueError(
                f"{a.outlet}/{a.slug}.toml: field 'syndicated_from': no article with slug {a.syndicated_from!r}"
            )
