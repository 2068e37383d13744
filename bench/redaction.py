"""Redaction cost per page: `nlp.privacy.redact_html` (what the crawler runs on every page)
and `redact` (plain text) against a bare baseline measured in the same run.

    .venv/bin/python bench/redaction.py [--pages 300] [--rounds 3]
        [--corpus /work/shared/corpora/trafilatura-eval/html]

Reads real pages by path (gzipped HTML files; never copied into the repository).  The
bare baseline is one scan of the page for the shape of an unseparated 11-digit mobile
number, `re.findall(r"(?<!\\d)1[3-9]\\d{9}(?!\\d)")`: the least any redaction must do.
Reported as CPU milliseconds per 25 KB of HTML (process time, which other load on the
shared machine distorts far less than the wall clock; best of the interleaved rounds) and
as a ratio.
"""

from __future__ import annotations

import argparse
import gzip
import re
import time
from pathlib import Path

from nlp.privacy import redact, redact_html

BARE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def load(folder: Path, limit: int) -> list[str]:
    pages = []
    for path in sorted(folder.iterdir())[:limit]:
        data = path.read_bytes()
        pages.append((gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8", "replace"))
    return pages


def best_ms_per_25kb(functions: dict, pages: list[str], rounds: int) -> dict[str, float]:
    size = sum(map(len, pages)) / 25_000
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(rounds):  # interleaved, so a burst of load elsewhere hits every contender
        for name, function in functions.items():
            started = time.process_time()
            for page in pages:
                function(page)
            best[name] = min(best[name], (time.process_time() - started) * 1000 / size)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/corpora/trafilatura-eval/html"))
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    pages = load(options.corpus, options.pages)
    print(f"{len(pages)} pages, {sum(map(len, pages)) / len(pages) / 1000:.0f} K characters each on average")
    best = best_ms_per_25kb({"bare": BARE.findall, "html": redact_html, "text": redact}, pages, options.rounds)
    bare, html, text = best["bare"], best["html"], best["text"]
    print(f"bare 11-digit scan          {bare:6.3f} CPU ms / 25 KB")
    print(f"redact_html (crawler, WARC) {html:6.3f} CPU ms / 25 KB   ratio {html / bare:5.1f}x bare")
    print(f"redact (plain text)         {text:6.3f} CPU ms / 25 KB   ratio {text / bare:5.1f}x bare")


if __name__ == "__main__":
    main()
