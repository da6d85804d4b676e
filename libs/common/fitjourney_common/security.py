"""Access-token verification against auth's JWKS (cached) and the RBAC dependencies."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import jwt
from jose.exceptions import ExpiredSignatureError, JWTClaimsError, JWTError
from redis.asyncio import Redis
from starlette.requests import HTTPConnection

from fitjourney_common.cache import REDIS_OUTAGE_ERRORS
from fitjourney_common.errors import Forbidden, ReauthenticationRequired, ServiceUnavailable, Unauthorized

ROLES = ("user", "coach", "admin")
# An erased account's access tokens stay valid until they expire (15 min); every service shares Redis,
# so a marker there refuses them everywhere at once. Kept far longer than any access token lives.
ERASED_MARKER_SECONDS = 24 * 3600
ACCEPTED_ALGORITHMS = ["RS256"]
# An unknown `kid` may mean auth rotated its key: re-read the JWKS, but not more often than this.
MIN_REFRESH_SECONDS = 5.0
# Clocks of auth and the other services may differ a little; a token "issued" further ahead is forged.
CLOCK_SKEW_SECONDS = 30
# Auth issues 15-minute access tokens; a signed token claiming to live longer than this was not issued
# by the policy, whoever signed it.
MAX_ACCESS_TOKEN_LIFETIME_SECONDS = 3600
# Irreversible operations (erasing the account, changing its email or password) want a credential checked
# this recently (the token's `auth_time`): a stolen access token alone must not be enough.
RECENT_AUTHENTICATION_SECONDS = 300
# A revoked session's access tokens are refused until they would have expired anyway.
REVOKED_SESSION_MARKER_SECONDS = MAX_ACCESS_TOKEN_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the verified access token says."""

    user_id: uuid.UUID
    roles: frozenset[str]
    token_id: str
    claims: dict[str, Any] = field(compare=False, repr=False)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class JWKSCache:
    """Public keys by `kid`, from an `http(s)://` JWKS URL or a `file://` one (embedded dev)."""

    def __init__(self, url: str, ttl_seconds: float = 300.0, client: httpx.AsyncClient | None = None):
        self.url = url
        self.ttl_seconds = ttl_seconds
        self._client = client
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def _fetch(self) -> dict[str, dict[str, Any]]:
        if self.url.startswith("file://"):
            document = json.loads(await asyncio.to_thread(Path(self.url.removeprefix("file://")).read_text))
        else:
            client = self._client or httpx.AsyncClient(timeout=5.0)
            try:
                response = await client.get(self.url)
                response.raise_for_status()
                document = response.json()
            finally:
                if self._client is None:
                    await client.aclose()
        return {key["kid"]: key for key in document.get("keys", []) if "kid" in key}

    async def get_key(self, kid: str) -> dict[str, Any] | None:
        now = time.monotonic()
        stale = now - self._fetched_at > self.ttl_seconds
        unknown = kid not in self._keys and now - self._fetched_at > MIN_REFRESH_SECONDS
        if stale or unknown:
            async with self._lock:
                if time.monotonic() - self._fetched_at > MIN_REFRESH_SECONDS or not self._keys:
                    try:
                        self._keys = await self._fetch()
                        self._fetched_at = time.monotonic()
                    except (OSError, ValueError, httpx.HTTPError) as exc:
                        if not self._keys:
                            raise ServiceUnavailable("Signing keys are not available yet") from exc
        return self._keys.get(kid)


# Verified tokens remembered per process: a client sends the same access token with every request for its
# 15 minutes, and checking an RS256 signature (with the key rebuilt from its JWK) is most of what an
# authenticated read costs. Bounded, least recently used first out.
VERIFIED_TOKENS_CACHED = 10_000


class TokenVerifier:
    """Verifies RS256 access tokens locally: signature, `exp`, `iss`, `aud` and the claims we need.

    A token verified once is answered from memory until it expires (`exp` is checked on every use); the
    revocation markers are not cached (`authenticate` asks Redis every time), so logout and erasure still
    refuse it at once. A signing key withdrawn from the JWKS stops its tokens only when they expire.
    """

    def __init__(self, jwks: JWKSCache, issuer: str, audience: str, cache_size: int = VERIFIED_TOKENS_CACHED):
        self.jwks = jwks
        self.issuer = issuer
        self.audience = audience
        self.cache_size = cache_size
        self._verified: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None:
            expires_at, principal = cached
            if time.time() < expires_at:
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]  # expired: the full check below says so
        principal = await self._verify_signed(token)
        if self.cache_size > 0:
            self._verified[token] = (float(principal.claims["exp"]), principal)
            if len(self._verified) > self.cache_size:
                self._verified.popitem(last=False)
        return principal

    async def _verify_signed(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except JWTError as exc:
            raise Unauthorized("The access token is malformed") from exc
        # Pinning the algorithm refuses `alg: none` and HS256 tokens "signed" with the public key.
        if header.get("alg") not in ACCEPTED_ALGORITHMS or not header.get("kid"):
            raise Unauthorized("The access token is not signed with an accepted key")
        key = await self.jwks.get_key(str(header["kid"]))
        if key is None:
            raise Unauthorized("The access token is signed with an unknown key")
        try:
            claims = jwt.decode(
                token, key, algorithms=ACCEPTED_ALGORITHMS, audience=self.audience, issuer=self.issuer,
                options={"require_exp": True, "require_iat": True, "require_sub": True, "require_jti": True,
                         "require_iss": True, "require_aud": True},
            )
        except ExpiredSignatureError as exc:
            raise Unauthorized("The access token has expired") from exc
        except (JWTClaimsError, JWTError) as exc:
            raise Unauthorized("The access token is invalid") from exc
        if claims.get("typ", "access") != "access":
            raise Unauthorized("Not an access token")
        issued_at, expires_at = claims.get("iat"), claims.get("exp")
        if not isinstance(issued_at, int | float) or not isinstance(expires_at, int | float):
            raise Unauthorized("The access token is invalid")
        if issued_at > time.time() + CLOCK_SKEW_SECONDS:
            raise Unauthorized("The access token is issued in the future")
        if expires_at - issued_at > MAX_ACCESS_TOKEN_LIFETIME_SECONDS:
            raise Unauthorized("The access token claims a longer life than any access token has")
        try:
            user_id = uuid.UUID(str(claims["sub"]))
        except ValueError as exc:
            raise Unauthorized("The access token is invalid") from exc
        roles = frozenset(r for r in claims.get("roles", []) if r in ROLES)
        return Principal(user_id=user_id, roles=roles, token_id=str(claims["jti"]), claims=claims)


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send `Authorization: Bearer <access token>`")
    return token.strip()


def _erased_key(user_id: uuid.UUID) -> str:
    return f"security:erased:{user_id}"


def _revoked_session_key(session_id: str) -> str:
    return f"security:revoked-session:{session_id}"


async def mark_account_erased(redis: Redis, user_id: uuid.UUID) -> None:
    """From now on, every service refuses this user's still-unexpired access tokens."""
    await redis.set(_erased_key(user_id), b"1", ex=ERASED_MARKER_SECONDS)


async def account_erased(redis: Redis, user_id: uuid.UUID) -> bool:
    """Whether the account was erased lately (the marker lives ERASED_MARKER_SECONDS): a consumer drops a
    late event of it instead of writing its data again. False when Redis does not answer."""
    try:
        return bool(await redis.exists(_erased_key(user_id)))
    except REDIS_OUTAGE_ERRORS:
        return False


async def mark_sessions_revoked(redis: Redis, session_ids: Iterable[uuid.UUID | str]) -> None:
    """From now on, every service refuses the access tokens issued to these sessions (logout, reuse)."""
    keys = [_revoked_session_key(str(session_id)) for session_id in session_ids]
    if not keys:
        return
    async with redis.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.set(key, b"1", ex=REVOKED_SESSION_MARKER_SECONDS)
        await pipe.execute()


# Why a principal's token no longer counts, when its marker is in Redis: the account erased, the session ended.
ERASED_REASON = "This account has been deleted"
SESSION_ENDED_REASON = "This session has ended; sign in again"


def _revocation_markers(principal: Principal) -> list[tuple[str, str]]:
    """(Redis key, reason) of every marker that revokes this principal's token, first the weightiest."""
    markers = [(_erased_key(principal.user_id), ERASED_REASON)]
    session_id = principal.claims.get("sid")
    if session_id:
        markers.append((_revoked_session_key(str(session_id)), SESSION_ENDED_REASON))
    return markers


async def _revocation_of(redis: Redis, principal: Principal) -> str | None:
    """Why this principal's token no longer counts, if it does not: one round trip for both markers."""
    markers = _revocation_markers(principal)
    try:
        async with redis.pipeline(transaction=False) as pipe:
            for key, _ in markers:
                pipe.exists(key)
            found = await pipe.execute()
    except REDIS_OUTAGE_ERRORS:
        return None  # Redis down: tokens still expire within minutes (documented degradation)
    return next((reason for (_, reason), present in zip(markers, found, strict=True) if present), None)


async def authenticate(connection: HTTPConnection, token: str) -> Principal:
    """A verified principal whose account and session still exist (HTTP requests and WebSockets alike)."""
    runtime = connection.app.state.runtime  # a `runtime.Runtime` (that module imports this one)
    principal: Principal = await runtime.token_verifier.verify(token)
    revoked = await _revocation_of(runtime.redis, principal)
    if revoked:
        raise Unauthorized(revoked)
    return principal


# Declares the bearer scheme in every service's OpenAPI (the docs' Authorize button, a lock on each
# operation that needs it); the header itself is read by `bearer_token`, which words our own 401.
BEARER = HTTPBearer(scheme_name="bearerAuth", auto_error=False, bearerFormat="JWT",
                    description="An access token from `POST /api/v1/auth/login` (RS256 JWT, 15 minutes)")


async def get_principal(
    request: Request, _declared: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None,
) -> Principal:
    """Authenticate the caller, then count the request against their per-user rate limit (on Redis both
    in one round trip: the revocation markers and the limit in one script)."""
    runtime = request.app.state.runtime
    settings = runtime.settings
    limiter = runtime.rate_limiter
    identity = (settings.service_name,)
    if not limiter.looks_up_markers:
        principal = await authenticate(request, bearer_token(request))
        request.state.principal = principal
        await limiter.check(settings.rate_limit_api, *identity, str(principal.user_id))
        return principal
    principal = await runtime.token_verifier.verify(bearer_token(request))
    markers = _revocation_markers(principal)
    found = await limiter.check_unless_marked([key for key, _ in markers], settings.rate_limit_api,
                                              *identity, str(principal.user_id))
    if found is not None:
        raise Unauthorized(markers[found][1])
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: str) -> Any:
    """`Depends` that lets the caller through only with one of `roles` (403 otherwise)."""

    async def _check(principal: CurrentUser) -> Principal:
        if not principal.has_role(*roles):
            raise Forbidden(f"Requires role: {' or '.join(roles)}")
        return principal

    _check.required_roles = roles  # type: ignore[attr-defined]  # read by the OpenAPI post-processor (403)
    return Depends(_check)


def authenticated_within(principal: Principal, seconds: float, now: float | None = None) -> bool:
    """Whether the token's `auth_time` (auth's last real check of a credential for this session: a
    password or a provider sign-in; refreshing keeps it) lies within the last `seconds`."""
    auth_time = principal.claims.get("auth_time")
    if isinstance(auth_time, bool) or not isinstance(auth_time, int | float):
        return False  # a token from before auth_time existed counts as not recent
    now = time.time() if now is None else now
    return now - seconds <= auth_time <= now + CLOCK_SKEW_SECONDS


async def require_recent_authentication(principal: CurrentUser) -> Principal:
    """Lets the caller through only if they proved who they are within RECENT_AUTHENTICATION_SECONDS
    (403 `reauthentication-required` otherwise)."""
    if not authenticated_within(principal, RECENT_AUTHENTICATION_SECONDS):
        raise ReauthenticationRequired(
            f"Confirm it is you: send your password to POST /api/v1/auth/reauthenticate (or sign in again "
            f"with your provider) and retry with the new access token within "
            f"{RECENT_AUTHENTICATION_SECONDS // 60} minutes")
    return principal


# Read by the OpenAPI post-processor, which documents the 403 this may answer.
require_recent_authentication.requires_recent_authentication = True  # type: ignore[attr-defined]
RecentlyAuthenticatedUser = Annotated[Principal, Depends(require_recent_authentication)]


async def may_require_recent_authentication() -> None:
    """For routes that check a recent sign-in only in some cases (e.g. an account without a password):
    checks nothing itself, but has the 403 `reauthentication-required` documented."""


may_require_recent_authentication.requires_recent_authentication = True  # type: ignore[attr-defined]
