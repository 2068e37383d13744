"""`creditlens extract FILE...` on many saved pages, start-up included, next to bare trafilatura.

    .venv/bin/python bench/extract_cli.py --corpus /work/shared/corpora/trafilatura-eval --files 181

The first N pages of trafilatura's evaluation set are written as .html files to a
temporary folder; ours is the command a user runs (`python -m creditlens extract FILE...`,
one process: interpreter start, imports, models, every page, JSON output); bare is one
Python process reading the same files and calling `trafilatura.extract` on each.  Wall
time per run, the two alternated over `--rounds` rounds so both see the same machine
load; each keeps its fastest round.  CPU time of the child processes is printed too,
since the machine is shared.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BARE = ("import sys, trafilatura\n"
        "for path in sys.argv[1:]:\n"
        "    with open(path, 'rb') as handle:\n"
        "        trafilatura.extract(handle.read())\n")


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="trafilatura-eval folder")
    parser.add_argument("--files", type=int, default=181)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    truth = json.loads((args.corpus / "ground-truth.json").read_text(encoding="utf-8"))[: args.files]
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for n, item in enumerate(truth):
            path = Path(folder) / f"{n:04d}.html"
            path.write_bytes(gzip.decompress((args.corpus / item["html_path"]).read_bytes()))
            files.append(str(path))
        ours_cmd = [sys.executable, "-m", "creditlens", "extract", *files]
        bare_cmd = [sys.executable, "-c", BARE, *files]
        best = {"ours": (float("inf"), 0.0), "bare": (float("inf"), 0.0)}
        for _ in range(args.rounds):
            for name, command in (("bare", bare_cmd), ("ours", ours_cmd)):
                result = timed(command)
                best[name] = min(best[name], result)
    (bare_wall, bare_cpu), (our_wall, our_cpu) = best["bare"], best["ours"]
    n = len(files)
    print(f"{n} files, best of {args.rounds} rounds, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"bare trafilatura: {n / bare_wall:.1f} pages/s ({bare_wall:.2f} s wall, {bare_cpu:.2f} s CPU)")
    print(f"creditlens extract: {n / our_wall:.1f} pages/s ({our_wall:.2f} s wall, {our_cpu:.2f} s CPU)")
    print(f"ratio ours/bare pages/s: {bare_wall / our_wall:.2f} (wall), {bare_cpu / our_cpu:.2f} (CPU)")


if __name__ == "__main__":
    main()
