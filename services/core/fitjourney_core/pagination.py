"""Keyset pagination over (time, id) or (date, id), newest first, with the shared cursor and from/to parameters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, or_

from fitjourney_common.db.pagination import ListParams, encode_cursor
from fitjourney_common.errors import ValidationFailed
from fitjourney_core.schemas import as_utc


def newest_first_page(query: Select[Any], time_column: Any, id_column: Any, params: ListParams) -> Select[Any]:
    """Filter by `params.from_`/`to` on `time_column`, continue after `params.cursor`, fetch limit + 1."""
    if params.from_ is not None:
        # `from`/`to` have a UTC equivalent: the shared list parameters refuse the calendar's edges (422).
        query = query.where(time_column >= as_utc(params.from_))
    if params.to is not None:
        query = query.where(time_column <= as_utc(params.to))
    if params.cursor is not None:
        try:
            key = as_utc(datetime.fromisoformat(params.cursor.key))
        except (ValueError, OverflowError) as exc:
            raise ValidationFailed("cursor", "is not a cursor this API issued") from exc
        query = query.where(or_(time_column < key, and_(time_column == key, id_column < params.cursor.id)))
    return query.order_by(time_column.desc(), id_column.desc()).limit(params.limit + 1)


def newest_first_by_date(query: Select[Any], date_column: Any, id_column: Any, params: ListParams) -> Select[Any]:
    """`newest_first_page` for a calendar-date column: `from`/`to` and the cursor compare dates."""
    if params.from_ is not None:
        query = query.where(date_column >= params.from_.date())
    if params.to is not None:
        query = query.where(date_column <= params.to.date())
    if params.cursor is not None:
        try:
            after = date.fromisoformat(params.cursor.key)
        except ValueError as exc:
            raise ValidationFailed("cursor", "is not a cursor this API issued") from exc
        query = query.where(or_(date_column < after, and_(date_column == after, id_column < params.cursor.id)))
    return query.order_by(date_column.desc(), id_column.desc()).limit(params.limit + 1)


def next_cursor(rows: list[Any], limit: int, key_attr: str) -> tuple[list[Any], str | None]:
    """The page's rows and the cursor of the next page (None on the last page)."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    key = getattr(last, key_attr)
    return rows, encode_cursor(as_utc(key) if isinstance(key, datetime) else key, last.id)
