"""SQL of journal entries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.pagination import ListParams
from fitjourney_common.errors import ValidationFailed
from fitjourney_core.journal.models import JournalEntry


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
    if params.from_ is not None:
        query = query.where(JournalEntry.date >= params.from_.date())
    if params.to is not None:
        query = query.where(JournalEntry.date <= params.to.date())
    if params.cursor is not None:
        try:
            after = date.fromisoformat(params.cursor.key)
        except ValueError as exc:
            raise ValidationFailed("cursor", "is not a cursor this API issued") from exc
        query = query.where(or_(JournalEntry.date < after,
                                and_(JournalEntry.date == after, JournalEntry.id < params.cursor.id)))
    query = query.order_by(JournalEntry.date.desc(), JournalEntry.id.desc()).limit(params.limit + 1)
    return (await session.scalars(query)).all()
