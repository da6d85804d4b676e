"""SQL for refresh sessions and their refresh tokens."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth.accounts.repository import cursor_time
from fitjourney_auth.models import RefreshSession, RefreshToken
from fitjourney_common.db.pagination import ListParams


async def add_session(session: AsyncSession, refresh_session: RefreshSession, token: RefreshToken) -> None:
    session.add(refresh_session)
    await session.flush()  # the session row first: the token refers to it
    session.add(token)
    await session.flush()


async def add_token(session: AsyncSession, token: RefreshToken) -> None:
    session.add(token)
    await session.flush()


async def find_token(session: AsyncSession, token_hash: str) -> tuple[RefreshToken, RefreshSession] | None:
    row = (await session.execute(
        select(RefreshToken, RefreshSession)
        .join(RefreshSession, RefreshSession.id == RefreshToken.session_id)
        .where(RefreshToken.token_hash == token_hash)
    )).first()
    return (row[0], row[1]) if row else None


async def consume_token(session: AsyncSession, token_hash: str, now: datetime) -> bool:
    """Mark an unused, unexpired token used; False if it was not (the database decides, so two
    concurrent refreshes with one token cannot both succeed)."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.token_hash == token_hash, RefreshToken.used_at.is_(None),
               RefreshToken.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


async def get_session(session: AsyncSession, session_id: uuid.UUID) -> RefreshSession | None:
    return await session.get(RefreshSession, session_id, populate_existing=True)


async def get_active_for_user(session: AsyncSession, session_id: uuid.UUID, user_id: uuid.UUID,
                              now: datetime) -> RefreshSession | None:
    return await session.scalar(select(RefreshSession).where(
        RefreshSession.id == session_id, RefreshSession.user_id == user_id,
        RefreshSession.revoked_at.is_(None), RefreshSession.expires_at > now))


async def list_active(session: AsyncSession, user_id: uuid.UUID, params: ListParams,
                      now: datetime) -> Sequence[RefreshSession]:
    """Newest first, `limit + 1` rows so the caller knows whether another page follows."""
    query = (select(RefreshSession)
             .where(RefreshSession.user_id == user_id, RefreshSession.revoked_at.is_(None),
                    RefreshSession.expires_at > now)
             .order_by(RefreshSession.created_at.desc(), RefreshSession.id.desc())
             .limit(params.limit + 1))
    if params.cursor is not None:
        before = cursor_time(params.cursor.key)
        query = query.where(tuple_(RefreshSession.created_at, RefreshSession.id) < (before, params.cursor.id))
    if params.from_ is not None:
        query = query.where(RefreshSession.created_at >= params.from_)
    if params.to is not None:
        query = query.where(RefreshSession.created_at <= params.to)
    return (await session.scalars(query)).all()


async def revoke(session: AsyncSession, session_ids: Sequence[uuid.UUID], reason: str, now: datetime) -> list[str]:
    """Revoke sessions (already revoked ones keep their first reason); returns the hashes of their
    still-unused tokens, which the cache must forget."""
    if not session_ids:
        return []
    await session.execute(
        update(RefreshSession)
        .where(RefreshSession.id.in_(session_ids), RefreshSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return list(await session.scalars(select(RefreshToken.token_hash).where(
        RefreshToken.session_id.in_(session_ids), RefreshToken.used_at.is_(None))))


async def active_session_ids(session: AsyncSession, user_id: uuid.UUID) -> list[uuid.UUID]:
    return list(await session.scalars(select(RefreshSession.id).where(
        RefreshSession.user_id == user_id, RefreshSession.revoked_at.is_(None))))


async def unused_token_hashes(session: AsyncSession, user_id: uuid.UUID) -> list[str]:
    return list(await session.scalars(select(RefreshToken.token_hash).where(
        RefreshToken.user_id == user_id, RefreshToken.used_at.is_(None))))
