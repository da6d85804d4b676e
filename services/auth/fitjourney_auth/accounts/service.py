"""Account rules: registration (password policy, unique email), password sign-in with lockout, own account."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth import audit
from fitjourney_auth.accounts.repository import UserRepository, normalize_email
from fitjourney_auth.accounts.schemas import UserCreate
from fitjourney_auth.audit import AuditAction
from fitjourney_auth.client import ClientInfo
from fitjourney_auth.errors import RecordedTooManyRequests, RecordedUnauthorized
from fitjourney_auth.models import ROLE_USER, OutboxMessage, User
from fitjourney_auth.passwords import check_password_policy
from fitjourney_auth.runtime import AuthRuntime
from fitjourney_common.db.base import utcnow
from fitjourney_common.errors import Conflict, Unauthorized
from fitjourney_common.events.envelope import new_event
from fitjourney_common.events.outbox import add_event

# One message for a wrong password and an unknown email, so the answer reveals no account.
BAD_CREDENTIALS = "Email or password is incorrect"
EMAIL_TAKEN = "An account with this email already exists"


def announce_registration(db: AsyncSession, user: User) -> None:
    """`user.registered` goes out with the transaction that created the account (outbox)."""
    add_event(db, OutboxMessage, new_event("user.registered", {
        "user_id": user.id, "email": user.email or "", "display_name": user.display_name}))


class AccountService:
    def __init__(self, db: AsyncSession, components: AuthRuntime):
        self.db = db
        self.components = components
        self.users = UserRepository(db)

    async def register(self, data: UserCreate, client: ClientInfo) -> User:
        email = str(data.email).strip()
        check_password_policy(data.password, email)
        if await self.users.get_by_email(email) is not None:
            raise Conflict(EMAIL_TAKEN)
        user = User(id=uuid.uuid4(), email=email, email_normalized=normalize_email(email), email_verified=False,
                    password_hash=await self.components.passwords.hash(data.password),
                    password_changed_at=utcnow(), display_name=data.display_name, roles=[ROLE_USER])
        try:
            await self.users.add(user)
        except IntegrityError as exc:  # a concurrent registration of the same email won the race
            raise Conflict(EMAIL_TAKEN) from exc
        announce_registration(self.db, user)
        audit.record(self.db, AuditAction.REGISTERED, client=client, user_id=user.id, email=user.email_normalized)
        return user

    async def authenticate(self, email: str, password: str, client: ClientInfo) -> User:
        """The account of `email` if `password` is right; 401 otherwise, 429 while the email is locked."""
        normalized = normalize_email(email)
        lockout = self.components.lockout
        admission = await lockout.admit(normalized)
        if admission.retry_after is not None:
            audit.record(self.db, AuditAction.SIGN_IN_BLOCKED, client=client, email=normalized,
                         retry_after=admission.retry_after)
            raise RecordedTooManyRequests("Too many failed sign-in attempts for this email; try again later",
                                          retry_after=admission.retry_after)

        user = await self.users.get_by_email(normalized)
        matches, new_hash = await self.components.passwords.verify(password, user.password_hash if user else None)
        if not matches or user is None:
            locked_for = await lockout.record_failure(normalized, admission)
            audit.record(self.db, AuditAction.SIGN_IN_FAILED, client=client, user_id=user.id if user else None,
                         email=normalized, reason="bad_credentials")
            if locked_for is not None:
                audit.record(self.db, AuditAction.LOCKED_OUT, client=client, user_id=user.id if user else None,
                             email=normalized, locked_seconds=locked_for)
            raise RecordedUnauthorized(BAD_CREDENTIALS)

        if new_hash is not None:  # stored with another cost than configured: upgrade it now we know the password
            user.password_hash = new_hash
        await lockout.reset(normalized)
        audit.record(self.db, AuditAction.SIGN_IN_SUCCEEDED, client=client, user_id=user.id, email=normalized,
                     method="password")
        return user

    async def get_current(self, user_id: uuid.UUID) -> User:
        user = await self.users.get(user_id)
        if user is None:  # deleted since the access token was issued
            raise Unauthorized("The account no longer exists")
        return user
