"""Single-use, expiring tokens sent by mail (password reset, email verification): the mail carries the
token, the database only its SHA-256, so a database leak reveals no usable link."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth.models import EmailVerificationToken, PasswordResetToken
from fitjourney_auth.tokens import hash_token, new_opaque_token
from fitjourney_common.db.base import utcnow

TokenModel = type[PasswordResetToken] | type[EmailVerificationToken]


def issue(session: AsyncSession, model: TokenModel, user_id: uuid.UUID, ttl_seconds: int) -> str:
    """A new token for the user (stored with the caller's transaction); returns the token to mail."""
    now = utcnow()
    token, token_hash = new_opaque_token()
    session.add(model(token_hash=token_hash, user_id=user_id, created_at=now,
                      expires_at=now + timedelta(seconds=ttl_seconds)))
    return token


async def consume(session: AsyncSession, model: TokenModel, token: str) -> uuid.UUID | None:
    """Use the token once: the user it was issued for, or None if unknown, used or expired."""
    now = utcnow()
    result = await session.execute(
        update(model)
        .where(model.token_hash == hash_token(token), model.used_at.is_(None), model.expires_at > now)
        .values(used_at=now)
        .returning(model.user_id)
    )
    return result.scalar_one_or_none()


async def invalidate(session: AsyncSession, model: TokenModel, user_id: uuid.UUID) -> None:
    """Every unused token of the user stops working (after a reset, a verification, an email change)."""
    await session.execute(
        update(model)
        .where(model.user_id == user_id, model.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
