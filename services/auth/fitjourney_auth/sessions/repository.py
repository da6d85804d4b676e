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


class SessionRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    async def add(self, refresh_session: RefreshSession, token: RefreshToken) -> None:
        self.session.add(refresh_session)
        await self.session.flush()  # the session row first: the token refers to it
        self.session.add(token)
        await self.session.flush()

    async def add_token(self, token: RefreshToken) -> None:
        self.session.add(token)
        await self.session.flush()

    async def find_token(self, token_hash: str) -> tuple[RefreshToken, RefreshSession] | None:
        row = (await self.session.execute(
            select(RefreshToken, RefreshSession)
            .join(RefreshSession, RefreshSession.id == RefreshToken.session_id)
            .where(RefreshToken.token_hash == token_hash)
        )).first()
        return (row[0], row[1]) if row else None

    async def consume_token(self, token_hash: str, now: datetime) -> bool:
        """Mark an unused, unexpired token used; False if it was not (the database decides, so two
        concurrent refreshes with one token cannot both succeed)."""
        result = await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == token_hash, RefreshToken.used_at.is_(None),
                   RefreshToken.expires_at > now)
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1

    async def get_session(self, session_id: uuid.UUID) -> RefreshSession | None:
        return await self.session.get(RefreshSession, session_id, populate_existing=True)

    async def get_active_for_user(self, session_id: uuid.UUID, user_id: uuid.UUID,
                                  now: datetime) -> RefreshSession | None:
        return await self.session.scalar(select(RefreshSession).where(
            RefreshSession.id == session_id, RefreshSession.user_id == user_id,
            RefreshSession.revoked_at.is_(None), RefreshSession.expires_at > now))

    async def list_active(self, user_id: uuid.UUID, params: ListParams, now: datetime) -> Sequence[RefreshSession]:
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
        return (await self.session.scalars(query)).all()

    async def revoke(self, session_ids: Sequence[uuid.UUID], reason: str, now: datetime) -> list[str]:
        """Revoke sessions (already revoked ones keep their first reason); returns the hashes of their
        still-unused tokens, which the cache must forget."""
        if not session_ids:
            return []
        await self.session.execute(
            update(RefreshSession)
            .where(RefreshSession.id.in_(session_ids), RefreshSession.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
            .execution_options(synchronize_session=False)
        )
        return list(await self.session.scalars(select(RefreshToken.token_hash).where(
            RefreshToken.session_id.in_(session_ids), RefreshToken.used_at.is_(None))))

    async def active_session_ids(self, user_id: uuid.UUID) -> list[uuid.UUID]:
        return list(await self.session.scalars(select(RefreshSession.id).where(
            RefreshSession.user_id == user_id, RefreshSession.revoked_at.is_(None))))

    async def unused_token_hashes(self, user_id: uuid.UUID) -> list[str]:
        return list(await self.session.scalars(select(RefreshToken.token_hash).where(
            RefreshToken.user_id == user_id, RefreshToken.used_at.is_(None))))
