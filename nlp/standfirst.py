"""The standfirst: the lead paragraph under a story's headline, which trafilatura drops.

Why: sites mark the lead up as a "teaser", "excerpt", "intro" or "chapo" block, and
trafilatura discards blocks so named because on listing pages they are the teasers of
other stories.  On a story's own page the lead is the story's first paragraph, and
analysts want it (it names who and what more often than any other paragraph).  The page
says which block it is: the lead is the summary the page declares in its description
meta tag, shown again as the text of a block of the body.  Read from the parsed tree
before trafilatura prunes it.
"""

from __future__ import annotations

import re

from lxml import etree

# A description shorter than this is a label ("News from Hebei"), not a lead paragraph.
MIN_WORDS = 8

_SPACE = re.compile(r"\s+")
_NOT_TEXT = frozenset({"script", "style", "noscript", "a", "title", "head", "body", "html"})
_DESCRIPTIONS = etree.XPath("//meta[@property='og:description' or @name='description' or @name='Description']")
# Text nodes where the lead may begin; lead blocks are looked for among their ancestors
# up to this many levels (a paragraph in a teaser div in a header), which keeps the
# search linear on pages of deeply nested markup.
_TEXT_NODES_WITH = etree.XPath("//body//text()[contains(., $start)]")
MAX_LEVELS = 4


def _normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _lead_block(tree: etree._Element, lead: str) -> etree._Element | None:
    """The outermost element whose whole text is `lead`, if any."""
    start = " ".join(lead.split(" ")[:3])
    for node in _TEXT_NODES_WITH(tree, start=start):
        element = node.getparent()
        if element is not None and node.is_tail:
            element = element.getparent()
        found = None
        for _ in range(MAX_LEVELS):
            if element is None or element.tag in _NOT_TEXT:
                break
            text = _normalise(element.text_content())
            if text == lead:
                found = element
            elif len(text) > len(lead):
                break
            element = element.getparent()
        if found is not None:
            return found
    return None


def restore_lead(tree: etree._Element) -> str | None:
    """Find the block showing the declared description and make it a plain paragraph, which
    trafilatura keeps in place; returns the lead, or None when the page shows no lead (a
    description shown nowhere is a summary for search engines)."""
    for meta in _DESCRIPTIONS(tree):
        lead = _normalise(meta.get("content") or "")
        if len(lead.split()) < MIN_WORDS:
            continue
        block = _lead_block(tree, lead)
        if block is not None and block.getparent() is not None:
            paragraph = etree.Element("p")  # the wrapper's class is what trafilatura drops
            paragraph.text, paragraph.tail = lead, block.tail
            block.getparent().replace(block, paragraph)
            return lead
    return None


def with_lead(text: str, lead: str | None, title: str | None) -> str:
    """`text` with the lead in its place when trafilatura left it out all the same (its
    main block began below the lead): after the headline when the text opens with it,
    else first.  A text holding nothing stays empty: a lead alone is not a story."""
    if not lead or not text or lead in _normalise(text):
        return text
    first, _, rest = text.partition("\n")
    if title and _normalise(first) == _normalise(title):
        return f"{first}\n{lead}\n{rest}" if rest else f"{first}\n{lead}"
    return f"{lead}\n{text}"
