"""Publication dates of a brought corpus, parsed without guessing.

Researchers' files write dates every way: ISO 8601, `19 March 2024`, `03/19/2024`,
`2024/03/19`, epoch seconds, the RSS/e-mail form `Tue, 19 Mar 2024 08:00:00 GMT`.
python-dateutil reads the written forms; what it cannot know is whether `03/04/2024`
is the 3rd of April or the 4th of March.  The order of day and month is therefore a
setting of the file (`--date-order dmy|mdy`), or, by default, detected from the file
itself: a value like `19/03/2024` settles it for every other value in the file.  A
value that stays ambiguous, is incomplete (`March 2024`) or impossible (`31/02/2024`)
is never stored as a guess: it becomes NULL and is reported with its file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser

DATE_ORDERS = ("auto", "dmy", "mdy", "ymd")

# day and month written as numbers, day/month first: 19/03/2024, 3-19-24, 19.03.2024
_NUMERIC = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\b")
_EPOCH = re.compile(r"^\s*-?\d{9,13}(\.\d+)?\s*$")
# two defaults that differ in every field: a field dateutil filled in differs between them
_DEFAULTS = (datetime(2001, 1, 1, 0, 0), datetime(2002, 2, 2, 0, 0))


class DateError(ValueError):
    """A value that is not stored as a date; the message says why, for the user."""


@dataclass(frozen=True)
class DateOrder:
    """How day and month are ordered in a file, and how that was decided."""

    order: str  # dmy, mdy or ymd; "" when the file never says
    reason: str


def detect_order(values: list[str], given: str = "auto") -> DateOrder:
    """The file's order of day and month: as given, or as its unambiguous values show it."""
    if given != "auto":
        return DateOrder(given, "as given by --date-order")
    day_first = [v for v in values if _numeric_parts(v) and _numeric_parts(v)[0] > 12]
    month_first = [v for v in values if _numeric_parts(v) and _numeric_parts(v)[1] > 12]
    if day_first and month_first:
        raise DateError(
            f"the dates mix day-first ({day_first[0]!r}) and month-first ({month_first[0]!r}) forms; "
            "give --date-order dmy or mdy"
        )
    if day_first:
        return DateOrder("dmy", f"day first, as {day_first[0]!r} shows")
    if month_first:
        return DateOrder("mdy", f"month first, as {month_first[0]!r} shows")
    return DateOrder("", "")


def _numeric_parts(value: str) -> tuple[int, int] | None:
    match = _NUMERIC.match(str(value))
    return (int(match[1]), int(match[2])) if match else None


def parse_date(value, order: DateOrder) -> datetime | None:
    """A timezone-aware datetime (UTC when the value names no zone), None for an empty value;
    DateError when the value is not a date, is incomplete or is ambiguous."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) or _EPOCH.match(str(value)):
        return _from_epoch(float(value))
    text = str(value).strip()
    parsed = _iso(text) or _rfc2822(text) or _written(text, order)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _from_epoch(seconds: float) -> datetime:
    if abs(seconds) >= 1e11:  # milliseconds, as JavaScript and many APIs write them
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise DateError("epoch time out of range") from None


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _rfc2822(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _written(text: str, order: DateOrder) -> datetime:
    parts = _numeric_parts(text)
    if parts and parts[0] <= 12 and parts[1] <= 12 and parts[0] != parts[1] and not order.order:
        raise DateError("ambiguous (day-first or month-first?); give --date-order dmy or mdy")
    options = {"dayfirst": order.order == "dmy", "yearfirst": order.order == "ymd"}
    try:
        first, second = (dateutil_parser.parse(text, default=default, **options) for default in _DEFAULTS)
    except (ValueError, OverflowError) as exc:
        reason = "impossible date" if "out of range" in str(exc) or "must be in" in str(exc) else "not a date"
        raise DateError(reason) from None
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        raise DateError("incomplete date (needs day, month and year)")
    return first
