"""Processing-cluster throughput: `creditlens process --scheduler local:N` with N = 1, 2, 3
single-threaded Dask workers, and the local pool (no scheduler) as the bare baseline, on
the same corpus in the same run.

    .venv/bin/python bench/cluster.py [--corpus DIR] [--demo-copies 4] [--workers 1 2 3] [--rounds 1]

The corpus is one WARC file: every page of /work/shared/corpora/trafilatura-eval (990 news
and blog pages, mostly off-topic: extraction work) plus the demo site's HTML pages
repeated `--demo-copies` times under new hosts (on-topic: annotation work too).  It is
ingested once; each configuration then processes its own copy of that warehouse in a
`creditlens process` subprocess, timed from start to exit (cluster start-up and the
model load in every worker included: what an operator waits for).  The CPU time of the
command and all its descendants per page is measured too: other load on the machine does
not distort it.  The load average is printed next to every figure, since others share the
machine.
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

import duckdb
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

REPO = Path(__file__).resolve().parents[1]
EVAL_HTML = Path("/work/shared/corpora/trafilatura-eval/html")


def build_warc(path: Path, eval_html: Path, demo_copies: int) -> int:
    from creditlens.demosite import DemoSite

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)

        def write(url: str, body: bytes, content_type: str) -> None:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers))

        count = 0
        for page in sorted(eval_html.glob("*.html.gz")):
            write(f"https://eval.example.org/{page.name.removesuffix('.html.gz')}", gzip.decompress(page.read_bytes()),
                  "text/html; charset=utf-8")
            count += 1
        with DemoSite() as site:
            pages = list(site.html_pages())
        for copy in range(demo_copies):
            for url, body, content_type in pages:
                path_part = url.split("/", 3)[3] if url.count("/") >= 3 else ""
                write(f"https://demo{copy}.example.org/{path_part}", body, content_type)
                count += 1
    return count


def creditlens(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "creditlens", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"})


def timed_process(base: Path, work: Path, label: str, extra: list[str]) -> dict:
    db = work / f"{label.replace(':', '-')}.duckdb"
    shutil.copy(base, db)
    load_before = os.getloadavg()[0]
    cpu_before = _children_cpu()
    started = time.perf_counter()
    result = creditlens("process", "--db", str(db), *extra)
    seconds = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    if result.returncode != 0:
        raise SystemExit(f"{label}: creditlens process failed: {result.stderr.strip()[-500:]}")
    with duckdb.connect(str(db), read_only=True) as con:
        pages = con.execute("SELECT count(*) FROM pages WHERE extracted_at IS NOT NULL").fetchone()[0]
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        annotated = con.execute("SELECT count(*) FROM articles WHERE annotated_at IS NOT NULL").fetchone()[0]
    return {"label": label, "seconds": seconds, "pages": pages, "articles": articles, "annotated": annotated,
            "pages_per_s": pages / seconds, "cpu_ms_per_page": 1000 * cpu / pages,
            "load": (load_before, os.getloadavg()[0])}


def _children_cpu() -> float:
    """CPU seconds of every finished descendant (the command, its Dask workers and their
    extraction processes): what the work cost, whatever else runs on the machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=EVAL_HTML, help="folder of *.html.gz pages")
    parser.add_argument("--demo-copies", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"corpus not found: {args.corpus}")

    with tempfile.TemporaryDirectory(prefix="creditlens-cluster-bench-") as tmp:
        work = Path(tmp)
        warc = work / "corpus.warc.gz"
        records = build_warc(warc, args.corpus, args.demo_copies)
        base = work / "base.duckdb"
        ingested = creditlens("ingest", "warc", str(warc), "--db", str(base))
        if ingested.returncode != 0:
            raise SystemExit(f"ingest failed: {ingested.stderr.strip()}")
        print(f"corpus: {records} WARC records; cpus: {os.cpu_count()}; load average at start: "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        best: dict[str, dict] = {}
        configurations = [("local pool", [])] + [(f"local:{n}", ["--scheduler", f"local:{n}"]) for n in args.workers]
        for round_ in range(args.rounds):  # alternate the order, so load drifting over time hits each alike
            for label, extra in configurations if round_ % 2 == 0 else configurations[::-1]:
                outcome = timed_process(base, work, label, extra)
                print(f"round {round_ + 1} {label:>10}: {outcome['seconds']:6.1f} s, {outcome['pages_per_s']:5.1f} pages/s, "
                      f"{outcome['cpu_ms_per_page']:.0f} CPU-ms/page ({outcome['pages']} pages, {outcome['articles']} "
                      f"articles, {outcome['annotated']} annotated; load {outcome['load'][0]:.1f} -> "
                      f"{outcome['load'][1]:.1f})", flush=True)
                if label not in best or outcome["seconds"] < best[label]["seconds"]:
                    best[label] = outcome

        one = best.get("local:1")
        print("\nbest of rounds:")
        for label, outcome in best.items():
            ratio = f"  {outcome['pages_per_s'] / one['pages_per_s']:.2f}x one Dask worker" if one else ""
            print(f"  {label:>10}: {outcome['pages_per_s']:5.1f} pages/s, {outcome['cpu_ms_per_page']:.0f} CPU-ms/page{ratio}")


if __name__ == "__main__":
    main()
