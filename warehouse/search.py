"""Full-text search over articles (title and text), ranked by BM25.

DuckDB's fts extension builds an inverted index as ordinary tables in the schema
`fts_main_articles`; it is loaded from the installed `duckdb-extension-fts`
package so that search works offline and nothing is downloaded at run time.  The
index is a snapshot, so the jobs rebuild it after each load (`refresh_index`).

Which articles match is decided by the query's words, phrases and operators
(warehouse/search_query.py); BM25 ranks them by the words not excluded.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb

from warehouse.search_query import INDEX_SCHEMA, QueryError, condition, indexed_stems, parse, resolve, terms

SNIPPET_CHARS = 240
PERIODS = ("day", "week", "month")

_LETTERS = re.compile(r"[^\W\d_]+")


class SearchError(QueryError):
    """Search cannot run (no extension, no index, empty query, unknown filter value); one line for the user."""


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
    """A query read into words, phrases and operators (see warehouse/search_query.py)."""

    def __init__(self, query: str):
        self.text = query
        try:
            self.tree = parse(query)
        except QueryError as exc:
            raise SearchError(str(exc)) from None
        if not any(_LETTERS.search(term.text) for term in terms(self.tree, positive=False)):
            raise SearchError("empty search query: give words, or a \"phrase in double quotes\"")

    @property
    def bm25_text(self) -> str:
        """The words BM25 ranks by: every word and phrase that is not excluded."""
        return " ".join(term.text for term in terms(self.tree))

    def matched_stems(self) -> set[str]:
        return {stem for term in terms(self.tree) for stem in term.stems}

    def matched_runs(self) -> list[str]:
        return [run for term in terms(self.tree) for run in term.cjk]


def snippets(con: duckdb.DuckDBPyConnection, texts: list[str], parsed: ParsedQuery) -> list[tuple[str, list[str]]]:
    """For each text, a one-line window around its first matched word, and the matched words
    as written there ("bans" for the query word "ban"), so a reader sees why it matched."""
    words = sorted({w.lower() for text in texts for w in _LETTERS.findall(text or "")})
    stem_of = dict(con.execute(
        "SELECT w, stem(strip_accents(w), 'porter') FROM unnest(?::VARCHAR[]) t(w)", [words]
    ).fetchall()) if words else {}
    wanted, runs = parsed.matched_stems(), [r.lower() for r in parsed.matched_runs()]
    found = []
    for text in texts:
        text = text or ""
        hits = [m for m in _LETTERS.finditer(text) if stem_of.get(m.group().lower()) in wanted]
        first = min([m.start() for m in hits] + [text.lower().find(r) for r in runs if r in text.lower()], default=0)
        start = max(0, first - SNIPPET_CHARS // 3)
        if start:  # begin at a word
            space = text.find(" ", start, first)
            start = space + 1 if space >= 0 else first
        window = re.sub(r"\s+", " ", text[start:start + SNIPPET_CHARS]).strip()
        window = ("…" if start > 0 else "") + window + ("…" if start + SNIPPET_CHARS < len(text) else "")
        matched = list(dict.fromkeys([m.group() for m in hits if start <= m.start() < start + SNIPPET_CHARS]
                                     + [r for r in runs if r in window.lower()]))
        found.append((window, matched))
    return found


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
    windows = snippets(con, [row[-1] for row in rows], parsed)
    return [
        {
            "article_id": article_id, "score": round(score, 4), "title": title, "source": src,
            "published_at": published_at, "url": url, "snippet": window, "matched": matched,
        }
        for (article_id, score, title, src, published_at, url, _), (window, matched) in zip(rows, windows)
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
    check_filter_values(con, source=source, language=language, theme=theme)
    resolve(con, parsed.tree)
    matches, match_params = condition(parsed.tree, indexed_stems(con, parsed.tree))
    if matches is None:
        raise SearchError("empty search query: give words, or a \"phrase in double quotes\"")
    bm25 = parsed.bm25_text
    if bm25:
        scores, params = _BM25_SQL.format(index=INDEX_SCHEMA), [bm25]
    else:
        scores, params = "SELECT NULL::VARCHAR AS article_id, NULL::DOUBLE AS score WHERE false", []
    filters, filter_params = filter_sql(since=since, until=until, source=source, language=language, theme=theme)
    sql = f"""
        WITH scores AS ({scores})
        SELECT article_id, coalesce(score, 0.0) AS score FROM (
            SELECT article_id, title, text, published_at, source, language, scores.score
            FROM articles LEFT JOIN scores USING (article_id)
        ) WHERE {' AND '.join([matches] + filters)}
    """
    return sql, params + match_params + filter_params


def check_filter_values(con: duckdb.DuckDBPyConnection, source: str | None = None,
                        language: str | None = None, theme: str | None = None) -> None:
    """An unknown --source, --language or --theme is an error naming the known values, never an empty result."""
    known_sql = {
        "source": "SELECT source_id FROM sources UNION SELECT source FROM articles",
        "language": "SELECT language FROM articles",
        "theme": "SELECT theme FROM theme_catalog UNION SELECT theme FROM themes",
    }
    for name, value in (("source", source), ("language", language), ("theme", theme)):
        if value is None:
            continue
        known = sorted({row[0] for row in con.execute(known_sql[name]).fetchall() if row[0] is not None})
        if value not in known:
            raise SearchError(f"unknown --{name} {value!r}; known: {', '.join(known) or 'none yet'}")


def counts_over_time(con: duckdb.DuckDBPyConnection, query: str, by: str, **filters) -> tuple[list[tuple], int]:
    """Matches per day, week (from Monday) or month (UTC), next to every article the filters
    select in that period, every period from the first match to the last (zero included);
    and the number of matches without a publication date, which no period can show."""
    if by not in PERIODS:
        raise SearchError(f"--by must be one of {', '.join(PERIODS)}, not {by!r}")
    matches, params = matching_sql(con, ParsedQuery(query), **filters)
    conditions, filter_params = filter_sql(**filters)
    where = " AND ".join(conditions) or "true"
    rows = con.execute(f"""
        WITH hits AS ({matches}),
        base AS (
            SELECT CAST(date_trunc('{by}', timezone('UTC', published_at)) AS DATE) AS period,
                   article_id IN (SELECT article_id FROM hits) AS hit
            FROM articles WHERE published_at IS NOT NULL AND {where}
        ),
        bounds AS (SELECT min(period) AS first, max(period) AS last FROM base WHERE hit),
        periods AS (
            SELECT CAST(unnest(range(CAST(first AS TIMESTAMP), CAST(last AS TIMESTAMP) + INTERVAL 1 {by},
                                     INTERVAL 1 {by})) AS DATE) AS period
            FROM bounds WHERE first IS NOT NULL
        )
        SELECT p.period, count(b.hit) FILTER (WHERE b.hit) AS matches, count(b.period) AS articles
        FROM periods p LEFT JOIN base b USING (period)
        GROUP BY p.period ORDER BY p.period
    """, params + filter_params).fetchall()
    undated = con.execute(
        f"SELECT count(*) FROM ({matches}) hits JOIN articles USING (article_id) WHERE articles.published_at IS NULL",
        params,
    ).fetchone()[0]
    return [(period, n, total, n / total if total else 0.0) for period, n, total in rows], undated


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
