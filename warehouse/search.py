"""Full-text search over articles (title and text), ranked by BM25.

DuckDB's fts extension builds an inverted index as ordinary tables in the schema
`fts_main_articles`; it is loaded from the installed `duckdb-extension-fts`
package so that search works offline and nothing is downloaded at run time.  The
index is a snapshot, so the jobs rebuild it after each load (`refresh_index`).

BM25 ranks by words; a phrase in double quotes must also appear as a phrase
(words in that order, separated only by spaces or punctuation).  Chinese text has
no spaces, so a run of CJK characters in a query is matched as a substring.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb

INDEX_SCHEMA = "fts_main_articles"
SNIPPET_CHARS = 240

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


class SearchError(ValueError):
    """Search cannot run (no extension, no index, empty query); one line for the user."""


def _extension_file() -> Path:
    try:
        import duckdb_extension_fts
    except ImportError as exc:
        raise SearchError(
            "full-text search needs the package duckdb-extension-fts==1.5.5 (pip install it)"
        ) from exc
    folder = Path(duckdb_extension_fts.__path__[0]) / "extensions"
    found = sorted(folder.glob("**/fts.duckdb_extension"))
    if not found:
        raise SearchError(f"no fts.duckdb_extension file in {folder}; reinstall duckdb-extension-fts==1.5.5")
    return found[-1]


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """LOAD the fts extension from the installed package file (never INSTALL: no network)."""
    path = _extension_file()
    try:
        con.execute(f"LOAD '{path.as_posix()}'")
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise SearchError(f"cannot load the full-text-search extension {path}: {first}") from exc


def _fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """What the index was built from: the number of articles and a hash of their ids, titles and texts."""
    count, total = con.execute(
        "SELECT count(*), coalesce(sum(hash(article_id, title, text)), 0) FROM articles"
    ).fetchone()
    return f"creditlens index of {count} articles, content {total}"


def index_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the index covers exactly the articles stored now."""
    if not has_index(con):
        return False
    comment = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE schema_name = ? AND table_name = 'docs'", [INDEX_SCHEMA]
    ).fetchone()[0]
    return comment == _fingerprint(con)


def refresh_index(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the BM25 index over articles(title, text) if they changed since it was built.

    English stemming and stop words, accents stripped, so 'debtors' finds 'debtor' and
    'Sesame' finds 'sesame'.  The fts extension can only rebuild the whole index
    (minutes at a million articles), so a load that changed nothing (a re-run, an
    empty crawl) must not pay for it: the fingerprint of what the index covers is
    kept as the comment of its `docs` table."""
    load_fts(con)
    if index_is_current(con):
        return
    fingerprint = _fingerprint(con)
    # The new index is built inside one transaction and replaces the old one only when
    # it commits: a build that fails, is interrupted or killed leaves the old index
    # (and the connection) as they were, so `search` keeps working.
    con.execute("BEGIN")
    try:
        con.execute(
            "PRAGMA create_fts_index('articles', 'article_id', 'title', 'text', "
            "stemmer = 'porter', stopwords = 'english', strip_accents = 1, lower = 1, overwrite = 1)"
        )
        con.execute(f"COMMENT ON TABLE {INDEX_SCHEMA}.docs IS '{fingerprint}'")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def has_index(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = 'docs'", [INDEX_SCHEMA]
    ).fetchone()[0] > 0


class ParsedQuery:
    """A query split into bare words (ranked by BM25) and phrases (must match as phrases)."""

    def __init__(self, query: str):
        self.phrases = [p.strip() for p in re.findall(r'"([^"]*)"', query) if p.strip()]
        rest = re.sub(r'"[^"]*"?', " ", query)
        # CJK runs are not split into words by the index: match them as substrings.
        self.phrases += _CJK.findall(rest)
        self.words = _WORD.findall(_CJK.sub(" ", rest))
        if not self.words and not self.phrases:
            raise SearchError("empty search query: give words, or a \"phrase in double quotes\"")

    @property
    def bm25_text(self) -> str:
        return " ".join(self.words + [w for p in self.phrases for w in _WORD.findall(_CJK.sub(" ", p))])

    def phrase_patterns(self) -> list[str]:
        """One RE2 pattern per phrase: its words in order, separated by non-word characters."""
        patterns = []
        for phrase in self.phrases:
            parts = [re.escape(part) for part in _WORD.findall(phrase.lower())] or [re.escape(phrase.lower())]
            body = r"[\W_]+".join(parts)
            if re.match(r"\w", phrase[0]) and not _CJK.match(phrase[0]):
                body = r"\b" + body
            if re.match(r"\w", phrase[-1]) and not _CJK.match(phrase[-1]):
                body = body + r"\b"
            patterns.append(body)
        return patterns

    def first_hit(self, text: str) -> int:
        """Where in `text` the snippet should start looking: the earliest phrase or word."""
        lowered = text.lower()
        positions = [m.start() for p in self.phrase_patterns() for m in [re.search(p, lowered)] if m]
        positions += [m.start() for w in self.words for m in [re.search(r"\b" + re.escape(w.lower()), lowered)] if m]
        return min(positions, default=0)


def snippet(text: str, parsed: ParsedQuery) -> str:
    """A one-line window of the text around the first match."""
    text = text or ""
    start = max(0, parsed.first_hit(text) - SNIPPET_CHARS // 3)
    window = re.sub(r"\s+", " ", text[start:start + SNIPPET_CHARS]).strip()
    return ("…" if start > 0 else "") + window + ("…" if start + SNIPPET_CHARS < len(text) else "")


def search(
    con: duckdb.DuckDBPyConnection,
    query: str,
    limit: int = 20,
    since: date | None = None,
    until: date | None = None,
    source: str | None = None,
    language: str | None = None,
    theme: str | None = None,
) -> list[dict]:
    """Articles matching `query`, best BM25 score first, narrowed by the filters given."""
    if limit < 1:
        raise SearchError(f"the result limit must be at least 1, not {limit}")
    parsed = ParsedQuery(query)
    matches, params = matching_sql(con, parsed, since=since, until=until, source=source, language=language, theme=theme)
    rows = con.execute(
        f"""
        WITH hits AS ({matches})
        SELECT a.article_id, hits.score, a.title, a.source, a.published_at, a.url, a.text
        FROM hits JOIN articles a USING (article_id)
        ORDER BY hits.score DESC, a.published_at DESC NULLS LAST, a.article_id
        LIMIT ?
        """,
        params + [limit],
    ).fetchall()
    return [
        {
            "article_id": article_id, "score": round(score, 4), "title": title, "source": src,
            "published_at": published_at, "url": url, "snippet": snippet(text, parsed),
        }
        for article_id, score, title, src, published_at, url, text in rows
    ]


def matching_sql(
    con: duckdb.DuckDBPyConnection,
    parsed: ParsedQuery,
    since: date | None = None,
    until: date | None = None,
    source: str | None = None,
    language: str | None = None,
    theme: str | None = None,
) -> tuple[str, list]:
    """A SELECT of (article_id, score) for every article matching the query and filters,
    with its parameters; exports embed it to narrow their rows by a query, unlimited."""
    load_fts(con)
    if not has_index(con):
        raise SearchError("no search index yet: it is built by `creditlens process` or `creditlens run`")
    conditions, params = [], []
    bm25 = parsed.bm25_text
    if bm25:
        scores = _BM25_SQL.format(index=INDEX_SCHEMA)
        params.append(bm25)
    else:
        scores = "SELECT NULL::VARCHAR AS article_id, NULL::DOUBLE AS score WHERE false"
    # An article matches through the index when the query has a word the index knows
    # (a phrase's words included); only a query of Chinese or stop words alone needs
    # every article's text read.
    join = "JOIN" if parsed.words or (bm25 and _known_terms(con, bm25)) else "LEFT JOIN"
    for pattern in parsed.phrase_patterns():
        conditions.append("regexp_matches(lower(coalesce(title, '') || ' ' || coalesce(text, '')), ?)")
        params.append(pattern)
    filters, filter_params = filter_sql(since=since, until=until, source=source, language=language, theme=theme)
    conditions += filters
    params += filter_params
    sql = f"""
        WITH scores AS ({scores})
        SELECT article_id, coalesce(score, 0.0) AS score FROM (
            SELECT article_id, title, text, published_at, source, language, scores.score
            FROM articles {join} scores USING (article_id)
        ) WHERE {' AND '.join(conditions) or 'true'}
    """
    return sql, params


def _known_terms(con: duckdb.DuckDBPyConnection, text: str) -> int:
    return con.execute(
        f"SELECT count(*) FROM {INDEX_SCHEMA}.dict WHERE term IN "
        f"(SELECT stem(unnest({INDEX_SCHEMA}.tokenize(?)), 'porter'))",
        [text],
    ).fetchone()[0]


# BM25 (k1 = 1.2, b = 0.75) as the extension's match_bm25 macro computes it, but
# starting from the query's terms in the index instead of scoring every article:
# a query touches only the articles that contain one of its words.
_BM25_SQL = """
    WITH tokens AS (SELECT DISTINCT stem(unnest({index}.tokenize(?)), 'porter') AS term),
    term_tf AS (
        SELECT terms.docid, terms.termid, count(*) AS tf
        FROM {index}.terms terms JOIN {index}.dict dict USING (termid) JOIN tokens USING (term)
        GROUP BY ALL
    )
    SELECT docs.name AS article_id,
           sum(log((stats.num_docs - dict.df + 0.5) / (dict.df + 0.5) + 1)
               * (tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * docs.len / stats.avgdl)))) AS score
    FROM term_tf
    JOIN {index}.docs docs USING (docid)
    JOIN {index}.dict dict USING (termid)
    CROSS JOIN {index}.stats stats
    GROUP BY docs.name
"""


def filter_sql(
    since: date | None = None,
    until: date | None = None,
    source: str | None = None,
    language: str | None = None,
    theme: str | None = None,
) -> tuple[list[str], list]:
    """Conditions on `articles` (and their parameters) for the filters that are given;
    dates are UTC calendar days of publication, both ends included."""
    conditions, params = [], []
    if since is not None:
        conditions.append("CAST(timezone('UTC', published_at) AS DATE) >= ?")
        params.append(since)
    if until is not None:
        conditions.append("CAST(timezone('UTC', published_at) AS DATE) <= ?")
        params.append(until)
    if source is not None:
        conditions.append("source = ?")
        params.append(source)
    if language is not None:
        conditions.append("language = ?")
        params.append(language)
    if theme is not None:
        conditions.append("article_id IN (SELECT article_id FROM themes WHERE theme = ?)")
        params.append(theme)
    return conditions, params
