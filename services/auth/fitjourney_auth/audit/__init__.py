"""The audit log: who did what security-relevant thing, from where (append-only table `audit_log`)."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth.audit import repository
from fitjourney_auth.client import ClientInfo
from fitjourney_auth.models import AuditLogEntry
from fitjourney_common.db.base import utcnow


class AuditAction(StrEnum):
    REGISTERED = "account.registered"
    REGISTRATION_REPEATED = "account.registration_repeated"  # an email that already has an account
    DELETED = "account.deleted"
    SIGN_IN_SUCCEEDED = "sign_in.succeeded"
    SIGN_IN_FAILED = "sign_in.failed"
    LOCKED_OUT = "sign_in.locked_out"
    SIGN_IN_BLOCKED = "sign_in.blocked"  # an attempt while the email is locked
    OAUTH_SIGN_IN = "oauth.sign_in"
    REAUTHENTICATED = "sign_in.reauthenticated"  # the password checked again for an irreversible operation
    PASSWORD_CHANGED = "password.changed"  # noqa: S105 (a name, not a secret)
    EMAIL_CHANGED = "email.changed"
    EMAIL_VERIFIED = "email.verified"
    EMAIL_VERIFICATION_REQUESTED = "email.verification_requested"
    REFRESH_REUSED = "session.refresh_reused"
    SESSION_REVOKED = "session.revoked"
    LOGOUT = "logout"
    ROLES_CHANGED = "roles.changed"
    PASSWORD_RESET_REQUESTED = "password_reset.requested"  # noqa: S105 (a name, not a secret)
    PASSWORD_RESET_COMPLETED = "password_reset.completed"  # noqa: S105


def record(session: AsyncSession, action: AuditAction, *, client: ClientInfo | None = None,
           user_id: uuid.UUID | None = None, email: str | None = None, **detail: Any) -> None:
    """Add an audit row to the caller's transaction. Failures that must leave a row (a wrong password,
    a reused refresh token) raise `keep_writes` errors, so the row commits although the request fails."""
    client = client or ClientInfo()
    session.add(AuditLogEntry(occurred_at=utcnow(), action=action.value, user_id=user_id, email=email,
                              ip=client.ip, user_agent=client.user_agent, detail=detail))


async def redact_personal_data(session: AsyncSession, user_id: uuid.UUID, email: str | None) -> None:
    """Account erasure: keep what happened, forget who it was (email, address, user agent). Rows of
    failed sign-ins name only the email, so they are found by it too."""
    await repository.redact(session, user_id, email)
