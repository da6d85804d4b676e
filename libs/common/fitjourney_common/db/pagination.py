"""Cursor pagination and date-range filters shared by every list endpoint."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, date, datetime, time
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict

from fitjourney_common.errors import ValidationFailed
from fitjourney_common.timestamps import OUTSIDE_THE_CALENDAR, representable_in_utc

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class Cursor(BaseModel):
    """Position after the last item served: its sort key and its id (ties broken by id)."""

    model_config = ConfigDict(frozen=True)
    key: str
    id: uuid.UUID


def encode_cursor(key: datetime | date | str | int, item_id: uuid.UUID) -> str:
    raw = json.dumps({"k": key.isoformat() if isinstance(key, date | datetime) else key, "i": str(item_id)})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Cursor:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return Cursor(key=str(raw["k"]), id=uuid.UUID(raw["i"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed("cursor", "is not a cursor this API issued") from exc


class ListParams(BaseModel):
    limit: int
    cursor: Cursor | None
    from_: datetime | None
    to: datetime | None


def parse_bound(name: str, raw: str | None, *, end: bool) -> datetime | None:
    """`YYYY-MM-DD` is a whole day (start, or through its end for `to`); otherwise an ISO 8601 moment.

    A moment without an offset is read as UTC.
    """
    if raw is None:
        return None
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time.max if end else time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationFailed(name, "must be a date (YYYY-MM-DD) or an ISO 8601 date-time") from exc
    try:
        representable_in_utc(moment)
    except ValueError as exc:
        raise ValidationFailed(name, OUTSIDE_THE_CALENDAR) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def list_params(
    limit: Annotated[int, Query(ge=1, le=100, description="Items per page")] = 50,
    cursor: Annotated[str | None, Query(max_length=512, description="next_cursor of the previous page")] = None,
    from_: Annotated[str | None, Query(alias="from", max_length=40,
                                       description="Inclusive start: a date or a date-time")] = None,
    to: Annotated[str | None, Query(max_length=40,
                                    description="Inclusive end: a date (through its end) or a date-time")] = None,
) -> ListParams:
    start, end = parse_bound("from", from_, end=False), parse_bound("to", to, end=True)
    if start and end and start > end:
        raise ValidationFailed("from", "must not be after `to`")
    return ListParams(limit=limit, cursor=decode_cursor(cursor) if cursor else None, from_=start, to=end)


ListParamsDep = Annotated[ListParams, Depends(list_params)]
