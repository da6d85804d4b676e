"""Account rules: registration (password policy, unique email, revealing no account, a verification mail),
password sign-in with lockout (only once the email is confirmed), own account."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth import audit
from fitjourney_auth.accounts import repository
from fitjourney_auth.accounts.repository import normalize_email
from fitjourney_auth.accounts.schemas import UserCreate, UserRead
from fitjourney_auth.audit import AuditAction
from fitjourney_auth.client import ClientInfo
from fitjourney_auth.errors import RecordedTooManyRequests, RecordedUnauthorized
from fitjourney_auth.lockout import Scope
from fitjourney_auth.mail import MailMessage
from fitjourney_auth.models import ROLE_USER, User
from fitjourney_auth.passwords import check_password_policy
from fitjourney_auth.runtime import AuthRuntime
from fitjourney_auth.shared import publish
from fitjourney_auth.verification import service as verification
from fitjourney_common.db.base import utcnow
from fitjourney_common.db.session import release_connection
from fitjourney_common.errors import TooManyRequests, Unauthorized

# One message for a wrong password and an unknown email, so the answer reveals no account.
BAD_CREDENTIALS = "Email or password is incorrect"
EMAIL_TAKEN = "An account with this email already exists"
LOCKED_MESSAGES = {
    Scope.PAIR: "Too many failed sign-in attempts for this email from your address; try again later",
    Scope.ADDRESS: "Too many failed sign-in attempts from your address; try again later",
}


def announce_registration(session: AsyncSession, user: User) -> None:
    """`user.registered` goes out with the transaction that created the account (outbox)."""
    publish(session, "user.registered",
            {"user_id": user.id, "email": user.email or "", "display_name": user.display_name}, user.id)


async def register(session: AsyncSession, runtime: AuthRuntime, data: UserCreate,
                   client: ClientInfo) -> MailMessage | None:
    """Create the account, or, when the email already has one, only tell its owner by mail. Both
    cases answer alike and do the same password hashing, so the answer and its time reveal no account.
    Returns the mail to send once the transaction is committed."""
    email = str(data.email).strip()
    check_password_policy(data.password, email)
    # Hashed before the lookup, whatever it finds: bcrypt is most of the time a registration takes.
    password_hash = await runtime.passwords.hash(data.password)
    existing = await repository.get_user_by_email(session, email)
    if existing is not None:
        return await _already_registered(session, runtime, existing, client)
    user = User(id=uuid.uuid4(), email=email, email_normalized=normalize_email(email), email_verified=False,
                password_hash=password_hash, password_changed_at=utcnow(), display_name=data.display_name,
                roles=[ROLE_USER])
    try:
        async with session.begin_nested():  # a savepoint: a lost race leaves the transaction usable
            await repository.add_user(session, user)
    except IntegrityError:  # a concurrent registration of the same email won the race
        winner = await repository.get_user_by_email(session, email)
        return None if winner is None else await _already_registered(session, runtime, winner, client)
    announce_registration(session, user)
    audit.record(session, AuditAction.REGISTERED, client=client, user_id=user.id, email=user.email_normalized)
    return verification.verification_mail(session, runtime, user, "welcome to FitJourney! Your account is "
                                          "ready once you confirm this email; then sign in with it and the "
                                          "password you chose.")


async def _already_registered(session: AsyncSession, runtime: AuthRuntime, owner: User,
                              client: ClientInfo) -> MailMessage | None:
    """Someone registered an email that has an account: its owner hears of it (a few mails an hour at
    most, so repeated attempts cannot flood the inbox); the caller's answer is the usual one."""
    audit.record(session, AuditAction.REGISTRATION_REPEATED, client=client, user_id=owner.id,
                 email=owner.email_normalized)
    if not owner.email:
        return None
    try:
        await runtime.rate_limiter.check(runtime.settings.reset_mail_rate, "registration-mail", str(owner.id))
    except TooManyRequests:
        return None
    return _mail(runtime, owner.email, "Someone tried to register with your email",
                 f"Hello {owner.display_name},\n\nsomeone just tried to create a FitJourney account with this "
                 f"email, which already has one.\nIf it was you, sign in, or reset your password if you "
                 f"forgot it (a reset also confirms the address of an account that waits for it). If not, "
                 f"ignore this mail: nothing changed.\n")


def _mail(runtime: AuthRuntime, to: str, subject: str, body: str) -> MailMessage:
    return MailMessage(to=to, subject=subject, body=body, sender=runtime.settings.mail_from)


async def authenticate(session: AsyncSession, runtime: AuthRuntime, email: str, password: str,
                       client: ClientInfo, purpose: str = "sign_in") -> User:
    """The account of `email` if `password` is right and the account activated; 401 otherwise, 429 while
    the email is locked."""
    normalized = normalize_email(email)
    lockout = runtime.lockout
    admission = await lockout.admit(normalized, client.ip)
    if admission.retry_after is not None:
        audit.record(session, AuditAction.SIGN_IN_BLOCKED, client=client, email=normalized,
                     retry_after=admission.retry_after, scope=str(admission.refused_by))
        raise RecordedTooManyRequests(LOCKED_MESSAGES[admission.refused_by or Scope.PAIR],
                                      retry_after=admission.retry_after)

    user = await repository.get_user_by_email(session, normalized)
    await release_connection(session)  # bcrypt takes a quarter second: the pool should not wait on it
    matches, new_hash = await runtime.passwords.verify(password, user.password_hash if user else None)
    # An account whose email was never confirmed fails exactly as a wrong password (same answer, same bcrypt
    # time, same lockout count): otherwise registering an address and signing in would tell it was free.
    if not matches or user is None or user.activated_at is None:
        locks = await lockout.record_failure(admission)
        reason = "bad_credentials" if not matches or user is None else "email_not_confirmed"
        audit.record(session, AuditAction.SIGN_IN_FAILED, client=client, user_id=user.id if user else None,
                     email=normalized, reason=reason, purpose=purpose)
        for lock in locks:
            audit.record(session, AuditAction.LOCKED_OUT, client=client, user_id=user.id if user else None,
                         email=normalized, locked_seconds=lock.seconds, scope=str(lock.scope))
        raise RecordedUnauthorized(BAD_CREDENTIALS)

    if new_hash is not None:  # stored with another cost than configured: upgrade it now we know the password
        user.password_hash = new_hash
    await lockout.record_success(admission)
    audit.record(session, AuditAction.SIGN_IN_SUCCEEDED if purpose == "sign_in" else AuditAction.REAUTHENTICATED,
                 client=client, user_id=user.id, email=normalized, method="password")
    return user


async def account(session: AsyncSession, user_id: uuid.UUID, *, fresh: bool = False) -> User | None:
    """The account record, for the other domains' rules (sessions, recovery, admin, erasure)."""
    return await repository.get_user(session, user_id, fresh=fresh)


async def account_by_email(session: AsyncSession, email: str) -> User | None:
    return await repository.get_user_by_email(session, email)


async def get_current(session: AsyncSession, user_id: uuid.UUID) -> UserRead:
    user = await repository.get_user(session, user_id)
    if user is None:  # deleted since the access token was issued
        raise Unauthorized("The account no longer exists")
    return UserRead.model_validate(user)
