"""OAuth sign-in rules: which account a provider identity signs into.

A known provider subject signs into its account; a new one is linked to the account with the same email
only when the provider vouches for the email, else it gets a new (password-less) account.
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth import audit
from fitjourney_auth.accounts.repository import IdentityRepository, UserRepository, normalize_email
from fitjourney_auth.accounts.service import announce_registration
from fitjourney_auth.audit import AuditAction
from fitjourney_auth.client import ClientInfo
from fitjourney_auth.errors import RecordedUnauthorized
from fitjourney_auth.models import ROLE_USER, Identity, User
from fitjourney_auth.oauth.providers import ProviderIdentity
from fitjourney_auth.runtime import AuthRuntime
from fitjourney_auth.sessions.service import IssuedTokens, SessionService
from fitjourney_common.db.base import utcnow
from fitjourney_common.errors import Conflict, Unauthorized, ValidationFailed


class OAuthService:
    def __init__(self, db: AsyncSession, components: AuthRuntime):
        self.db = db
        self.components = components
        self.users = UserRepository(db)
        self.identities = IdentityRepository(db)

    async def sign_in(self, provider_name: str, credential: str, display_name: str | None,
                      client: ClientInfo, credential_field: str) -> IssuedTokens:
        provider = self.components.oauth.get(provider_name)
        try:
            identity = await provider.verify(credential)
        except Unauthorized as exc:
            # A refused provider token is a failed sign-in like a wrong password: its row outlives the 401.
            audit.record(self.db, AuditAction.SIGN_IN_FAILED, client=client, method=provider_name,
                         reason="invalid_token", message=exc.detail[:200])
            raise RecordedUnauthorized(exc.detail) from exc
        user, created, linked = await self._account_for(identity, display_name, credential_field)
        audit.record(self.db, AuditAction.OAUTH_SIGN_IN, client=client, user_id=user.id,
                     email=user.email_normalized, provider=provider_name, created=created, linked=linked)
        return await SessionService(self.db, self.components).start(user, client)

    async def _account_for(self, identity: ProviderIdentity, display_name: str | None,
                           credential_field: str) -> tuple[User, bool, bool]:
        """(account, created now, identity linked now)."""
        known = await self.identities.get(identity.provider, identity.subject)
        if known is not None:
            user = await self.users.get(known.user_id)
            if user is None:
                raise Unauthorized("The account of this sign-in no longer exists")
            return user, False, False

        if not identity.email:
            raise ValidationFailed(credential_field, f"{identity.provider} shared no email address; "
                                                     "allow access to it and try again")
        existing = await self.users.get_by_email(identity.email)
        if existing is not None:
            if not identity.email_verified:
                # Linking on an unverified email would hand the account to whoever typed that address.
                raise Conflict(f"An account with this email exists; sign in to it first (the email "
                               f"{identity.provider} gave is not verified)")
            await self._link(existing, identity)
            if not existing.email_verified:
                existing.email_verified = True
            return existing, False, True

        email = identity.email.strip()
        user = User(id=uuid.uuid4(), email=email, email_normalized=normalize_email(email),
                    email_verified=identity.email_verified, password_hash=None,
                    display_name=display_name or identity.name or email.split("@", 1)[0][:100] or "FitJourney user",
                    roles=[ROLE_USER])
        try:
            await self.users.add(user)
        except IntegrityError as exc:
            raise Conflict("An account with this email was just created; try again") from exc
        await self._link(user, identity)
        announce_registration(self.db, user)
        return user, True, True

    async def _link(self, user: User, identity: ProviderIdentity) -> None:
        try:
            await self.identities.add(Identity(id=uuid.uuid4(), user_id=user.id, provider=identity.provider,
                                               subject=identity.subject, email=identity.email, created_at=utcnow()))
        except IntegrityError as exc:  # the same provider account signing in twice at once
            raise Conflict("This sign-in is being linked by another request; try again") from exc
