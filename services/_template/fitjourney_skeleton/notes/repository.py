"""SQL for notes; the only module of the domain that builds queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.pagination import ListParams
from fitjourney_common.errors import ValidationFailed
from fitjourney_skeleton.notes.models import Note


async def add_note(session: AsyncSession, note: Note) -> Note:
    session.add(note)
    await session.flush()
    return note


async def list_for_user(session: AsyncSession, user_id: uuid.UUID, params: ListParams) -> Sequence[Note]:
    """Newest first, `limit + 1` rows so the caller knows whether another page follows."""
    query = (select(Note).where(Note.user_id == user_id)
             .order_by(Note.created_at.desc(), Note.id.desc()).limit(params.limit + 1))
    if params.cursor is not None:
        try:
            before = datetime.fromisoformat(params.cursor.key)
        except ValueError as exc:
            raise ValidationFailed("cursor", "is not a cursor this API issued") from exc
        query = query.where(tuple_(Note.created_at, Note.id) < (before, params.cursor.id))
    if params.from_ is not None:
        query = query.where(Note.created_at >= params.from_)
    if params.to is not None:
        query = query.where(Note.created_at <= params.to)
    return (await session.scalars(query)).all()


async def delete_for_user(session: AsyncSession, user_id: uuid.UUID) -> int:
    result = await session.execute(delete(Note).where(Note.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)
