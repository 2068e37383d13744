"""Grouping copies of one story: exact (same normalised text) and near (MinHash LSH).

Why: analysts count stories, and a wire story republished by ten outlets — headline
changed, a paragraph trimmed — is one story.  Every article gets `duplicate_of`
pointing at the earliest copy of its story (by published_at, then by the order the
index first saw it), or None when it is that earliest copy.

Why SQLite rather than datasketch's in-memory MinHashLSH: the index must persist
between cron runs, grow incrementally and reach millions of articles without loading
them all into memory; datasketch's persistent storages need Redis or Cassandra.  So
datasketch computes the MinHash signatures and the banding is done here, with one
indexed row per (band, bucket, article) in a file under the state folder
(creditlens.state/dedup/), the article named by its first-seen number to keep the
rows small.  Candidates from the bands are confirmed by the Jaccard similarity the two
signatures estimate.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from functools import lru_cache
from datetime import timezone
from pathlib import Path

import numpy as np
from datasketch import MinHash

from nlp.extraction import content_hash, normalise_text
from warehouse.records import Article

# 128 permutations in 32 bands of 4 rows: a pair of texts becomes a candidate with
# probability 1-(1-J^4)^32, i.e. >99% at Jaccard 0.6 and ~50% around 0.42, and is
# then kept only when its estimated Jaccard reaches SIMILARITY.
NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
SEED = 1
# Shingles of 5 tokens (a token is a word, or one CJK character).  A changed headline or
# a trimmed paragraph in an 800-word story keeps Jaccard above 0.7; two different
# stories on the same subject share few 5-token runs and stay below 0.2.
SHINGLE_TOKENS = 5
SIMILARITY = 0.5
INDEX_FILE = "minhash.sqlite3"

_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W_]+")
_NEVER = "9999-12-31T23:59:59"  # sorts after any date: undated copies lose to dated ones

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    article_id   TEXT PRIMARY KEY,
    seq          INTEGER NOT NULL UNIQUE,  -- order first seen; the bands refer to it
    published_at TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    signature    BLOB,
    root         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_by_hash ON articles (content_hash);
CREATE INDEX IF NOT EXISTS articles_by_root ON articles (root);
CREATE TABLE IF NOT EXISTS bands (
    band   INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (band, bucket, seq)
) WITHOUT ROWID;
"""


class DuplicateIndexError(Exception):
    """The index folder cannot be used; the message is one line for the user."""


def shingles(text: str) -> set[bytes]:
    """Runs of SHINGLE_TOKENS tokens of the normalised text (the whole text when shorter)."""
    tokens = _TOKEN.findall(normalise_text(text))
    if not tokens:
        return set()
    if len(tokens) <= SHINGLE_TOKENS:
        return {" ".join(tokens).encode("utf-8")}
    return {" ".join(tokens[i:i + SHINGLE_TOKENS]).encode("utf-8") for i in range(len(tokens) - SHINGLE_TOKENS + 1)}


@lru_cache(maxsize=1)
def _permutations():
    """The hash permutations for NUM_PERM and SEED, drawn once: drawing them is a third of
    the cost of a signature."""
    template = MinHash(num_perm=NUM_PERM, seed=SEED)
    return template.permutations, template.scheme


def signature(text: str) -> np.ndarray | None:
    grams = shingles(text)
    if not grams:
        return None
    permutations, scheme = _permutations()
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=permutations, scheme=scheme)
    minhash.update_batch(list(grams))
    return minhash.hashvalues.astype(np.uint32)


def _buckets(sig: np.ndarray) -> list[tuple[int, int]]:
    """(band, bucket) pairs: each band's rows hashed to a signed 64-bit key."""
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(sig[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8).digest()
        keys.append((band, int.from_bytes(digest, "big", signed=True)))
    return keys


def _when(article: Article) -> str:
    if article.published_at is None:
        return _NEVER
    return article.published_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


class DuplicateIndex:
    """The persistent index of every article seen, and which story each belongs to."""

    def __init__(self, connection: sqlite3.Connection):
        self.db = connection
        self._regrouped: dict[str, str | None] = {}
        self._next_seq = connection.execute("SELECT coalesce(max(seq), 0) + 1 FROM articles").fetchone()[0]

    @classmethod
    def open(cls, directory: Path) -> "DuplicateIndex":
        directory = Path(directory)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(directory / INDEX_FILE, isolation_level="DEFERRED")
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise DuplicateIndexError(f"cannot open duplicate index in {directory}: {exc}") from exc
        wanted = {"num_perm": str(NUM_PERM), "bands": str(BANDS), "seed": str(SEED),
                  "shingle_tokens": str(SHINGLE_TOKENS), "scheme": _permutations()[1]}
        stored = dict(db.execute("SELECT key, value FROM settings"))
        if not stored:
            db.executemany("INSERT INTO settings VALUES (?, ?)", wanted.items())
            db.commit()
        elif stored != wanted:
            db.close()
            raise DuplicateIndexError(
                f"duplicate index in {directory} was built with other settings ({stored}); move it away to rebuild"
            )
        return cls(db)

    @property
    def regrouped(self) -> dict[str, str | None]:
        """Articles indexed in earlier calls whose duplicate_of changed since the last save,
        because an earlier copy of their story arrived: article_id -> new duplicate_of.
        The caller updates these rows in the warehouse."""
        return dict(self._regrouped)

    def assign(self, articles: list[Article]) -> list[Article]:
        """Set duplicate_of on each article (in place) and index it; returns the articles."""
        for article in articles:
            self._assign_one(article)
        # Read the roots back only now: a later article of the batch may be an earlier copy.
        for article in articles:
            (root,) = self.db.execute("SELECT root FROM articles WHERE article_id = ?", [article.article_id]).fetchone()
            article.duplicate_of = None if root == article.article_id else root
        return articles

    def _assign_one(self, article: Article) -> None:
        digest = article.content_hash or content_hash(article.text)
        known = self.db.execute(
            "SELECT seq, content_hash, signature FROM articles WHERE article_id = ?", [article.article_id]
        ).fetchone()
        if known and known[1] == digest:
            return
        if known:  # re-extracted with a different text: index it afresh, keep its first-seen order
            seq, old = known[0], known[2]
            if old is not None:
                self.db.executemany(
                    "DELETE FROM bands WHERE band = ? AND bucket = ? AND seq = ?",
                    [(band, bucket, seq) for band, bucket in _buckets(np.frombuffer(old, dtype=np.uint32))],
                )
            self.db.execute("DELETE FROM articles WHERE article_id = ?", [article.article_id])
        else:
            seq, self._next_seq = self._next_seq, self._next_seq + 1

        sig = signature(article.text)
        matches = {row[0] for row in self.db.execute(
            "SELECT root FROM articles WHERE content_hash = ? AND article_id != ?", [digest, article.article_id]
        )}
        if sig is not None:
            matches |= self._near_roots(seq, sig)

        own = (_when(article), seq, article.article_id)
        roots = [self.db.execute("SELECT published_at, seq, article_id FROM articles WHERE article_id = ?", [r]).fetchone()
                 for r in matches]
        root = min([own] + [r for r in roots if r is not None])[2]
        for old_root in matches - {root}:
            members = [m for (m,) in self.db.execute("SELECT article_id FROM articles WHERE root = ?", [old_root])]
            self.db.execute("UPDATE articles SET root = ? WHERE root = ?", [root, old_root])
            for member in members:
                self._regrouped[member] = None if member == root else root

        self.db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?)",
            [article.article_id, seq, own[0], digest, sig.tobytes() if sig is not None else None, root],
        )
        if sig is not None:
            self.db.executemany(
                "INSERT OR IGNORE INTO bands VALUES (?, ?, ?)",
                [(band, bucket, seq) for band, bucket in _buckets(sig)],
            )

    def _near_roots(self, seq: int, sig: np.ndarray) -> set[str]:
        """Roots of the indexed articles whose signature agrees with `sig` on a whole band
        and, over all rows, on at least SIMILARITY of them."""
        candidates: set[int] = set()
        for band, bucket in _buckets(sig):
            candidates.update(row[0] for row in self.db.execute(
                "SELECT seq FROM bands WHERE band = ? AND bucket = ?", [band, bucket]
            ))
        candidates.discard(seq)
        roots = set()
        for candidate in candidates:
            other, root = self.db.execute("SELECT signature, root FROM articles WHERE seq = ?", [candidate]).fetchone()
            if float(np.mean(np.frombuffer(other, dtype=np.uint32) == sig)) >= SIMILARITY:
                roots.add(root)
        return roots

    def save(self) -> None:
        """Commit everything assigned since the last save."""
        self.db.commit()
        self._regrouped.clear()

    def close(self) -> None:
        self.db.close()
