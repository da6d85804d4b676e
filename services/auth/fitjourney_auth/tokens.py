"""Access tokens (RS256 JWTs signed with the current key) and opaque refresh/reset tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from jose import jwt

from fitjourney_auth.keys import KeyStore

OPAQUE_TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    """What the database and Redis keep instead of a token: a leak of either reveals no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_opaque_token() -> tuple[str, str]:
    """(token for the client, its hash for storage)."""
    token = secrets.token_urlsafe(OPAQUE_TOKEN_BYTES)
    return token, hash_token(token)


class AccessTokenIssuer:
    """Signs short-lived access tokens every service verifies locally from the JWKS."""

    def __init__(self, keys: KeyStore, issuer: str, audience: str, ttl_seconds: int):
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds

    def issue(self, user_id: uuid.UUID, roles: Iterable[str], session_id: uuid.UUID | None = None,
              now: datetime | None = None, auth_time: datetime | None = None) -> str:
        """`auth_time` is when a credential was last checked for the session (OpenID Connect's claim):
        services ask for a recent one before irreversible operations. Default: now (a fresh sign-in)."""
        issued = int((now or datetime.now(UTC)).timestamp())
        claims: dict[str, object] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(user_id),
            "roles": sorted(set(roles)),
            "iat": issued,
            "exp": issued + self.ttl_seconds,
            "jti": uuid.uuid4().hex,
            "typ": "access",
            "auth_time": int(auth_time.timestamp()) if auth_time is not None else issued,
        }
        if session_id is not None:
            claims["sid"] = str(session_id)
        key = self.keys.current
        return jwt.encode(claims, key.signer, algorithm="RS256", headers={"kid": key.kid})
