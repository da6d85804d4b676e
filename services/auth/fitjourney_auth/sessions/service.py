"""Session rules: start, refresh (rotating; a reused token ends the session), end and list sessions."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_auth import audit
from fitjourney_auth.accounts import service as accounts
from fitjourney_auth.audit import AuditAction
from fitjourney_auth.client import ClientInfo
from fitjourney_auth.errors import RecordedUnauthorized
from fitjourney_auth.models import RefreshSession, RefreshToken, User
from fitjourney_auth.runtime import AuthRuntime
from fitjourney_auth.sessions import repository
from fitjourney_auth.sessions.schemas import SessionRead
from fitjourney_auth.tokens import hash_token, new_opaque_token
from fitjourney_common.cache import REDIS_OUTAGE_ERRORS
from fitjourney_common.db.base import utcnow
from fitjourney_common.db.pagination import ListParams, Page, encode_cursor
from fitjourney_common.db.session import request_session
from fitjourney_common.errors import Conflict, NotFound, Unauthorized
from fitjourney_common.events.envelope import as_utc
from fitjourney_common.security import Principal, mark_sessions_revoked

log = logging.getLogger(__name__)

INVALID_REFRESH = "The refresh token is invalid or has expired; sign in again"


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    session_id: uuid.UUID


def _refresh_expiry(runtime: AuthRuntime, now: datetime) -> datetime:
    return now + timedelta(seconds=runtime.settings.refresh_ttl_seconds)


def _issue(runtime: AuthRuntime, user_id: uuid.UUID, roles: list[str], session_id: uuid.UUID, auth_time: datetime,
           refresh_token: str, now: datetime) -> IssuedTokens:
    settings = runtime.settings
    # `auth_time` is the session's last credential check, not now: a refresh proves no one's identity.
    access = runtime.issuer.issue(user_id, roles, session_id, now=now, auth_time=auth_time)
    return IssuedTokens(access_token=access, refresh_token=refresh_token, expires_in=settings.access_ttl_seconds,
                        refresh_expires_in=settings.refresh_ttl_seconds, session_id=session_id)


async def start(session: AsyncSession, runtime: AuthRuntime, user: User, client: ClientInfo) -> IssuedTokens:
    """A new session (one device's sign-in) with its first refresh token."""
    now = utcnow()
    expires = _refresh_expiry(runtime, now)
    token, token_hash = new_opaque_token()
    refresh_session = RefreshSession(id=uuid.uuid4(), user_id=user.id, created_at=now, last_used_at=now,
                                     authenticated_at=now, expires_at=expires, user_agent=client.user_agent,
                                     ip=client.ip)
    await repository.add_session(session, refresh_session, RefreshToken(
        token_hash=token_hash, session_id=refresh_session.id, user_id=user.id, created_at=now, expires_at=expires))
    return _issue(runtime, user.id, user.roles, refresh_session.id, refresh_session.auth_time, token, now)


async def password_sign_in(session: AsyncSession, runtime: AuthRuntime, email: str, password: str,
                           client: ClientInfo) -> IssuedTokens:
    user = await accounts.authenticate(session, runtime, email, password, client)
    return await start(session, runtime, user, client)


async def refresh(runtime: AuthRuntime, refresh_token: str, client: ClientInfo) -> IssuedTokens:
    """Swap a refresh token for a new pair. Each token works once: a second use means it leaked,
    so the whole session (every token of the family, the newest too) is revoked."""
    now = utcnow()
    token_hash = hash_token(refresh_token)
    expires = _refresh_expiry(runtime, now)
    token, new_hash = new_opaque_token()
    rotated = await repository.rotate(runtime.engine, token_hash, new_hash, now, expires,
                                      client.ip or None, client.user_agent or None)
    if rotated is not None:
        return _issue(runtime, rotated.user_id, rotated.roles, rotated.session_id, rotated.auth_time, token, now)
    # Refused (or SQLite): the same rules step by step, in a transaction of their own, to tell reuse apart.
    async with request_session(runtime.session_factory) as session:
        return await _refresh_step_by_step(session, runtime, token_hash, token, new_hash, now, expires, client)


async def _refresh_step_by_step(session: AsyncSession, runtime: AuthRuntime, token_hash: str, token: str,
                                new_hash: str, now: datetime, expires: datetime, client: ClientInfo) -> IssuedTokens:
    found = await repository.find_token(session, token_hash)
    if found is None:
        raise Unauthorized(INVALID_REFRESH)
    stored, _ = found
    if stored.used_at is not None:
        await _reuse_detected(session, runtime, stored, client)
    # Postgres decides single use: of two concurrent refreshes with one token, one consumes it.
    if not await repository.consume_token(session, token_hash, now):
        found = await repository.find_token(session, token_hash)
        if found is not None and found[0].used_at is not None:
            await _reuse_detected(session, runtime, found[0], client)
        raise Unauthorized(INVALID_REFRESH)

    refresh_session = await repository.get_session(session, stored.session_id)
    if (refresh_session is None or refresh_session.revoked_at is not None
            or as_utc(refresh_session.expires_at) <= now):
        raise Unauthorized("The session has ended; sign in again")
    user = await accounts.account(session, refresh_session.user_id)
    if user is None:
        raise Unauthorized(INVALID_REFRESH)

    await repository.add_token(session, RefreshToken(token_hash=new_hash, session_id=refresh_session.id,
                                                     user_id=user.id, created_at=now, expires_at=expires))
    refresh_session.last_used_at = now
    refresh_session.expires_at = expires
    refresh_session.ip = client.ip or refresh_session.ip
    refresh_session.user_agent = client.user_agent or refresh_session.user_agent
    return _issue(runtime, user.id, user.roles, refresh_session.id, refresh_session.auth_time, token, now)


async def reauthenticate(session: AsyncSession, runtime: AuthRuntime, principal: Principal, password: str,
                         client: ClientInfo) -> str:
    """Check the password of the caller again (with the sign-in lockout) and give the caller's session a
    new `auth_time`: a fresh access token for an irreversible operation on any service."""
    user = await accounts.account(session, principal.user_id)
    if user is None:
        raise Unauthorized("The account no longer exists")
    if user.password_hash is None or not user.email_normalized:
        raise Conflict("This account signs in only with a provider: sign in with it again instead")
    session_id = session_id_of(principal)
    refresh_session = None if session_id is None else await repository.get_active_for_user(
        session, session_id, user.id, utcnow())
    if refresh_session is None:
        raise Unauthorized("The session of this access token has ended; sign in again")
    await accounts.authenticate(session, runtime, user.email_normalized, password, client, purpose="reauthenticate")
    now = utcnow()
    refresh_session.authenticated_at = now
    return runtime.issuer.issue(user.id, user.roles, refresh_session.id, now=now, auth_time=now)


def session_id_of(principal: Principal) -> uuid.UUID | None:
    """The session the access token was issued to (None for a token without one)."""
    try:
        return uuid.UUID(str(principal.claims.get("sid")))
    except ValueError:
        return None


async def _reuse_detected(session: AsyncSession, runtime: AuthRuntime, stored: RefreshToken,
                          client: ClientInfo) -> NoReturn:
    await _end_sessions(session, runtime, [stored.session_id], "refresh_token_reused")
    audit.record(session, AuditAction.REFRESH_REUSED, client=client, user_id=stored.user_id,
                 session_id=str(stored.session_id))
    # Commits the revocation and the audit row although the request fails.
    raise RecordedUnauthorized("This refresh token was already used; the session is revoked. Sign in again")


async def logout(session: AsyncSession, runtime: AuthRuntime, refresh_token: str, client: ClientInfo) -> None:
    """End the session of `refresh_token`; an unknown or already ended one is not an error."""
    found = await repository.find_token(session, hash_token(refresh_token))
    if found is None:
        return
    _, refresh_session = found
    if refresh_session.revoked_at is not None:
        return
    await _end_sessions(session, runtime, [refresh_session.id], "logout")
    audit.record(session, AuditAction.LOGOUT, client=client, user_id=refresh_session.user_id,
                 session_id=str(refresh_session.id))


async def list_active(session: AsyncSession, user_id: uuid.UUID, params: ListParams,
                      current_session_id: str | None) -> Page[SessionRead]:
    rows = list(await repository.list_active(session, user_id, params, utcnow()))
    more = len(rows) > params.limit
    rows = rows[:params.limit]
    items = [SessionRead.model_validate(row).model_copy(update={"current": str(row.id) == current_session_id})
             for row in rows]
    next_cursor = encode_cursor(as_utc(rows[-1].created_at), rows[-1].id) if more else None
    return Page[SessionRead](items=items, next_cursor=next_cursor)


async def revoke(session: AsyncSession, runtime: AuthRuntime, user_id: uuid.UUID, session_id: uuid.UUID,
                 client: ClientInfo) -> None:
    """End one of the caller's sessions; someone else's (or an unknown) id is a 404."""
    refresh_session = await repository.get_active_for_user(session, session_id, user_id, utcnow())
    if refresh_session is None:
        raise NotFound("No such active session")
    await _end_sessions(session, runtime, [refresh_session.id], "revoked_by_user")
    audit.record(session, AuditAction.SESSION_REVOKED, client=client, user_id=user_id,
                 session_id=str(refresh_session.id))


async def revoke_all(session: AsyncSession, runtime: AuthRuntime, user_id: uuid.UUID, reason: str,
                     keep: uuid.UUID | None = None) -> int:
    """End every session of the user (password reset or change, account deletion), but `keep`."""
    ids = [i for i in await repository.active_session_ids(session, user_id) if i != keep]
    await _end_sessions(session, runtime, ids, reason)
    return len(ids)


async def _end_sessions(session: AsyncSession, runtime: AuthRuntime, session_ids: list[uuid.UUID],
                        reason: str) -> None:
    """Revoke the sessions' refresh tokens and, on every service at once, the access tokens they were given."""
    await repository.revoke(session, session_ids, reason, utcnow())
    try:
        await mark_sessions_revoked(runtime.redis, session_ids)
    except REDIS_OUTAGE_ERRORS:
        # Redis down: the refresh tokens are revoked in PostgreSQL; access tokens end within 15 minutes.
        log.warning("could not publish the revocation of %d session(s): Redis is unavailable", len(session_ids))
