"""Search queries as analysts write them, turned into SQL conditions over `articles`.

The syntax is the one news-search tools share (Media Cloud, Lucene): words side by side
match an article with any of them, ranked by BM25; `AND` and `OR` (in capitals) combine,
`NOT word` or `-word` excludes, parentheses group, and a "quoted phrase" needs its words
in that order.  Words and phrases are compared as the index stores them (lower case,
accents stripped, Porter stems), so "travel ban" finds "travel bans" and "debtors" finds
"debtor".  Chinese has no spaces between words: a run of CJK characters matches as a
substring.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import duckdb

INDEX_SCHEMA = "fts_main_articles"

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_TOKEN = re.compile(r'-?"[^"]*"?|\(|\)|[^\s()"]+')
OPERATORS = ("AND", "OR", "NOT")

# the article's words as the index saw them (title and text), stemmed, space-separated
_ARTICLE_STEMS = (
    f"' ' || array_to_string(list_filter(list_transform({INDEX_SCHEMA}.tokenize("
    "coalesce(title, '') || ' ' || coalesce(text, '')), t -> stem(t, 'porter')), s -> s <> ''), ' ') || ' '"
)
# the characters the index's tokenizer splits words at (fts `tokenize`), as an RE2 class
_SEPARATOR = r"""[\s0-9!@#$%^&*()_+={}\[\]:;<>,.?~\\/|'"`-]"""
_ARTICLE_FOLDED = "strip_accents(lower(coalesce(title, '') || ' ' || coalesce(text, '')))"
_DOCS_WITH_TERM = (
    f"article_id IN (SELECT docs.name FROM {INDEX_SCHEMA}.docs docs JOIN {INDEX_SCHEMA}.terms terms "
    f"USING (docid) JOIN {INDEX_SCHEMA}.dict dict USING (termid) WHERE dict.term = ?)"
)


class QueryError(ValueError):
    """The query cannot be read; one line for the user."""


@dataclass
class Term:
    """A word or a quoted phrase."""

    text: str
    phrase: bool = False
    stems: list[str] = field(default_factory=list)  # filled by resolve()
    cjk: list[str] = field(default_factory=list)


@dataclass
class Node:
    op: str  # "term", "and", "or", "not"
    term: Term | None = None
    children: list["Node"] = field(default_factory=list)


def parse(query: str) -> Node:
    tokens = _TOKEN.findall(query)
    parser = _Parser(tokens)
    node = parser.any_of()
    if parser.position < len(tokens):
        raise QueryError(f"unexpected {tokens[parser.position]!r} in the search query")
    return node


class _Parser:
    def __init__(self, tokens: list[str]):
        self.tokens, self.position = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        self.position += 1
        return self.tokens[self.position - 1]

    def any_of(self) -> Node:
        return self._joined("OR", "or", self.all_of)

    def all_of(self) -> Node:
        return self._joined("AND", "and", self.clauses)

    def _joined(self, keyword: str, op: str, part) -> Node:
        """`part (keyword part)*`: AND binds tighter than OR."""
        nodes = [part()]
        while self.peek() == keyword:
            self.take()
            nodes.append(part())
        return nodes[0] if len(nodes) == 1 else Node(op, children=nodes)

    def clauses(self) -> Node:
        """Clauses side by side: any of the positive ones, none of the excluded ones."""
        positive, excluded = [], []
        while (token := self.peek()) not in (None, ")", "AND", "OR"):
            if token == "NOT":
                self.take()
                if self.peek() in (None, ")", "AND", "OR", "NOT"):
                    raise QueryError("NOT needs a word, a \"phrase\" or a (group) after it")
                excluded.append(self.atom())
            elif token.startswith("-") and len(token) > 1:
                self.take()
                excluded.append(self.term(token[1:]))
            else:
                positive.append(self.atom())
        if not positive and not excluded:
            where = f"before {self.peek()!r}" if self.peek() else "at the end"
            raise QueryError(f"the search query needs a word or \"phrase\" {where}")
        node = (positive[0] if len(positive) == 1 else Node("or", children=positive)) if positive else None
        if not excluded:
            return node
        return Node("and", children=([node] if node else []) + [Node("not", children=[n]) for n in excluded])

    def atom(self) -> Node:
        token = self.take()
        if token == "(":
            node = self.any_of()
            if self.peek() != ")":
                raise QueryError("a parenthesis in the search query is not closed")
            self.take()
            return node
        if token == ")":
            raise QueryError("unexpected ')' in the search query")
        return self.term(token)

    @staticmethod
    def term(token: str) -> Node:
        if token.startswith('"'):
            return Node("term", Term(token.strip('"'), phrase=True))
        return Node("term", Term(token))


def terms(node: Node, positive: bool = True) -> list[Term]:
    """The terms of the query, only those not excluded when `positive`."""
    if node.op == "term":
        return [node.term]
    if node.op == "not":
        return [] if positive else terms(node.children[0], positive)
    return [t for child in node.children for t in terms(child, positive)]


def resolve(con: duckdb.DuckDBPyConnection, node: Node) -> None:
    """Stem every term as the index does (needs the fts extension loaded and the index built)."""
    for term in terms(node, positive=False):
        term.cjk = _CJK.findall(term.text)
        term.stems = con.execute(
            f"SELECT list_filter(list_transform({INDEX_SCHEMA}.tokenize(?), t -> stem(t, 'porter')), s -> s <> '')",
            [_CJK.sub(" ", term.text)],
        ).fetchone()[0]


def condition(node: Node, indexed: set[str]) -> tuple[str | None, list]:
    """A SQL condition on an `articles` row (with its parameters), None for a term with no words."""
    if node.op == "term":
        return _term_condition(node.term, indexed)
    parts = [condition(child, indexed) for child in node.children]
    parts = [(sql, params) for sql, params in parts if sql]
    if not parts:
        return None, []
    params = [p for _, ps in parts for p in ps]
    if node.op == "not":
        return f"NOT ({parts[0][0]})", params
    joiner = " AND " if node.op == "and" else " OR "
    return "(" + joiner.join(sql for sql, _ in parts) + ")", params


def _term_condition(term: Term, indexed: set[str]) -> tuple[str | None, list]:
    conditions, params = [], []
    for run in term.cjk:
        conditions.append("contains(lower(coalesce(title, '') || ' ' || coalesce(text, '')), ?)")
        params.append(run.lower())
    known = [stem for stem in dict.fromkeys(term.stems) if stem in indexed]
    for stem in known:  # the index finds the candidates fast
        conditions.append(_DOCS_WITH_TERM)
        params.append(stem)
    if len(term.stems) > 1 or (term.stems and not known):  # a phrase, or a stop word the index left out
        # Stemming every candidate's text is slow; a regular expression over the text first keeps
        # only those with the words' beginnings in a row (a Porter stem changes at most the last
        # two letters of a word), and only they are stemmed and compared.
        # The words as written need no stemming at all.
        conditions.append(f"regexp_matches({_ARTICLE_FOLDED}, ?)")
        params.append(_phrase_pattern(term.stems))
        conditions.append(f"(regexp_matches({_ARTICLE_FOLDED}, ?) OR contains({_ARTICLE_STEMS}, ?))")
        params += [_exact_pattern(term.text), " " + " ".join(term.stems) + " "]
    if not conditions:
        return None, []
    return "(" + " AND ".join(conditions) + ")", params


def _phrase_pattern(stems: list[str]) -> str:
    """Words starting with each stem (less its last letters) in a row, separated as the tokenizer separates them."""
    starts = [re.escape(stem[: len(stem) - 1 if len(stem) <= 4 else len(stem) - 2] or stem) for stem in stems]
    word_rest = _SEPARATOR.replace("[", "[^", 1) + "*"
    return f"(^|{_SEPARATOR})" + f"{word_rest}{_SEPARATOR}+".join(starts)


def _exact_pattern(text: str) -> str:
    """The words exactly as written (lower case, accents stripped), in a row."""
    words = [re.escape(word) for word in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFKD", text.lower()))
             if word]
    return f"(^|{_SEPARATOR})" + f"{_SEPARATOR}+".join(words) + f"($|{_SEPARATOR})"


def indexed_stems(con: duckdb.DuckDBPyConnection, node: Node) -> set[str]:
    stems = sorted({s for t in terms(node, positive=False) for s in t.stems})
    if not stems:
        return set()
    return {row[0] for row in con.execute(
        f"SELECT term FROM {INDEX_SCHEMA}.dict WHERE term IN (SELECT unnest(?::VARCHAR[]))", [stems]
    ).fetchall()}
