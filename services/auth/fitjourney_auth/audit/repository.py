"""SQL of the audit log."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth.models import AuditLogEntry


async def redact(session: AsyncSession, user_id: uuid.UUID, email: str | None) -> None:
    """Blank the email, address and user agent of the user's rows (and of rows naming only their email)."""
    who = AuditLogEntry.user_id == user_id
    if email:
        who = or_(who, AuditLogEntry.email == email)
    await session.execute(
        update(AuditLogEntry).where(who).values(email=None, ip=None, user_agent=None)
        .execution_options(synchronize_session=False)
    )
