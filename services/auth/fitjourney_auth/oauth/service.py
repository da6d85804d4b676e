"""OAuth sign-in rules: which account a provider identity signs into.

A known provider subject signs into its account; a new one is linked to the account with the same email
only when the provider vouches for the email, else it gets a new (password-less) account.
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth import audit
from fitjourney_auth.accounts import repository as accounts_repository
from fitjourney_auth.accounts import service as accounts
from fitjourney_auth.accounts.repository import normalize_email
from fitjourney_auth.audit import AuditAction
from fitjourney_auth.client import ClientInfo
from fitjourney_auth.errors import RecordedUnauthorized
from fitjourney_auth.models import ROLE_USER, Identity, User
from fitjourney_auth.oauth.providers import ProviderIdentity
from fitjourney_auth.runtime import AuthRuntime
from fitjourney_auth.sessions import service as sessions
from fitjourney_auth.sessions.service import IssuedTokens
from fitjourney_auth.verification import service as verification
from fitjourney_common.db.base import utcnow
from fitjourney_common.errors import Conflict, Unauthorized, ValidationFailed


async def sign_in(session: AsyncSession, runtime: AuthRuntime, provider_name: str, credential: str,
                  display_name: str | None, client: ClientInfo, credential_field: str) -> IssuedTokens:
    provider = runtime.oauth.get(provider_name)
    try:
        identity = await provider.verify(credential)
    except Unauthorized as exc:
        # A refused provider token is a failed sign-in like a wrong password: its row outlives the 401.
        audit.record(session, AuditAction.SIGN_IN_FAILED, client=client, method=provider_name,
                     reason="invalid_token", message=exc.detail[:200])
        raise RecordedUnauthorized(exc.detail) from exc
    user, created, linked = await _account_for(session, identity, display_name, credential_field)
    audit.record(session, AuditAction.OAUTH_SIGN_IN, client=client, user_id=user.id,
                 email=user.email_normalized, provider=provider_name, created=created, linked=linked)
    return await sessions.start(session, runtime, user, client)


async def _account_for(session: AsyncSession, identity: ProviderIdentity, display_name: str | None,
                       credential_field: str) -> tuple[User, bool, bool]:
    """(account, created now, identity linked now)."""
    known = await accounts_repository.get_identity(session, identity.provider, identity.subject)
    if known is not None:
        user = await accounts.account(session, known.user_id)
        if user is None:
            raise Unauthorized("The account of this sign-in no longer exists")
        return user, False, False
    if not identity.email:
        raise ValidationFailed(credential_field, f"{identity.provider} shared no email address; "
                                                 "allow access to it and try again")
    existing = await accounts.account_by_email(session, identity.email)
    if existing is not None:
        if not identity.email_verified:
            # Linking on an unverified email would hand the account to whoever typed that address.
            raise Conflict(f"An account with this email exists; sign in to it first (the email "
                           f"{identity.provider} gave is not verified)")
        await _link(session, existing, identity)
        if existing.activated_at is None:
            # Whoever registered this address never confirmed it, so its password is not the owner's: it
            # goes (else a registration made in someone's name would sign in to their provider-linked account).
            existing.password_hash = None
        verification.mark_verified(existing, utcnow())
        return existing, False, True
    email = identity.email.strip()
    user = User(id=uuid.uuid4(), email=email, email_normalized=normalize_email(email),
                email_verified=identity.email_verified, password_hash=None,
                activated_at=utcnow() if identity.email_verified else None,
                display_name=display_name or identity.name or email.split("@", 1)[0][:100] or "FitJourney user",
                roles=[ROLE_USER])
    try:
        await accounts_repository.add_user(session, user)
    except IntegrityError as exc:
        raise Conflict("An account with this email was just created; try again") from exc
    await _link(session, user, identity)
    accounts.announce_registration(session, user)
    return user, True, True


async def _link(session: AsyncSession, user: User, identity: ProviderIdentity) -> None:
    try:
        await accounts_repository.add_identity(session, Identity(
            id=uuid.uuid4(), user_id=user.id, provider=identity.provider, subject=identity.subject,
            email=identity.email, created_at=utcnow()))
    except IntegrityError as exc:  # the same provider account signing in twice at once
        raise Conflict("This sign-in is being linked by another request; try again") from exc
