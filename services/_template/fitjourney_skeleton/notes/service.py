"""Rules of notes: what may be written and what a page holds. Never commits (the request's session does)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.pagination import ListParams, Page, encode_cursor
from fitjourney_common.events.envelope import as_utc
from fitjourney_skeleton.notes import repository
from fitjourney_skeleton.notes.models import Note
from fitjourney_skeleton.notes.schemas import NoteCreate, NoteRead


async def create_note(session: AsyncSession, user_id: uuid.UUID, data: NoteCreate) -> NoteRead:
    note = await repository.add_note(session, Note(id=uuid.uuid4(), user_id=user_id, text=data.text))
    # A resource other services care about would announce itself here, in the same transaction:
    # publish(session, "note.created", {...}, user_id)  (with a contract in fitjourney_common.events.contracts)
    return NoteRead.model_validate(note)


async def list_notes(session: AsyncSession, user_id: uuid.UUID, params: ListParams) -> Page[NoteRead]:
    rows = list(await repository.list_for_user(session, user_id, params))
    more = len(rows) > params.limit
    rows = rows[:params.limit]
    next_cursor = encode_cursor(as_utc(rows[-1].created_at), rows[-1].id) if more else None
    return Page[NoteRead](items=[NoteRead.model_validate(row) for row in rows], next_cursor=next_cursor)


async def erase_user(session: AsyncSession, user_id: uuid.UUID) -> int:
    """Account erasure (`user.deleted`): every note of the user goes."""
    return await repository.delete_for_user(session, user_id)
