"""Email verification rules. Registration (and an email change) mails a single-use, expiring link; using
it verifies the address and activates the account. Password sign-in waits for activation
(accounts.authenticate answers an inactive account as a wrong password), so registering someone else's
address and signing in tells nothing about it. A reset link and a provider's verified email prove the
address too. Asking for a new link is always accepted (202) and rate-limited per account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth import audit
from fitjourney_auth.accounts import repository as accounts
from fitjourney_auth.audit import AuditAction
from fitjourney_auth.client import ClientInfo
from fitjourney_auth.mail import MailMessage
from fitjourney_auth.mailed_tokens import repository as mailed_tokens
from fitjourney_auth.models import EmailVerificationToken, User
from fitjourney_auth.runtime import AuthRuntime
from fitjourney_common.db.base import utcnow
from fitjourney_common.errors import BadRequest, TooManyRequests

BAD_TOKEN = "The verification token is invalid, expired or already used"  # noqa: S105 (a message)


def mark_verified(user: User, now: datetime) -> None:
    """The account's current email is proven; an account that never was is active from now on."""
    user.email_verified = True
    if user.activated_at is None:
        user.activated_at = now


def verification_mail(session: AsyncSession, runtime: AuthRuntime, user: User, intro: str) -> MailMessage:
    """A new link for the user's current email (the token is stored with the caller's transaction)."""
    assert user.email, "only an account with an email is verified"
    settings = runtime.settings
    ttl = settings.verification_token_ttl_seconds
    token = mailed_tokens.issue(session, EmailVerificationToken, user.id, ttl)
    link = settings.email_verification_url.replace("{token}", token)
    body = (f"Hello {user.display_name},\n\n{intro}\n"
            f"Open this link within {ttl // 3600} hours to confirm that this address is yours:\n\n{link}\n\n"
            f"Verification token: {token}\n\n"
            f"If you did not ask for this, ignore this mail: nothing is confirmed without the link.\n")
    return MailMessage(to=user.email, subject="Confirm your FitJourney email", body=body, sender=settings.mail_from)


async def verify(session: AsyncSession, token: str, client: ClientInfo) -> None:
    user_id = await mailed_tokens.consume(session, EmailVerificationToken, token)
    user = None if user_id is None else await accounts.get_user(session, user_id)
    if user is None:
        raise BadRequest(BAD_TOKEN, errors=[{"field": "token", "message": BAD_TOKEN}])
    mark_verified(user, utcnow())
    await mailed_tokens.invalidate(session, EmailVerificationToken, user.id)  # older links have done their job
    audit.record(session, AuditAction.EMAIL_VERIFIED, client=client, user_id=user.id, email=user.email_normalized)


async def resend(session: AsyncSession, runtime: AuthRuntime, email: str, client: ClientInfo) -> MailMessage | None:
    """The mail to send after the commit, or None (no such account, already verified, enough mails this hour):
    the caller answers 202 in every case, so the endpoint reveals no account."""
    user = await accounts.get_user_by_email(session, email)
    audit.record(session, AuditAction.EMAIL_VERIFICATION_REQUESTED, client=client,
                 user_id=user.id if user else None, email=accounts.normalize_email(email), known=user is not None)
    if user is None or not user.email or user.email_verified:
        return None
    try:
        await runtime.rate_limiter.check(runtime.settings.reset_mail_rate, "verification-mail", str(user.id))
    except TooManyRequests:
        return None
    return verification_mail(session, runtime, user, "here is a new link for your FitJourney account.")
