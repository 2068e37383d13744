"""Removing the page furniture that trafilatura lets through.

Why after trafilatura rather than instead of it: trafilatura finds the main block
well, but what a CMS or an attacker puts *inside* that block comes out as text:
injected SEO spam (runs of Chinese link titles, often separated by "|", appended to
English articles on hacked sites), share/follow widgets, "Back to top" links,
"Read also" lead-ins, newsletter and subscription prompts, breadcrumbs ("当前位置:
首页 > 正文"), editor credits ("责任编辑：…"), copyright, reprint-notice and
site-registration footers with their "About us | Contact" links.  Each has a shape a
sentence never has — a block made of short CJK links, a line of "|"-joined titles, a
line made only of widget words, a short line opening with "©" or "Home >" — so they
are removed by shape: link farms on the parsed tree before trafilatura (where links
are still links), the rest line by line on its output.  The vocabulary lives in
nlp/data/boilerplate.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from nlp.datafiles import read_data_file
from nlp.language import cjk_share

# A block of at least this many short CJK links making up this share of its text is a link farm.
LINK_FARM_MIN_LINKS = 5
LINK_FARM_LINK_SHARE = 0.8
LINK_FARM_MAX_TITLE_CHARS = 40

_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")
_LEADING_PUNCTUATION = re.compile(r"^[\W_]+")  # "（责任编辑：" keeps its colon, "(Photo:" too
_WORD = re.compile(r"[\w'-]+")
_SPACE_AND_PUNCTUATION = re.compile(r"[\W_]+")
_SPACE = re.compile(r"\s+")


def _normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Vocabulary:
    widget_words: frozenset[str]
    widget_markers: frozenset[str]
    widget_lines: frozenset[str]
    footer_prefixes: tuple[str, ...]
    footer_phrases: tuple[str, ...]
    footer_max_chars: int
    site_link_labels: tuple[str, ...]
    site_links_min_labelled: int
    spam_markers: tuple[str, ...]
    related_lead_ins: tuple[str, ...]
    promo_phrases: tuple[str, ...]
    lead_in_max_words: int
    update_stamp_prefixes: tuple[str, ...]
    update_stamp_max_words: int
    credit_prefixes: tuple[str, ...]
    credit_max_words: int
    breadcrumb_prefixes: tuple[str, ...]
    breadcrumb_home_words: frozenset[str]
    breadcrumb_separators: re.Pattern
    breadcrumb_max_words: int
    link_run_separators: re.Pattern
    link_run_min_parts: int
    link_run_max_part_chars: int


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data, _ = read_data_file("boilerplate.toml")
    return Vocabulary(
        widget_words=frozenset(data["widget_words"]),
        widget_markers=frozenset(data["widget_markers"]),
        widget_lines=frozenset(data["widget_lines"]),
        footer_prefixes=tuple(p.lower() for p in data["footer_prefixes"]),
        footer_phrases=tuple(p.lower() for p in data["footer_phrases"]),
        footer_max_chars=data["footer_max_chars"],
        site_link_labels=tuple(p.lower() for p in data["site_link_labels"]),
        site_links_min_labelled=data["site_links_min_labelled"],
        spam_markers=tuple(data["spam_markers"]),
        related_lead_ins=tuple(p.lower() for p in data["related_lead_ins"]),
        promo_phrases=tuple(p.lower() for p in data["promo_phrases"]),
        lead_in_max_words=data["lead_in_max_words"],
        update_stamp_prefixes=tuple(p.lower() for p in data["update_stamp_prefixes"]),
        update_stamp_max_words=data["update_stamp_max_words"],
        credit_prefixes=tuple(p.lower() for p in data["credit_prefixes"]),
        credit_max_words=data["credit_max_words"],
        breadcrumb_prefixes=tuple(p.lower() for p in data["breadcrumb_prefixes"]),
        breadcrumb_home_words=frozenset(p.lower() for p in data["breadcrumb_home_words"]),
        breadcrumb_separators=re.compile("[" + re.escape(data["breadcrumb_separators"]) + "]+"),
        breadcrumb_max_words=data["breadcrumb_max_words"],
        link_run_separators=re.compile("[" + re.escape(data["link_run_separators"]) + "]"),
        link_run_min_parts=data["link_run_min_parts"],
        link_run_max_part_chars=data["link_run_max_part_chars"],
    )


def is_widget_line(line: str) -> bool:
    """A line made only of share/follow/back-to-top words, e.g. "Share: Facebook Twitter Email"."""
    v = vocabulary()
    lowered = line.lower()
    if _SPACE_AND_PUNCTUATION.sub("", lowered) in v.widget_lines:
        return True
    words = _WORD.findall(lowered)
    return bool(words) and all(w in v.widget_words for w in words) and any(w in v.widget_markers for w in words)


def is_footer_line(line: str) -> bool:
    """A copyright, reprint-notice or site-registration footer: short, and opening with "©",
    "Copyright", "京ICP备"..., or containing "All rights reserved", "未经授权禁止转载"...; or
    the footer's row of site links ("About us | Contact | Site map"), whose parts mostly
    name pages about the site itself (two at least: one may be a headline's word)."""
    v = vocabulary()
    if len(line) > v.footer_max_chars:
        return False
    lowered = line.strip().lower()
    if lowered.startswith(v.footer_prefixes) or any(p in lowered for p in v.footer_phrases):
        return True
    if not lowered or v.link_run_separators.match(lowered):
        return False  # a table row
    parts = [p.strip() for p in v.link_run_separators.split(lowered) if p.strip()]
    labelled = sum(any(label in part for label in v.site_link_labels) for part in parts)
    return (labelled >= v.site_links_min_labelled and labelled >= 0.5 * len(parts)
            and all(len(part) <= v.link_run_max_part_chars for part in parts))


def is_breadcrumb(line: str) -> bool:
    """A "you are here" trail: a short line opening with "当前位置", "Location:", "You are
    here"..., or whose first step, before a ">" or "»", is the home page ("首页 > 国内 > 正文")."""
    v = vocabulary()
    if len(line.split()) > v.breadcrumb_max_words:
        return False
    if _LEADING_PUNCTUATION.sub("", line.lower()).startswith(v.breadcrumb_prefixes):
        return True
    steps = [step.strip() for step in v.breadcrumb_separators.split(line.lower())]
    return len(steps) >= 2 and _EDGE_PUNCTUATION.sub("", steps[0]) in v.breadcrumb_home_words


def is_promotion_line(line: str) -> bool:
    """A "Read also: <other story>" lead-in, a newsletter/sign-up/subscription prompt, a
    "Last updated" stamp, a photo credit or an editor credit (also when bracketed, as in
    "（责任编辑：王静）")."""
    v = vocabulary()
    words = len(line.split())
    if words > v.lead_in_max_words:
        return False
    lowered = _SPACE.sub(" ", _EDGE_PUNCTUATION.sub("", line.lower()))
    if words <= v.update_stamp_max_words and lowered.startswith(v.update_stamp_prefixes):
        return True
    if words <= v.credit_max_words and _LEADING_PUNCTUATION.sub("", line.lower()).startswith(v.credit_prefixes):
        return True
    if any(lowered.startswith(p) and not lowered[len(p):len(p) + 1].isalnum() for p in v.related_lead_ins):
        return True
    return any(p in lowered for p in v.promo_phrases)


def is_link_run(line: str) -> bool:
    """A line of link titles joined by "|" (navigation, or injected spam links).

    Rows of tables start with the separator in trafilatura's output and are left alone.
    """
    v = vocabulary()
    stripped = line.strip()
    if any(marker in stripped for marker in v.spam_markers):
        return True
    if not stripped or v.link_run_separators.match(stripped):
        return False
    parts = [p.strip() for p in v.link_run_separators.split(stripped)]
    parts = [p for p in parts if p]
    if len(parts) < v.link_run_min_parts:
        return False
    short = sum(len(p) <= v.link_run_max_part_chars for p in parts)
    return short >= 0.75 * len(parts)


def _is_cjk_link_title(text: str) -> bool:
    return 0 < len(text) <= LINK_FARM_MAX_TITLE_CHARS and cjk_share(text) >= 0.5


def remove_link_farms(tree: etree._Element) -> int:
    """Remove blocks of CJK link titles (injected SEO spam) from `tree`; returns how many.

    A block is an element holding at least LINK_FARM_MIN_LINKS short CJK links whose
    text is nearly all of the element's text.  Done on the tree, where the links are
    still links: in the extracted text such a block looks like any run of short lines.
    """
    counts: dict[etree._Element, int] = {}
    for anchor in tree.iter("a"):
        parent = anchor.getparent()
        if parent is not None and _is_cjk_link_title(_normalise(anchor.text_content())):
            counts[parent] = counts.get(parent, 0) + 1
    removed = 0
    for block, links in counts.items():
        if links < LINK_FARM_MIN_LINKS or block.getparent() is None:
            continue
        total = len(_SPACE_AND_PUNCTUATION.sub("", block.text_content()))
        linked = sum(len(_SPACE_AND_PUNCTUATION.sub("", a.text_content())) for a in block.iter("a"))
        if total and linked >= LINK_FARM_LINK_SHARE * total:
            parent = block.getparent()
            if block.tail and block.tail.strip():
                previous = block.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + block.tail
                else:
                    parent.text = (parent.text or "") + block.tail
            parent.remove(block)
            removed += 1
    return removed


def strip_boilerplate(text: str) -> str:
    """`text` without furniture lines and blank lines; paragraphs stay separated by "\\n"."""
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(
        line
        for line in lines
        if line
        and not is_widget_line(_EDGE_PUNCTUATION.sub("", line) or line)
        and not is_footer_line(line)
        and not is_breadcrumb(line)
        and not is_promotion_line(line)
        and not is_link_run(line)
    )
