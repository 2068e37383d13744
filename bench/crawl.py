"""Crawl throughput: our crawl (run_crawl, every page decoded, redacted, spooled) against a
bare Scrapy spider that only fetches the same pages, on the same loopback site, same run.

    .venv/bin/python bench/crawl.py [--pages 2000] [--concurrency 32] [--rounds 2]

A Twisted web server in its own process serves a sitemap of N article pages (~20 KB
each).  Each crawler runs in its own subprocess (Scrapy's reactor cannot restart)
with the same concurrency, no delay and no AutoThrottle; pages/s is measured inside
the subprocess from the start of the crawl to its end (imports excluded), and so is the
crawler's CPU time per page, which other load on the machine does not distort.  The
best of `--rounds` alternating rounds is reported for each, and the ratios (target >= 0.8).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SERVER = r"""
import sys
from twisted.internet import reactor
from twisted.web import resource, server

pages = int(sys.argv[1])
para = ("<p>The Supreme People's Court updated the list of dishonest judgment debtors; the social credit "
        "system restricts flights, high-speed rail and luxury spending for those listed. Lawyers said the "
        "credit repair procedure remains opaque, while local courts published new figures. Contact the press "
        "office for details.</p>")

class Site(resource.Resource):
    isLeaf = True
    def render_GET(self, request):
        path = request.path.decode()
        base = "http://127.0.0.1:%d" % port.getHost().port
        if path == "/robots.txt":
            request.setHeader(b"content-type", b"text/plain")
            return b"User-agent: *\nDisallow: /private/\n"
        if path == "/sitemap.xml":
            request.setHeader(b"content-type", b"application/xml")
            rows = "".join("<url><loc>%s/article/%d.html</loc></url>" % (base, i) for i in range(pages))
            return ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">%s</urlset>' % rows).encode()
        if path.startswith("/article/"):
            request.setHeader(b"content-type", b"text/html; charset=utf-8")
            body = "<!DOCTYPE html><html><head><title>Story %s</title><link rel='canonical' href='%s%s'></head><body><h1>Story</h1>%s</body></html>"
            return (body % (path, base, path, para * 50)).encode()
        request.setResponseCode(404)
        return b"not found"

port = reactor.listenTCP(0, server.Site(Site()), interface="127.0.0.1", backlog=1024)
print(port.getHost().port, flush=True)
reactor.run()
"""

COMMON = {
    "CONCURRENT_REQUESTS": None,  # filled from --concurrency
    "CONCURRENT_REQUESTS_PER_DOMAIN": None,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "TELNETCONSOLE_ENABLED": False,
}

OURS = r"""
import json, sys, time
from pathlib import Path
from crawler.runner import run_crawl
from crawler.sources import Source
base, state, settings = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3])
source = Source(id="bench", name="Bench", homepage=base + "/", sitemaps=[base + "/sitemap.xml"], allowed_domains=["127.0.0.1"])
cpu = time.process_time()
stats = run_crawl([source], state, "bench", {**settings, "CREDITLENS_DISCOVERY": ["sitemaps"], "CREDITLENS_MAX_AGE_DAYS": 0, "CREDITLENS_PROGRESS": False,
                                            "CREDITLENS_ALLOW_PRIVATE_NETWORKS": True})
print(json.dumps({"pages": stats.pages_stored, "seconds": (stats.ended_at - stats.started_at).total_seconds(),
                  "cpu": time.process_time() - cpu, "status": stats.status}))
"""

BARE = r"""
import json, sys, time
import scrapy
from scrapy.crawler import CrawlerProcess
base, pages, settings = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
count = 0
class Bare(scrapy.Spider):
    name = "bare"
    start_urls = ["%s/article/%d.html" % (base, i) for i in range(pages)]
    def parse(self, response):
        global count
        count += 1
process = CrawlerProcess(settings)
process.crawl(Bare)
started, cpu = time.monotonic(), time.process_time()
process.start()
print(json.dumps({"pages": count, "seconds": time.monotonic() - started, "cpu": time.process_time() - cpu, "status": "finished"}))
"""


def run(code: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(f"benchmark subprocess failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    settings = {**COMMON, "CONCURRENT_REQUESTS": options.concurrency,
                "CONCURRENT_REQUESTS_PER_DOMAIN": options.concurrency}

    server = subprocess.Popen([sys.executable, "-c", SERVER, str(options.pages)], stdout=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        best = {"bare": 0.0, "ours": 0.0}
        cpu = {"bare": float("inf"), "ours": float("inf")}  # crawler CPU ms per page: robust to other load
        for _ in range(options.rounds):
            bare = run(BARE, base, str(options.pages), json.dumps(settings))
            with tempfile.TemporaryDirectory() as state:
                ours = run(OURS, base, state, json.dumps(settings))
                spooled = sum(1 for f in Path(state, "spool").glob("*.jsonl") for _ in open(f))
            assert bare["pages"] == options.pages, bare
            assert ours["pages"] == options.pages and spooled >= options.pages, (ours, spooled)
            best["bare"] = max(best["bare"], bare["pages"] / bare["seconds"])
            best["ours"] = max(best["ours"], ours["pages"] / ours["seconds"])
            cpu["bare"] = min(cpu["bare"], 1000 * bare["cpu"] / bare["pages"])
            cpu["ours"] = min(cpu["ours"], 1000 * ours["cpu"] / ours["pages"])
    finally:
        server.terminate()
        server.wait()
    ratio = best["ours"] / best["bare"]
    print(f"pages: {options.pages}  concurrency: {options.concurrency}  rounds: {options.rounds}")
    print(f"bare scrapy spider (fetch only):          {best['bare']:7.1f} pages/s  {cpu['bare']:5.2f} CPU ms/page")
    print(f"creditlens crawl (decode, redact, spool): {best['ours']:7.1f} pages/s  {cpu['ours']:5.2f} CPU ms/page")
    print(f"ratio: {ratio:.2f} pages/s (target >= 0.8), {cpu['bare'] / cpu['ours']:.2f} by CPU per page  "
          f"{time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
