"""Moments clients send: every one must still be a moment once converted to UTC.

`0001-01-01T00:00:00+14:00` and `9999-12-31T23:59:59-14:00` parse, but fall before year 1 or after
year 9999 in UTC: converting them (as the database drivers do) raises OverflowError, which was a 500.
Every service checks request datetimes with `Moment` (bodies) or `parse_moment` (query strings, cursors),
so such a value is a 422 naming its field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator

OUTSIDE_THE_CALENDAR = "is outside the calendar once in UTC (years 1 to 9999)"


def representable_in_utc(value: datetime) -> datetime:
    """`value` unchanged if it (when it has an offset) has a UTC equivalent; ValueError otherwise."""
    if value.tzinfo is not None:
        try:
            value.astimezone(UTC)
        except OverflowError as exc:
            raise ValueError(OUTSIDE_THE_CALENDAR) from exc
    return value


def parse_moment(raw: str) -> datetime:
    """An ISO 8601 date-time that has a UTC equivalent; ValueError for anything else."""
    return representable_in_utc(datetime.fromisoformat(raw))


# A request field holding a date-time: anything pydantic parses, as long as it is a moment in UTC too.
Moment = Annotated[datetime, AfterValidator(representable_in_utc)]
