"""SQL of auth's export part: the account, its linked providers, its sessions and its audit entries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth.models import AuditLogEntry, Identity, RefreshSession, User


async def user(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def identities(session: AsyncSession, user_id: uuid.UUID) -> Sequence[Identity]:
    return (await session.scalars(select(Identity).where(Identity.user_id == user_id))).all()


async def sessions(session: AsyncSession, user_id: uuid.UUID) -> Sequence[RefreshSession]:
    return (await session.scalars(select(RefreshSession).where(RefreshSession.user_id == user_id)
                                  .order_by(RefreshSession.created_at))).all()


async def audit_entries(session: AsyncSession, user_id: uuid.UUID) -> Sequence[AuditLogEntry]:
    return (await session.scalars(select(AuditLogEntry).where(AuditLogEntry.user_id == user_id)
                                  .order_by(AuditLogEntry.id))).all()
