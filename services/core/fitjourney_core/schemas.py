"""Schema bases every core domain shares: strict requests, ORM-readable responses, sane time bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from fitjourney_common.text import TextRequestModel
from fitjourney_common.timestamps import Moment

# Nothing in a fitness diary predates this, and nothing is logged more than a day ahead
# (a day covers every time-zone offset of a client whose clock is right).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)


class RequestModel(TextRequestModel):
    """Base of request bodies: unknown fields are refused, strings are trimmed and hold no control
    characters (line breaks only in `MultiLineText` fields)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadModel(BaseModel):
    """Base of responses, built from ORM rows."""

    model_config = ConfigDict(from_attributes=True)


def _aware_and_sane(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must include a time-zone offset, e.g. 2024-05-01T07:30:00Z")
    value = value.astimezone(UTC)
    if value < EARLIEST:
        raise ValueError("is too far in the past")
    if value > datetime.now(UTC) + FUTURE_SLACK:
        raise ValueError("is in the future")
    return value


def _sane_date(value: date) -> date:
    if value < EARLIEST.date():
        raise ValueError("is too far in the past")
    if value > (datetime.now(UTC) + FUTURE_SLACK).date():
        raise ValueError("is in the future")
    return value


# A moment that happened: time-zone aware (stored in UTC), not before 1970, not in the future.
PastMoment = Annotated[Moment, AfterValidator(_aware_and_sane)]
PastDate = Annotated[date, AfterValidator(_sane_date)]


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes: they are UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Responses: datetimes always leave with their offset (UTC), whichever database stored them.
UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]
