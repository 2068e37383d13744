"""Turning layout tables back into plain blocks before trafilatura reads the page.

Why: many news portals (Chinese ones above all, built when pages were laid out with
`<table width="1000" cellpadding="0">`) put the breadcrumb in one row, the story in one
cell and a sidebar of hot stories in the cell beside it.  trafilatura keeps tables
(they carry facts: figures, lists of blacklisted firms), so it reads such a page as one
data table: the story's paragraphs run together inside one cell, and the breadcrumb and
the sidebar come along as "| ... |" rows.  Once the frame is unwrapped into divs, its
cells are ordinary blocks that trafilatura scores like any other: the story is kept
paragraph by paragraph and the link-heavy sidebar and breadcrumb are dropped.

What tells a frame from a data table is read from the table's own rows and cells (never
from a nested table's).  A frame is dominated by one region of the page, the story: one
cell holds most of its text, and that text is more than one paragraph — several blocks,
headings, lists, other tables, or lines broken by <br> — which is what would run
together.  A data table spreads its text over its cells, each a value perhaps dressed up
by a widget (a rating, a two-line label; empty wrappers do not count); a long
description in one cell of a schedule is still one cell of many.  A table with header
cells or a caption declares itself data and is left alone, and so is a frame around a
single paragraph (a caption box, a breadcrumb row): nothing in it runs together.

A cell holding only inline content (text, links, <font>, <br>: how such portals wrote
their stories) becomes a paragraph rather than a div, as a browser shows it: trafilatura
reads a div's loose text only when the page has little paragraph text elsewhere, and
would lose the story.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

_SPACE = re.compile(r"\s+")

# A cell holding one of these, with text in it, is a region of a page, not a value of a grid.
FRAME_CONTENT = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "form", "blockquote",
    "article", "section", "nav", "aside", "header", "footer",
})
# Blocks of any kind.  A cell with no text inside one is a run of inline content: it becomes
# a paragraph.
BLOCKS = FRAME_CONTENT | {"p", "div", "pre", "hr", "center", "address", "figure", "fieldset", "details"}
# The cell dominating a frame holds at least this many characters of text (not counting
# spaces: more than a label, a figure or a rating widget) and this share of the table's.
FRAME_CELL_MIN_CHARS = 200
FRAME_CELL_MIN_SHARE = 0.5
ROW_GROUPS = frozenset({"thead", "tbody", "tfoot"})
CELLS = frozenset({"td", "th"})


def _rows(table: etree._Element) -> list[etree._Element]:
    """The table's own rows, directly under it or under its thead/tbody/tfoot."""
    rows = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ROW_GROUPS:
            rows.extend(row for row in child if row.tag == "tr")
    return rows


def _tag(element: etree._Element) -> str:
    return element.tag if isinstance(element.tag, str) else ""  # comments and processing instructions


def _blocks_around_text(cell: etree._Element) -> Iterator[list[etree._Element]]:
    """For each piece of the cell's text, the blocks around it inside the cell, innermost
    first (empty when the text is inline).  Walking up from the text rather than down
    from each block keeps a deeply nested cell linear."""
    for text in cell.xpath(".//text()"):
        if not text.strip():  # also &nbsp;, which XPath's normalize-space keeps
            continue
        element = text.getparent().getparent() if text.is_tail else text.getparent()
        blocks = []
        while element is not None and element is not cell:
            if _tag(element) in BLOCKS:
                blocks.append(element)
            element = element.getparent()
        yield blocks


def _text_length(cell: etree._Element) -> int:
    return len(_SPACE.sub("", cell.text_content()))


def _holds_paragraphs(cell: etree._Element) -> bool:
    """Whether the cell holds more than one paragraph: a heading, list, form, table...
    with text in it, text in more than one block (a <div><p>42</p></div> wrapping counts
    once, as its innermost block), or lines broken by <br>."""
    if cell.find(".//br") is not None:
        return True
    paragraphs = set()
    for blocks in _blocks_around_text(cell):
        if any(_tag(block) in FRAME_CONTENT for block in blocks):
            return True
        paragraphs.update(blocks[:1])  # Word and CMS editors write <td><p>42</p></td>: one block is one value
        if len(paragraphs) > 1:
            return True
    return False


def is_layout_table(table: etree._Element) -> bool:
    """Whether `table` frames a page (unwrap it) rather than holding data (keep it)."""
    if any(child.tag in ("caption", "thead") for child in table):
        return False
    cells = [cell for row in _rows(table) for cell in row if cell.tag in CELLS]
    if any(cell.tag == "th" for cell in cells):
        return False
    needed = max(FRAME_CELL_MIN_CHARS, FRAME_CELL_MIN_SHARE * _text_length(table))
    return any(_holds_paragraphs(cell) for cell in cells if _text_length(cell) >= needed)


def unwrap_layout_tables(tree: etree._Element) -> int:
    """Turn every layout table of `tree` into divs (its rows and row groups too) and its
    cells into divs, or paragraphs when they hold only inline content; in place; returns
    how many tables.  Decided for all tables first, so unwrapping an outer frame does not
    change what a nested table is judged to be."""
    frames = [table for table in tree.iter("table") if is_layout_table(table)]
    for table in frames:
        for row in _rows(table):
            for cell in row:
                if cell.tag in CELLS:
                    inline = not any(_blocks_around_text(cell))
                    cell.tag = "p" if inline else "div"
            row.tag = "div"
        for child in table:
            if child.tag in ROW_GROUPS:
                child.tag = "div"
        table.tag = "div"
    return len(frames)
