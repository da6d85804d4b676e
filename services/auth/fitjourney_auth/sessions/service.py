"""Session rules: start, refresh (rotating; a reused token ends the session), end and list sessions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth import audit
from fitjourney_auth.accounts.repository import UserRepository
from fitjourney_auth.accounts.service import AccountService
from fitjourney_auth.audit import AuditAction
from fitjourney_auth.client import ClientInfo
from fitjourney_auth.errors import RecordedUnauthorized
from fitjourney_auth.models import RefreshSession, RefreshToken, User
from fitjourney_auth.runtime import AuthRuntime
from fitjourney_auth.sessions.cache import CachedToken
from fitjourney_auth.sessions.repository import SessionRepository
from fitjourney_auth.sessions.schemas import SessionRead
from fitjourney_auth.tokens import hash_token, new_opaque_token
from fitjourney_common.db.base import utcnow
from fitjourney_common.db.pagination import ListParams, Page, encode_cursor
from fitjourney_common.errors import NotFound, Unauthorized
from fitjourney_common.events.envelope import as_utc

INVALID_REFRESH = "The refresh token is invalid or has expired; sign in again"


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    session_id: uuid.UUID


class SessionService:
    def __init__(self, db: AsyncSession, components: AuthRuntime):
        self.db = db
        self.components = components
        self.settings = components.settings
        self.repo = SessionRepository(db)
        self.users = UserRepository(db)
        self.cache = components.refresh_cache

    def _refresh_expiry(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.settings.refresh_ttl_seconds)

    def _issue(self, user: User, session_id: uuid.UUID, refresh_token: str) -> IssuedTokens:
        access = self.components.issuer.issue(user.id, user.roles, session_id)
        return IssuedTokens(access_token=access, refresh_token=refresh_token,
                            expires_in=self.settings.access_ttl_seconds,
                            refresh_expires_in=self.settings.refresh_ttl_seconds, session_id=session_id)

    async def start(self, user: User, client: ClientInfo) -> IssuedTokens:
        """A new session (one device's sign-in) with its first refresh token."""
        now = utcnow()
        expires = self._refresh_expiry(now)
        token, token_hash = new_opaque_token()
        session = RefreshSession(id=uuid.uuid4(), user_id=user.id, created_at=now, last_used_at=now,
                                 expires_at=expires, user_agent=client.user_agent, ip=client.ip)
        await self.repo.add(session, RefreshToken(token_hash=token_hash, session_id=session.id, user_id=user.id,
                                                  created_at=now, expires_at=expires))
        await self.cache.put(token_hash, CachedToken(session.id, user.id, expires))
        return self._issue(user, session.id, token)

    async def password_sign_in(self, email: str, password: str, client: ClientInfo) -> IssuedTokens:
        user = await AccountService(self.db, self.components).authenticate(email, password, client)
        return await self.start(user, client)

    async def refresh(self, refresh_token: str, client: ClientInfo) -> IssuedTokens:
        """Swap a refresh token for a new pair. Each token works once: a second use means it leaked,
        so the whole session (every token of the family, the newest too) is revoked."""
        now = utcnow()
        token_hash = hash_token(refresh_token)
        cached = await self.cache.get(token_hash)
        if cached is not None:
            session_id = cached.session_id
        else:
            found = await self.repo.find_token(token_hash)
            if found is None:
                raise Unauthorized(INVALID_REFRESH)
            stored, _ = found
            if stored.used_at is not None:
                await self._reuse_detected(stored, client)
            session_id = stored.session_id

        # Postgres decides single use; the cache only said where to look.
        if not await self.repo.consume_token(token_hash, now):
            await self.cache.forget([token_hash])
            found = await self.repo.find_token(token_hash)
            if found is not None and found[0].used_at is not None:
                await self._reuse_detected(found[0], client)
            raise Unauthorized(INVALID_REFRESH)

        session = await self.repo.get_session(session_id)
        if session is None or session.revoked_at is not None or as_utc(session.expires_at) <= now:
            raise Unauthorized("The session has ended; sign in again")
        user = await self.users.get(session.user_id)
        if user is None:
            raise Unauthorized(INVALID_REFRESH)

        expires = self._refresh_expiry(now)
        token, new_hash = new_opaque_token()
        await self.repo.add_token(RefreshToken(token_hash=new_hash, session_id=session.id, user_id=user.id,
                                               created_at=now, expires_at=expires))
        session.last_used_at = now
        session.expires_at = expires
        session.ip = client.ip or session.ip
        session.user_agent = client.user_agent or session.user_agent
        await self.cache.forget([token_hash])
        await self.cache.put(new_hash, CachedToken(session.id, user.id, expires))
        return self._issue(user, session.id, token)

    async def _reuse_detected(self, stored: RefreshToken, client: ClientInfo) -> NoReturn:
        hashes = await self.repo.revoke([stored.session_id], "refresh_token_reused", utcnow())
        audit.record(self.db, AuditAction.REFRESH_REUSED, client=client, user_id=stored.user_id,
                     session_id=str(stored.session_id))
        await self.cache.forget(hashes)
        # Commits the revocation and the audit row although the request fails.
        raise RecordedUnauthorized("This refresh token was already used; the session is revoked. Sign in again")

    async def logout(self, refresh_token: str, client: ClientInfo) -> None:
        """End the session of `refresh_token`; an unknown or already ended one is not an error."""
        found = await self.repo.find_token(hash_token(refresh_token))
        if found is None:
            return
        _, session = found
        if session.revoked_at is not None:
            return
        hashes = await self.repo.revoke([session.id], "logout", utcnow())
        await self.cache.forget(hashes)
        audit.record(self.db, AuditAction.LOGOUT, client=client, user_id=session.user_id,
                     session_id=str(session.id))

    async def list_active(self, user_id: uuid.UUID, params: ListParams,
                          current_session_id: str | None) -> Page[SessionRead]:
        rows = list(await self.repo.list_active(user_id, params, utcnow()))
        more = len(rows) > params.limit
        rows = rows[:params.limit]
        items = [SessionRead.model_validate(row).model_copy(update={"current": str(row.id) == current_session_id})
                 for row in rows]
        next_cursor = encode_cursor(as_utc(rows[-1].created_at), rows[-1].id) if more else None
        return Page[SessionRead](items=items, next_cursor=next_cursor)

    async def revoke(self, user_id: uuid.UUID, session_id: uuid.UUID, client: ClientInfo) -> None:
        """End one of the caller's sessions; someone else's (or an unknown) id is a 404."""
        session = await self.repo.get_active_for_user(session_id, user_id, utcnow())
        if session is None:
            raise NotFound("No such active session")
        hashes = await self.repo.revoke([session.id], "revoked_by_user", utcnow())
        await self.cache.forget(hashes)
        audit.record(self.db, AuditAction.SESSION_REVOKED, client=client, user_id=user_id,
                     session_id=str(session.id))

    async def revoke_all(self, user_id: uuid.UUID, reason: str) -> int:
        """End every session of the user (password reset, account deletion)."""
        ids = await self.repo.active_session_ids(user_id)
        hashes = await self.repo.revoke(ids, reason, utcnow())
        await self.cache.forget(hashes)
        return len(ids)
