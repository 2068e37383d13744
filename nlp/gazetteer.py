"""The domain gazetteer: the institutions, companies, programmes and places this coverage names.

The catalogue is data (`nlp/data/entities.toml`, versioned), not code, so analysts can
add an entity or an alias without touching the pipeline.  Every entry has a stable id
(`court.supreme_peoples_court`) that annotations point at, so counts stay comparable
across runs even when a name is spelt five ways.  A malformed entry is refused at load
time with a message naming the entry and the field, because a silently skipped alias
would quietly split one institution into two in every later count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from nlp.datafiles import read_data_file

TYPES = frozenset(
    "court ministry regulator government_body party_body credit_platform company app programme law "
    "province municipality autonomous_region sar city county country international_org media "
    "university ngo".split()
)
LABELS = frozenset("ORG GPE LOC PRODUCT LAW NORP FAC".split())
ADMIN_LEVELS = frozenset(
    "province municipality autonomous_region sar prefecture_city county_city county district country".split()
)
_ID = re.compile(r"^[a-z_]+\.[a-z0-9_]+$")


class GazetteerError(ValueError):
    """The gazetteer file is unreadable or one of its entries is malformed."""


@dataclass(frozen=True)
class GazetteerEntry:
    id: str
    name: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    aliases_zh: tuple[str, ...] = ()
    admin_level: str = ""
    parent: str = ""

    def surface_forms(self) -> list[str]:
        """Every way the entry may be written: canonical name first, then the aliases."""
        return [self.name, *self.aliases, *self.aliases_zh]

    def catalog_row(self) -> dict:
        return {
            "entity_id": self.id,
            "name": self.name,
            "type": self.type,
            "label": self.label,
            "aliases": [*self.aliases, *self.aliases_zh],
            "admin_level": self.admin_level,
            "parent": self.parent,
            "in_gazetteer": True,
        }


@dataclass
class Gazetteer:
    version: str
    entries: list[GazetteerEntry] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = None) -> "Gazetteer":
        data, where = read_data_file("entities.toml", path, GazetteerError)
        raw = data.get("entity", [])
        if not isinstance(raw, list) or not raw:
            raise GazetteerError(f"{where}: no [[entity]] entries")
        entries = [_entry(item, f"{where}: entity #{number}") for number, item in enumerate(raw, 1)]
        _check_references(entries, where)
        return cls(str(data.get("version", "")), entries)

    def by_id(self) -> dict[str, GazetteerEntry]:
        return {entry.id: entry for entry in self.entries}


def _entry(item: object, here: str) -> GazetteerEntry:
    if not isinstance(item, dict):
        raise GazetteerError(f"{here}: must be a table")
    entity_id = item.get("id")
    if isinstance(entity_id, str) and entity_id:
        here = here.rsplit(": ", 1)[0] + f": entity {entity_id}"
    if not isinstance(entity_id, str) or not _ID.match(entity_id):
        raise GazetteerError(f"{here}: field 'id' must look like 'type.snake_name', got {entity_id!r}")
    for key in ("name", "type", "label"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise GazetteerError(f"{here}: field '{key}' must be a non-empty string")
    if item["type"] not in TYPES:
        raise GazetteerError(f"{here}: field 'type' is {item['type']!r}, not one of {', '.join(sorted(TYPES))}")
    if item["label"] not in LABELS:
        raise GazetteerError(f"{here}: field 'label' is {item['label']!r}, not one of {', '.join(sorted(LABELS))}")
    lists = {}
    for key in ("aliases", "aliases_zh"):
        value = item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(a, str) and a.strip() for a in value):
            raise GazetteerError(f"{here}: field '{key}' must be a list of non-empty strings")
        lists[key] = tuple(a.strip() for a in value)
    strings = {}
    for key in ("admin_level", "parent"):
        value = item.get(key, "")
        if not isinstance(value, str):
            raise GazetteerError(f"{here}: field '{key}' must be a string")
        strings[key] = value
    if strings["admin_level"] and strings["admin_level"] not in ADMIN_LEVELS:
        raise GazetteerError(
            f"{here}: field 'admin_level' is {strings['admin_level']!r}, not one of {', '.join(sorted(ADMIN_LEVELS))}"
        )
    unknown = set(item) - {"id", "name", "type", "label", "aliases", "aliases_zh", "admin_level", "parent"}
    if unknown:
        raise GazetteerError(f"{here}: unknown field '{sorted(unknown)[0]}'")
    return GazetteerEntry(
        id=entity_id,
        name=item["name"].strip(),
        type=item["type"],
        label=item["label"],
        aliases=lists["aliases"],
        aliases_zh=lists["aliases_zh"],
        **strings,
    )


def _check_references(entries: list[GazetteerEntry], where: str) -> None:
    """Ids must be unique, parents must exist, and one surface form may name only one entry:
    an alias shared by two entries would make linking depend on file order."""
    ids: set[str] = set()
    for entry in entries:
        if entry.id in ids:
            raise GazetteerError(f"{where}: entity {entry.id}: field 'id' is used twice")
        ids.add(entry.id)
    owners: dict[str, str] = {}
    for entry in entries:
        if entry.parent and entry.parent not in ids:
            raise GazetteerError(f"{where}: entity {entry.id}: field 'parent' names unknown entity {entry.parent!r}")
        for form in entry.surface_forms():
            key = form.casefold()
            if owners.setdefault(key, entry.id) != entry.id:
                raise GazetteerError(
                    f"{where}: entity {entry.id}: alias {form!r} already names entity {owners[key]}"
                )
