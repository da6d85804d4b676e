"""SQL of exports, the audit log, and deleting every row of a user (erasure)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_core.account.models import AuditEntry, Export


async def pending_export(session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False) -> Export | None:
    query = select(Export).where(Export.user_id == user_id, Export.status == "pending", Export.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def find_export(
    session: AsyncSession, user_id: uuid.UUID, export_id: uuid.UUID, *, for_update: bool = False,
) -> Export | None:
    query = select(Export).where(Export.id == export_id, Export.user_id == user_id, Export.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).first()


def add_audit_entry(session: AsyncSession, user_id: uuid.UUID, action: str, **detail: Any) -> None:
    """Append an audit row to the caller's transaction (it commits with the change it records)."""
    session.add(AuditEntry(occurred_at=utcnow(), user_id=user_id, action=action, detail=detail))


async def audit_entries(session: AsyncSession, user_id: uuid.UUID) -> Sequence[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.user_id == user_id).order_by(AuditEntry.id)
    return (await session.scalars(query)).all()


async def delete_rows_of_user(session: AsyncSession, table: Table, user_id: uuid.UUID) -> int:
    """Hard-delete the user's rows of `table`; how many went."""
    result = await session.execute(delete(table).where(table.c.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)
