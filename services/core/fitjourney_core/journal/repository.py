"""SQL of journal entries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.pagination import ListParams
from fitjourney_core.journal.models import JournalEntry
from fitjourney_core.pagination import newest_first_by_date


async def entry_on(session: AsyncSession, user_id: uuid.UUID, day: date, *, for_update: bool = False,
                   include_deleted: bool = False) -> JournalEntry | None:
    query = select(JournalEntry).where(JournalEntry.user_id == user_id, JournalEntry.date == day)
    if not include_deleted:
        query = query.where(JournalEntry.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def list_entries(session: AsyncSession, user_id: uuid.UUID, params: ListParams) -> Sequence[JournalEntry]:
    """Newest date first; `from`/`to` and the cursor work on calendar dates."""
    query = select(JournalEntry).where(JournalEntry.user_id == user_id, JournalEntry.deleted_at.is_(None))
    return (await session.scalars(newest_first_by_date(query, JournalEntry.date, JournalEntry.id, params))).all()
