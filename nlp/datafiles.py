"""Reading the domain data files: the bundled ones in nlp/data/, or a user's replacement.

Gazetteer, themes, relevance terms and the extraction vocabularies are TOML data so
that a researcher can edit them without touching code; a broken file must say which
file and why in one line.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path


def read_data_file(name: str, path: Path | None = None, error: type[Exception] = ValueError) -> tuple[dict, str]:
    """The parsed TOML of `path` (default: the bundled nlp/data/NAME) and the name to use in errors."""
    source = path or resources.files("nlp") / "data" / name
    where = str(path or f"nlp/data/{name}")
    try:
        return tomllib.loads(source.read_text(encoding="utf-8")), where
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise error(f"{where}: {exc}") from None
