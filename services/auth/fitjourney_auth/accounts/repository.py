"""SQL for users and their linked provider identities."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, cast, delete, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth.models import ROLE_ADMIN, Identity, User
from fitjourney_common.db.pagination import ListParams
from fitjourney_common.errors import ValidationFailed
from fitjourney_common.timestamps import parse_moment


def cursor_time(key: str) -> datetime:
    try:
        return parse_moment(key)
    except ValueError as exc:
        raise ValidationFailed("cursor", "is not a cursor this API issued") from exc


def normalize_email(email: str) -> str:
    """Sign-in and uniqueness ignore case and surrounding blanks."""
    return email.strip().lower()


async def get_user(session: AsyncSession, user_id: uuid.UUID, *, fresh: bool = False) -> User | None:
    """`fresh` reads the row again even if this session already holds it (after taking a lock)."""
    return await session.get(User, user_id, populate_existing=fresh)


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email_normalized == normalize_email(email)))


async def insert_users(session: AsyncSession, rows: Sequence[dict[str, object]]) -> None:
    """Many accounts in one statement (bulk data for benchmarks); rows carry every column of `users`."""
    await session.execute(insert(User), list(rows))


async def add_user(session: AsyncSession, user: User) -> User:
    session.add(user)
    await session.flush()
    return user


async def list_users_page(session: AsyncSession, params: ListParams, email_prefix: str | None = None,
                          ) -> Sequence[User]:
    """Oldest first, `limit + 1` rows so the caller knows whether another page follows."""
    query = select(User).order_by(User.created_at, User.id).limit(params.limit + 1)
    if params.cursor is not None:
        after = cursor_time(params.cursor.key)
        query = query.where(tuple_(User.created_at, User.id) > (after, params.cursor.id))
    if params.from_ is not None:
        query = query.where(User.created_at >= params.from_)
    if params.to is not None:
        query = query.where(User.created_at <= params.to)
    if email_prefix:
        escaped = normalize_email(email_prefix).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(User.email_normalized.like(f"{escaped}%", escape="\\"))
    return (await session.scalars(query)).all()


async def lock_admins(session: AsyncSession) -> list[uuid.UUID]:
    """The ids of every admin, locked until the transaction ends (FOR UPDATE, in id order so two
    callers never deadlock). Two admins demoting each other at once would otherwise both count two
    admins and leave none: the second now waits, and PostgreSQL re-checks the row it waited for."""
    # `roles` is a JSON list on both PostgreSQL and SQLite; its text form holds `"admin"` exactly
    # when the role is granted (role names contain no quotes). SQLite ignores FOR UPDATE: it
    # serialises writers anyway.
    has_admin = cast(User.roles, String).like(f'%"{ROLE_ADMIN}"%')
    return list(await session.scalars(select(User.id).where(has_admin).order_by(User.id).with_for_update()))


async def delete_user(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Delete the account; its identities, sessions and tokens go with it (ON DELETE CASCADE)."""
    result = await session.execute(delete(User).where(User.id == user_id))
    return bool(getattr(result, "rowcount", 0))


async def get_identity(session: AsyncSession, provider: str, subject: str) -> Identity | None:
    return await session.scalar(select(Identity).where(Identity.provider == provider, Identity.subject == subject))


async def add_identity(session: AsyncSession, identity: Identity) -> Identity:
    session.add(identity)
    await session.flush()
    return identity
