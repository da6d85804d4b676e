"""Password reset rules: single-use, short-lived tokens by mail; a reset ends every session and, since the
link proves the address, verifies the email.

A request is always accepted (202), so the endpoint reveals no account; only known accounts get mail.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth import audit
from fitjourney_auth.accounts import service as accounts
from fitjourney_auth.accounts.repository import normalize_email
from fitjourney_auth.audit import AuditAction
from fitjourney_auth.client import ClientInfo
from fitjourney_auth.mail import MailMessage
from fitjourney_auth.mailed_tokens import repository as mailed_tokens
from fitjourney_auth.models import PasswordResetToken
from fitjourney_auth.passwords import check_password_policy
from fitjourney_auth.runtime import AuthRuntime
from fitjourney_auth.sessions import service as sessions
from fitjourney_auth.verification import service as verification
from fitjourney_common.db.base import utcnow
from fitjourney_common.errors import BadRequest, TooManyRequests, Unauthorized

BAD_TOKEN = "The reset token is invalid, expired or already used"  # noqa: S105 (a message)


async def request_reset(session: AsyncSession, runtime: AuthRuntime, email: str,
                        client: ClientInfo) -> MailMessage | None:
    """The mail to send (after the transaction commits), or None for an unknown email. The caller
    answers the same either way, so the endpoint reveals no account."""
    settings = runtime.settings
    normalized = normalize_email(email)
    user = await accounts.account_by_email(session, normalized)
    audit.record(session, AuditAction.PASSWORD_RESET_REQUESTED, client=client,
                 user_id=user.id if user else None, email=normalized, known=user is not None)
    if user is None or not user.email:
        return None
    try:
        await runtime.rate_limiter.check(settings.reset_mail_rate, "reset-mail", str(user.id))
    except TooManyRequests:
        return None  # enough mails for now; the answer stays 202, so it reveals nothing either
    ttl = settings.reset_token_ttl_seconds
    token = mailed_tokens.issue(session, PasswordResetToken, user.id, ttl)
    link = settings.password_reset_url.replace("{token}", token)
    body = (f"Hello {user.display_name},\n\n"
            f"someone (hopefully you) asked to reset the password of your FitJourney account.\n"
            f"Open this link within {ttl // 60} minutes to choose a new password:\n\n{link}\n\n"
            f"Reset token: {token}\n\n"
            f"If you did not ask for this, ignore this mail; your password stays as it is.\n")
    return MailMessage(to=user.email, subject="Reset your FitJourney password", body=body,
                       sender=settings.mail_from)


async def reset(session: AsyncSession, runtime: AuthRuntime, token: str, new_password: str,
                client: ClientInfo) -> None:
    now = utcnow()
    user_id = await mailed_tokens.consume(session, PasswordResetToken, token)
    if user_id is None:
        raise BadRequest(BAD_TOKEN, errors=[{"field": "token", "message": BAD_TOKEN}])
    user = await accounts.account(session, user_id)
    if user is None:
        raise Unauthorized("The account no longer exists")
    # A weak password raises here and rolls back the token's use: the link still works for a retry.
    check_password_policy(new_password, user.email)
    user.password_hash = await runtime.passwords.hash(new_password)
    user.password_changed_at = now
    await mailed_tokens.invalidate(session, PasswordResetToken, user.id)
    # The link came to the account's address (an email change voids older links), so it proves it: a reset
    # also verifies the email and activates an account that never was (its password is now the mail owner's).
    verification.mark_verified(user, now)
    ended = await sessions.revoke_all(session, runtime, user.id, "password_reset")
    if user.email_normalized:
        await runtime.lockout.lift(user.email_normalized)
    audit.record(session, AuditAction.PASSWORD_RESET_COMPLETED, client=client, user_id=user.id,
                 email=user.email_normalized, sessions_revoked=ended)
