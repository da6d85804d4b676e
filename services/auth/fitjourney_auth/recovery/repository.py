"""SQL for password reset tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth.models import PasswordResetToken


class ResetTokenRepository:
    def __init__(self, session: AsyncSession):
        self.session = session

    def add(self, token: PasswordResetToken) -> None:
        self.session.add(token)

    async def consume(self, token_hash: str, now: datetime) -> uuid.UUID | None:
        """Use the token once: the user it was issued for, or None if unknown, used or expired."""
        result = await self.session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.token_hash == token_hash, PasswordResetToken.used_at.is_(None),
                   PasswordResetToken.expires_at > now)
            .values(used_at=now)
            .returning(PasswordResetToken.user_id)
        )
        return result.scalar_one_or_none()

    async def invalidate_for_user(self, user_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
