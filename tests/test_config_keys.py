"""Settings files are read strictly: a misspelt key stops the command, naming the key and
the closest known one, instead of being silently ignored (a `[[sources]]` typo used to
crawl the 22 bundled outlets).  And routine fetch failures log one line each."""

import re
import socket

import pytest

from cli_helpers import creditlens, one_line_error

SOURCE = '[[source]]\nid = "mine"\nname = "Mine"\nhomepage = "https://mine.example/"\n'


@pytest.mark.parametrize("content, message", [
    ("include_bundled_source = false\n", "unknown key 'include_bundled_source' (did you mean 'include_bundled_sources'?)"),
    ("[crawll]\nmax_pages = 3\n", "unknown key 'crawll' (did you mean 'crawl'?)"),
    ("[crawl]\nmax_page = 3\n", "[crawl] unknown key 'max_page' (did you mean 'max_pages'?)"),
    ("[process]\nworker = 2\n", "[process] unknown key 'worker' (did you mean 'workers'?)"),
    ("[topics]\nmethods = 'nmf'\n", "[topics] unknown key 'methods' (did you mean 'method'?)"),
    (SOURCE + 'feed = ["https://mine.example/rss"]\n', "source 'mine': unknown key 'feed' (did you mean 'feeds'?)"),
    ("[crawl]\nzzzz = 1\n", "[crawl] unknown key 'zzzz' (known: allow_private_networks, autothrottle"),
    (SOURCE.replace("[[source]]", "[[sources]]"), "[[sources]] is not read: write [[source]]"),
    ("crawl = 3\n", "'crawl' must be a table ([crawl])"),
])
def test_a_misspelt_key_is_refused_by_name_with_a_suggestion(tmp_path, content, message):
    config = tmp_path / "bad.toml"
    config.write_text(content)
    result = creditlens("crawl", "--config", config, "--db", tmp_path / "db.duckdb")
    assert result.returncode == 1
    line = one_line_error(result)
    assert message in line and "bad.toml" in line
    assert not (tmp_path / "db.duckdb").exists()  # nothing was crawled


def test_a_valid_config_still_reads(tmp_path):
    from creditlens.config import load_settings

    config = tmp_path / "good.toml"
    config.write_text("include_bundled_sources = false\n[crawl]\nmax_pages = 3\n[process]\nworkers = 1\n"
                      "[topics]\nk = 4\n" + SOURCE)
    settings = load_settings(tmp_path / "db.duckdb", config)
    assert (settings.crawl["CLOSESPIDER_PAGECOUNT"], settings.workers, settings.topic_k) == (3, 1, 4)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow  # over a second: in the full run, not the quick set
def test_an_unreachable_site_logs_one_line_per_failure_and_no_traceback(tmp_path):
    base = f"http://127.0.0.1:{closed_port()}"
    config = tmp_path / "dead.toml"
    config.write_text(f'include_bundled_sources = false\n[crawl]\ntimeout = 5\nallow_private_networks = true\n[[source]]\nid = "dead"\nname = "Dead"\n'
                      f'homepage = "{base}/"\nfeeds = ["{base}/feed.xml"]\nsitemaps = ["{base}/sitemap.xml"]\n')
    result = creditlens("crawl", "--config", config, "--db", tmp_path / "db.duckdb", timeout=300,
                        env={"CREDITLENS_PROGRESS": "false"})
    assert "Traceback" not in result.stderr, result.stderr
    log = [line for line in result.stderr.splitlines() if line.strip()]
    failures = [line for line in log if "fetch failed (connection)" in line]
    # the feed and the sitemap each failed once (after retries), one line each
    assert sorted(re.search(r"fetch failed \(connection\): (\S+): ", line)[1] for line in failures) == [
        f"{base}/feed.xml", f"{base}/sitemap.xml"], result.stderr
    # robots.txt (asked for by Scrapy before the first page of the host) gets its one line too
    robots = [line for line in log if "robots.txt of" in line]
    assert len(robots) == 1 and "(connection)" in robots[0]
    assert len(log) == len(failures) + len(robots), result.stderr
    assert "error: connection" in result.stdout
