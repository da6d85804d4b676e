"""SQL for refresh sessions and their refresh tokens."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, String, bindparam, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from fitjourney_auth.accounts.repository import cursor_time
from fitjourney_auth.models import RefreshSession, RefreshToken, User
from fitjourney_common.db.base import UtcDateTime
from fitjourney_common.db.pagination import ListParams


@dataclass(frozen=True)
class Rotated:
    """What a rotation read for the new access token: the session's user, roles and last credential check."""

    session_id: uuid.UUID
    user_id: uuid.UUID
    roles: list[str]
    auth_time: datetime


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


def _rotation() -> Select[tuple[uuid.UUID, uuid.UUID, datetime, list[str]]]:
    """Spend the token, renew its session, add the successor and read what the access token needs, in one
    statement. `FOR UPDATE OF` the token and its session: when a concurrent refresh with the same token, or
    a revocation, commits first, the rows are read again, no longer match, and the statement changes nothing.
    """
    now, expires = bindparam("now", type_=UtcDateTime()), bindparam("expires", type_=UtcDateTime())
    found = (
        select(RefreshToken.token_hash, RefreshSession.id.label("session_id"), RefreshSession.user_id,
               func.coalesce(RefreshSession.authenticated_at, RefreshSession.created_at).label("auth_time"),
               User.roles)
        .join(RefreshSession, RefreshSession.id == RefreshToken.session_id)
        .join(User, User.id == RefreshSession.user_id)
        .where(RefreshToken.token_hash == bindparam("presented"), RefreshToken.used_at.is_(None),
               RefreshToken.expires_at > now, RefreshSession.revoked_at.is_(None), RefreshSession.expires_at > now)
        .with_for_update(of=[RefreshToken.__table__, RefreshSession.__table__])
        .cte("found")
    )
    spent = update(RefreshToken).where(RefreshToken.token_hash == found.c.token_hash).values(used_at=now)
    renewed = update(RefreshSession).where(RefreshSession.id == found.c.session_id).values(
        last_used_at=now, expires_at=expires,
        ip=func.coalesce(bindparam("client_ip", type_=String()), RefreshSession.ip),
        user_agent=func.coalesce(bindparam("client_agent", type_=String()), RefreshSession.user_agent))
    issued = insert(RefreshToken).from_select(
        ["token_hash", "session_id", "user_id", "created_at", "expires_at"],
        select(bindparam("new_hash", type_=String()), found.c.session_id, found.c.user_id, now, expires))
    return (select(found.c.session_id, found.c.user_id, found.c.auth_time, found.c.roles)
            .add_cte(spent.cte("spent"), renewed.cte("renewed"), issued.cte("issued")))


# Built once: a refresh only binds its values (named unlike any column: an UPDATE would SET a column
# whose name a parameter shares).
ROTATION = _rotation()


async def rotate(engine: AsyncEngine, token_hash: str, new_hash: str, now: datetime, expires: datetime,
                 ip: str | None, user_agent: str | None) -> Rotated | None:
    """PostgreSQL: the whole rotation as one statement run on its own (autocommit: one statement is atomic,
    so no BEGIN or COMMIT round trips). None if it changed nothing (an unknown, spent or expired token, an
    ended session) or on SQLite: the caller's step-by-step path then decides and says why."""
    if engine.dialect.name != "postgresql":
        return None
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        row = (await connection.execute(ROTATION, {
            "presented": token_hash, "new_hash": new_hash, "now": now, "expires": expires,
            "client_ip": ip, "client_agent": user_agent})).first()
    return None if row is None else Rotated(row.session_id, row.user_id, list(row.roles), row.auth_time)


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


async def revoke(session: AsyncSession, session_ids: Sequence[uuid.UUID], reason: str, now: datetime) -> None:
    """Revoke sessions (already revoked ones keep their first reason): their tokens no longer rotate."""
    if not session_ids:
        return
    await session.execute(
        update(RefreshSession)
        .where(RefreshSession.id.in_(session_ids), RefreshSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )


async def active_session_ids(session: AsyncSession, user_id: uuid.UUID) -> list[uuid.UUID]:
    return list(await session.scalars(select(RefreshSession.id).where(
        RefreshSession.user_id == user_id, RefreshSession.revoked_at.is_(None))))
