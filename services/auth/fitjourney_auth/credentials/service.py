"""Rules for changing one's password or email: the caller proves who they are again first (their current
password, or for an account without one a provider sign-in within the last minutes), and the old
address hears of it by mail."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth import audit
from fitjourney_auth.accounts import service as accounts
from fitjourney_auth.accounts.repository import normalize_email
from fitjourney_auth.accounts.schemas import UserRead
from fitjourney_auth.audit import AuditAction
from fitjourney_auth.client import ClientInfo
from fitjourney_auth.mail import MailMessage
from fitjourney_auth.mailed_tokens import repository as mailed_tokens
from fitjourney_auth.models import EmailVerificationToken, PasswordResetToken, User
from fitjourney_auth.passwords import check_password_policy
from fitjourney_auth.runtime import AuthRuntime
from fitjourney_auth.sessions import service as sessions
from fitjourney_auth.verification import service as verification
from fitjourney_common.db.base import utcnow
from fitjourney_common.db.session import call_after_commit
from fitjourney_common.errors import Conflict, Unauthorized, ValidationFailed
from fitjourney_common.security import Principal, require_recent_authentication


async def _confirmed_account(session: AsyncSession, runtime: AuthRuntime, principal: Principal,
                             current_password: str | None, client: ClientInfo) -> User:
    """The caller's account once they proved who they are: the current password when the account has
    one (checked under the sign-in lockout), else a sign-in within the last minutes (403 otherwise)."""
    user = await accounts.account(session, principal.user_id)
    if user is None:
        raise Unauthorized("The account no longer exists")
    if user.password_hash is not None and user.email_normalized:
        if current_password is None:
            raise ValidationFailed("current_password", "is required: confirm it is you with your password")
        await accounts.authenticate(session, runtime, user.email_normalized, current_password, client,
                                    purpose="reauthenticate")
    else:
        await require_recent_authentication(principal)
    return user


def _notify(session: AsyncSession, runtime: AuthRuntime, to: str, subject: str, body: str) -> None:
    _send(session, runtime, MailMessage(to=to, subject=subject, body=body, sender=runtime.settings.mail_from))


def _send(session: AsyncSession, runtime: AuthRuntime, message: MailMessage) -> None:
    async def send() -> None:
        await runtime.mail.send(message)

    call_after_commit(session, send)  # only once the change is stored


async def change_password(session: AsyncSession, runtime: AuthRuntime, principal: Principal,
                          current_password: str | None, new_password: str, client: ClientInfo) -> None:
    """A new password; every other session of the account ends (this device stays signed in)."""
    user = await _confirmed_account(session, runtime, principal, current_password, client)
    check_password_policy(new_password, user.email)
    user.password_hash = await runtime.passwords.hash(new_password)
    user.password_changed_at = utcnow()
    current = sessions.session_id_of(principal)
    ended = await sessions.revoke_all(session, runtime, user.id, "password_changed", keep=current)
    audit.record(session, AuditAction.PASSWORD_CHANGED, client=client, user_id=user.id, email=user.email_normalized,
                 sessions_revoked=ended)
    if user.email:
        _notify(session, runtime, user.email, "Your FitJourney password was changed",
                f"Hello {user.display_name},\n\nthe password of your FitJourney account was just changed, and "
                f"every other device was signed out.\nIf this was not you, reset your password now and "
                f"check your account's sessions.\n")


async def change_email(session: AsyncSession, runtime: AuthRuntime, principal: Principal, email: str,
                       current_password: str | None, client: ClientInfo) -> UserRead:
    """A new sign-in email (unverified until its mailed link is used; the account stays active); the old
    address is told."""
    user = await _confirmed_account(session, runtime, principal, current_password, client)
    email = email.strip()
    normalized = normalize_email(email)
    old_email = user.email
    if normalized != user.email_normalized:
        if await accounts.account_by_email(session, normalized) is not None:
            raise Conflict(accounts.EMAIL_TAKEN)
        user.email, user.email_normalized, user.email_verified = email, normalized, False
        try:
            await session.flush()
        except IntegrityError as exc:  # taken by a concurrent registration
            raise Conflict(accounts.EMAIL_TAKEN) from exc
        audit.record(session, AuditAction.EMAIL_CHANGED, client=client, user_id=user.id, email=normalized)
        # Links mailed to the old address must not prove the new one; the new address gets its own.
        for model in (PasswordResetToken, EmailVerificationToken):
            await mailed_tokens.invalidate(session, model, user.id)
        _send(session, runtime, verification.verification_mail(
            session, runtime, user, "your FitJourney account now signs in with this address."))
        if old_email:
            _notify(session, runtime, old_email, "Your FitJourney email was changed",
                    f"Hello {user.display_name},\n\nyour FitJourney account now signs in as {email} instead "
                    f"of this address.\nIf this was not you, reply to this mail at once.\n")
    return UserRead.model_validate(user)
