"""`creditlens process` on a real Dask LocalCluster (2 workers on loopback) against the local pool."""

from __future__ import annotations

import shutil
from io import BytesIO

import duckdb
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cli_helpers import creditlens, one_line_error
from creditlens.config import ConfigError, check_scheduler, load_settings
from creditlens.demosite import DemoSite

ROWS = {
    "articles": "SELECT article_id, url, title, text, is_relevant, language, duplicate_of FROM articles",
    "pages": "SELECT url, page_kind, extract_error FROM pages",
    "entities": "SELECT article_id, start_char, end_char, text, label, entity_id FROM entities",
    "themes": "SELECT article_id, theme, score, taxonomy_version FROM themes",
    "quotes": "SELECT article_id, speaker, entity_id, quote, organisation, organisation_id, role, kind, start_char FROM quotes",
    "figures": "SELECT article_id, value, unit, subject, sentence, start_char FROM figures",
    "entity_catalog": "SELECT entity_id, name, type, label, aliases, in_gazetteer FROM entity_catalog",
}


def demo_warc(path) -> int:
    """The demo site's HTML pages as one WARC file (no crawl needed)."""
    with DemoSite() as site, open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        count = 0
        for url, body, content_type in site.html_pages():
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers))
            count += 1
    return count


def rows(db, query: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(con.execute(query).fetchall(), key=repr)


@pytest.mark.slow  # starts a Dask cluster and loads spaCy in every worker
def test_processing_on_dask_stores_exactly_what_local_processing_stores(tmp_path):
    warc = tmp_path / "demo.warc.gz"
    assert demo_warc(warc) > 40
    local_db, dask_db = tmp_path / "local.duckdb", tmp_path / "dask.duckdb"
    ingested = creditlens("ingest", "warc", warc, "--db", local_db)
    assert ingested.returncode == 0, ingested.stderr
    shutil.copy(local_db, dask_db)

    # one local worker hands pages to the loader in input order, as the cluster does (the
    # first seen of two copies published at the same time is the original; see nlp/dedup)
    config = tmp_path / "creditlens.toml"
    config.write_text("[process]\nworkers = 1\n")
    local = creditlens("process", "--db", local_db, "--config", config)
    assert local.returncode == 0, local.stderr
    on_dask = creditlens("process", "--db", dask_db, "--scheduler", "local:2")
    assert on_dask.returncode == 0, on_dask.stderr
    assert on_dask.stdout.strip().splitlines()[-1] == local.stdout.strip().splitlines()[-1]

    for table, query in ROWS.items():
        expected = rows(local_db, query)
        assert rows(dask_db, query) == expected, table
    assert len(rows(local_db, ROWS["entities"])) > 100
    assert rows(local_db, ROWS["themes"]) and rows(local_db, ROWS["quotes"])


@pytest.mark.slow  # waits for the connection to a closed port to fail
def test_a_scheduler_nobody_answers_is_one_line_and_exit_1(tmp_path):
    db = tmp_path / "db.duckdb"
    warc = tmp_path / "demo.warc.gz"
    demo_warc(warc)
    assert creditlens("ingest", "warc", warc, "--db", db).returncode == 0
    result = creditlens("process", "--db", db, "--scheduler", "tcp://127.0.0.1:9")
    assert result.returncode == 1
    assert one_line_error(result).startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    with duckdb.connect(str(db), read_only=True) as con:  # nothing was marked as done
        assert con.execute("SELECT count(*) FROM pages WHERE extracted_at IS NOT NULL").fetchone()[0] == 0


def test_scheduler_setting_is_checked(tmp_path):
    config = tmp_path / "creditlens.toml"
    config.write_text('[process]\nscheduler = "local:0"\n')
    result = creditlens("process", "--db", tmp_path / "db.duckdb", "--config", config)
    assert result.returncode == 1
    assert "[process] scheduler must be local:N with N at least 1" in one_line_error(result)
    config.write_text('[process]\nscheduler = "tcp://10.0.0.5:8786"\n')
    assert load_settings(tmp_path / "db.duckdb", config).scheduler == "tcp://10.0.0.5:8786"
    assert check_scheduler(" local:3 ", "--scheduler") == "local:3"
    with pytest.raises(ConfigError, match="--scheduler is empty"):
        check_scheduler("", "--scheduler")


@pytest.mark.slow  # starts a Dask worker process
def test_daemonic_workers_are_refused_with_the_fix():
    import logging

    from distributed import LocalCluster

    from creditlens.dask_processing import ClusterError, connect

    # Dask's default: workers run daemonic and cannot start the extraction process
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        with pytest.raises(ClusterError, match="run daemonic .* DASK_DISTRIBUTED__WORKER__DAEMON=False"):
            with connect(cluster.scheduler_address):
                pass
