"""Telling articles from pages that only look like them: listings, paywalls, error pages.

Why: trafilatura extracts *some* text from almost any page — the teasers of a section
front, the first paragraph above a paywall, the apology of a 404 page served with
status 200 — and each would be counted as a story.  The page itself says what it is,
if one reads the right places: its declared type (og:type, JSON-LD @type,
isAccessibleForFree), its URL (/tag/, /page/2), its title ("Page not found"), and
the shape of the extracted text (a listing's text is mostly the titles of links to
other pages).  Signals are read from the parsed tree before trafilatura prunes it;
phrases and patterns live in nlp/data/pagekind.toml.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree

from nlp.datafiles import read_data_file
from nlp.language import CJK

# Page kinds reported besides "article".
ARTICLE, LISTING, PAYWALL, ERROR_PAGE, TOO_SHORT = "article", "listing", "paywall", "error_page", "too_short"

# Below this many words a page is not a story (a caption, a stub, a redirect notice).
MIN_WORDS = 25
# An error page or paywall stub may carry a paragraph or two; more text is a real story
# that merely mentions "not found" or offers a subscription.
ERROR_MAX_WORDS = 150
PAYWALL_MAX_WORDS = 250
# A link whose text is at least this long (Latin words / CJK characters) reads as a headline.
HEADLINE_MIN_WORDS = 4
HEADLINE_MIN_CJK = 8
# A text is a listing when teasers — headlines of links to other pages, or text of the list
# item / card holding such a link — make this share of its characters, in at least this
# many lines.  A page declaring itself an article needs a larger share (its related-stories
# box may leak into the text); a page declaring og:type "website" needs only one teaser (a
# section front with a single story is still a section front).
LISTING_MIN_TEASERS = 5
LISTING_TEASER_SHARE = 0.5
LISTING_TEASER_SHARE_DECLARED_ARTICLE = 0.7
# A URL (/tag/, the site root) or schema.org type saying "listing" is outweighed by a text
# that reads as a story of its own: at least this many words, under this share of teasers
# (a company or blog home page with its introduction, a shop category with a buying guide;
# a section front's extracted text is its teasers, or a lead paragraph much shorter).
STORY_MIN_WORDS = 200
STORY_MAX_TEASER_SHARE = 0.2
# A teaser card (title, date, summary) is short; a longer block holding a link is content.
TEASER_MAX_CHARS = 1000
# Lines shorter than this are not weighed when deciding whether a text is teasers.
TEASER_MIN_CHARS = 20
TEASER_MAX_TARGETS = 2
TEASER_CONTAINERS = frozenset({"li", "article"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# schema.org / og:type values declaring a single story.
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "liveblogposting",
    "report", "scholarlyarticle", "techarticle", "posting", "socialmediaposting",
})

_SPACE = re.compile(r"\s+")
_LIST_MARKER = re.compile(r"^[-•*·]\s+")  # trafilatura writes list items as "- item"


@dataclass(frozen=True)
class Vocabulary:
    error_titles: tuple[str, ...]
    paywall_phrases: tuple[str, ...]
    listing_schema_types: frozenset[str]
    listing_url: re.Pattern


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data, _ = read_data_file("pagekind.toml")
    return Vocabulary(
        error_titles=tuple(t.lower() for t in data["error_titles"]),
        paywall_phrases=tuple(p.lower() for p in data["paywall_phrases"]),
        listing_schema_types=frozenset(t.lower() for t in data["listing_schema_types"]),
        listing_url=re.compile("|".join(f"(?:{p})" for p in data["listing_url_patterns"]), re.IGNORECASE),
    )


@dataclass
class PageSignals:
    """What the page declares about itself, read from its tree before extraction."""

    title: str = ""
    heading: str = ""
    og_type: str = ""
    schema_types: set[str] = field(default_factory=set)
    accessible_for_free: bool = True
    paywall_phrase: str | None = None
    headlines: set[str] = field(default_factory=set)
    published: str | None = None  # the declared publication timestamp (JSON-LD or meta)
    # Texts of the list items / cards holding a headline link, without whitespace (markup
    # decides where spaces fall, so they are not compared), "\n"-joined.
    teasers: str = ""

    def is_teaser(self, line: str) -> bool:
        line = _LIST_MARKER.sub("", line)
        return line in self.headlines or _SPACE.sub("", line) in self.teasers

    @property
    def declares_article(self) -> bool:
        return self.og_type == "article" or bool(self.schema_types & ARTICLE_TYPES)


def _normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _is_headline(text: str) -> bool:
    return len(text.split()) >= HEADLINE_MIN_WORDS or len(CJK.findall(text)) >= HEADLINE_MIN_CJK


def _json_ld_items(tree: etree._Element):
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                stack.extend(v for k, v in item.items() if k == "@graph")


def _paywall_phrase(tree: etree._Element) -> str | None:
    """A paywall phrase in the visible text.  The whole text is searched first (one fast
    pass); only on a hit are scripts left out, since paywall scripts carry such phrases
    on free articles too."""
    body = tree.find(".//body")
    if body is None:
        return None
    everything = _normalise(body.text_content()).lower()
    candidates = [p for p in vocabulary().paywall_phrases if p in everything]
    if not candidates:
        return None
    visible = _normalise(" ".join(
        body.xpath(".//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]")
    )).lower()
    return next((p for p in candidates if p in visible), None)


def read_signals(tree: etree._Element) -> PageSignals:
    signals = PageSignals()
    signals.title = _normalise(tree.findtext(".//title") or "")
    h1 = tree.find(".//h1")
    signals.heading = _normalise(h1.text_content()) if h1 is not None else ""
    for meta in tree.iterfind(".//meta[@property='og:type']"):
        signals.og_type = (meta.get("content") or "").strip().lower()
    for meta in tree.xpath(".//meta[@property='article:published_time' or @name='article:published_time' "
                           "or @itemprop='datePublished']"):
        signals.published = signals.published or (meta.get("content") or "").strip() or None
    for item in _json_ld_items(tree):
        if isinstance(item.get("datePublished"), str):
            signals.published = signals.published or item["datePublished"].strip() or None
        types = item.get("@type", [])
        for t in types if isinstance(types, list) else [types]:
            if isinstance(t, str):
                signals.schema_types.add(t.lower())
        if str(item.get("isAccessibleForFree", "true")).lower() == "false":
            signals.accessible_for_free = False
    signals.paywall_phrase = _paywall_phrase(tree)
    cards: dict[etree._Element, str | None] = {}  # one text per card, however many links it holds
    for anchor in tree.iterfind(".//a[@href]"):
        text = _normalise(anchor.text_content())
        if _is_headline(text):
            signals.headlines.add(text)
            container = _teaser_container(anchor)
            if container is not None and container not in cards:
                cards[container] = _card_text(container)
    signals.teasers = "\n".join(text for text in cards.values() if text)
    return signals


def _teaser_container(anchor: etree._Element) -> etree._Element | None:
    """The list item or card a headline link sits in (a heading's parent counts as the
    card), or None when the link sits in running text."""
    element = anchor.getparent()
    for _ in range(4):
        if element is None:
            return None
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in HEADINGS:
            return element.getparent()
        if tag in TEASER_CONTAINERS:
            return element
        element = element.getparent()
    return None


def _card_text(card: etree._Element) -> str | None:
    """The card's text without whitespace, or None when the block is too large or links to
    more than one story to be a teaser (a card leads to one page, perhaps with a second
    link to its comments)."""
    if len({a.get("href", "").split("#")[0] for a in card.iterfind(".//a[@href]")}) > TEASER_MAX_TARGETS:
        return None
    text = _SPACE.sub("", card.text_content())
    return text if len(text) <= TEASER_MAX_CHARS else None


def classify(signals: PageSignals, text: str, word_count: int, url: str) -> tuple[str, str | None]:
    """The page kind and, for anything but an article, a one-line reason."""
    v = vocabulary()
    for label in (signals.title.lower(), signals.heading.lower()):
        hit = next((t for t in v.error_titles if t in label), None)
        if hit and word_count < ERROR_MAX_WORDS:
            return ERROR_PAGE, f"error page: title says {hit!r}"
    if word_count < PAYWALL_MAX_WORDS:
        if signals.paywall_phrase:
            return PAYWALL, f"paywall stub: page says {signals.paywall_phrase!r}"
        if not signals.accessible_for_free:
            return PAYWALL, "paywall stub: page declares isAccessibleForFree false"
    # Short lines (menu words, dates, section labels) say nothing either way.
    lines = [line for line in text.split("\n") if len(line) >= TEASER_MIN_CHARS]
    teasers = [line for line in lines if signals.is_teaser(line)]
    share = sum(map(len, teasers)) / max(1, sum(map(len, lines)))
    needed = LISTING_TEASER_SHARE_DECLARED_ARTICLE if signals.declares_article else LISTING_TEASER_SHARE
    fewest = 1 if signals.og_type == "website" else LISTING_MIN_TEASERS
    if len(teasers) >= fewest and share >= needed:
        return LISTING, f"listing: {len(teasers)} teasers of other pages make {share:.0%} of the text"
    reads_as_story = word_count >= STORY_MIN_WORDS and share < STORY_MAX_TEASER_SHARE
    if not signals.declares_article and len(signals.headlines) >= LISTING_MIN_TEASERS and not reads_as_story:
        listing_types = signals.schema_types & v.listing_schema_types
        if listing_types:
            return LISTING, f"listing: page declares schema.org {sorted(listing_types)[0]}"
        parts = urlsplit(url)
        if v.listing_url.search(parts.path + ("?" + parts.query if parts.query else "")):
            return LISTING, f"listing: index URL with {len(signals.headlines)} headline links"
    if word_count < MIN_WORDS:
        return TOO_SHORT, f"too short: {word_count} words (minimum {MIN_WORDS})"
    return ARTICLE, None
