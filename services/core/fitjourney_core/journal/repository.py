"""SQL of journal entries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Date, Select, Uuid, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.pagination import ListParams
from fitjourney_core.journal.models import JournalEntry
from fitjourney_core.pagination import newest_first_by_date


@lru_cache(maxsize=4)
def _entry_on_statement(for_update: bool, include_deleted: bool) -> Select[Any]:
    """Built once per variant, with the user and date bound (building it cost about as much as running it)."""
    query = select(JournalEntry).where(JournalEntry.user_id == bindparam("user_id", type_=Uuid),
                                       JournalEntry.date == bindparam("day", type_=Date))
    if not include_deleted:
        query = query.where(JournalEntry.deleted_at.is_(None))
    return query.with_for_update() if for_update else query


async def entry_on(session: AsyncSession, user_id: uuid.UUID, day: date, *, for_update: bool = False,
                   include_deleted: bool = False) -> JournalEntry | None:
    statement = _entry_on_statement(for_update, include_deleted)
    return (await session.scalars(statement, {"user_id": user_id, "day": day})).first()  # type: ignore[no-any-return]


async def list_entries(session: AsyncSession, user_id: uuid.UUID, params: ListParams) -> Sequence[JournalEntry]:
    """Newest date first; `from`/`to` and the cursor work on calendar dates."""
    query = select(JournalEntry).where(JournalEntry.user_id == user_id, JournalEntry.deleted_at.is_(None))
    return (await session.scalars(newest_first_by_date(query, JournalEntry.date, JournalEntry.id, params))).all()
