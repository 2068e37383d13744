"""Records to Arrow tables with explicit types.

Loading goes through Arrow because DuckDB ingests it at hundreds of thousands of
rows a second (row-by-row inserts manage about a thousand), and the types are
spelt out from the record classes so an all-NULL or all-empty column still lands
in the right column type.
"""

from __future__ import annotations

import dataclasses
import typing

import pyarrow as pa

from warehouse.records import Record

_TYPES = {
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "bytes": pa.binary(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "list[str]": pa.list_(pa.string()),
}


def _arrow_type(annotation: str) -> pa.DataType:
    base = annotation.replace(" | None", "").strip()
    return _TYPES[base]


def schema_of(record_class: type[Record]) -> pa.Schema:
    return pa.schema(
        [pa.field(f.name, _arrow_type(f.type)) for f in dataclasses.fields(record_class)]
    )


def to_table(record_class: type[Record], records: typing.Sequence[Record]) -> pa.Table:
    """Column by column: ten times faster than building a dict per row first."""
    schema = schema_of(record_class)
    return pa.table(
        {f.name: pa.array([getattr(r, f.name) for r in records], type=f.type) for f in schema}, schema=schema
    )
