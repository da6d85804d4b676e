"""SQL for password reset tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth.models import PasswordResetToken


def add_reset_token(session: AsyncSession, token: PasswordResetToken) -> None:
    session.add(token)


async def consume_reset_token(session: AsyncSession, token_hash: str, now: datetime) -> uuid.UUID | None:
    """Use the token once: the user it was issued for, or None if unknown, used or expired."""
    result = await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.token_hash == token_hash, PasswordResetToken.used_at.is_(None),
               PasswordResetToken.expires_at > now)
        .values(used_at=now)
        .returning(PasswordResetToken.user_id)
    )
    return result.scalar_one_or_none()


async def invalidate_reset_tokens(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    """Every unused reset token of the user stops working (after a successful reset)."""
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
