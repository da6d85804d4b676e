"""SQL of the changes feed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_core.sync.models import Change


async def lock_user_changes(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Serialise one user's change-writing transactions until commit (PostgreSQL only).

    A sequence hands out numbers in call order, not commit order: without this, a reader could see
    seq 8 committed while seq 7 is still in flight, move its cursor past 7 and never see it.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                              {"key": f"core.changes:{user_id}"})


def add_change(session: AsyncSession, **values: Any) -> Change:
    change = Change(**values)
    session.add(change)
    return change


async def list_since(session: AsyncSession, user_id: uuid.UUID, since: int, limit: int) -> Sequence[Change]:
    query = (
        select(Change)
        .where(Change.user_id == user_id, Change.seq > since)
        .order_by(Change.seq)
        .limit(limit)
    )
    return (await session.scalars(query)).all()
