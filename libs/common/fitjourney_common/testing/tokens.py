"""Access tokens for a service's tests, signed the way auth signs them, with a JWKS file to verify them."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt

ISSUER = "https://auth.fitjourney.local"
AUDIENCE = "fitjourney"


class TestSigner:
    """An RS256 key of its own; `jwks_url` is what the service under test sets as JWKS_URL."""

    __test__ = False  # not a test class, despite its name

    def __init__(self, directory: Path, kid: str = "test-key", issuer: str = ISSUER, audience: str = AUDIENCE):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._private_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
        public_pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        public = {k: v.decode() if isinstance(v, bytes) else v
                  for k, v in jwk.construct(public_pem, "RS256").to_dict().items()}
        public.update({"kid": kid, "use": "sig", "alg": "RS256"})
        directory.mkdir(parents=True, exist_ok=True)
        self.jwks_path = directory / "jwks.json"
        self.jwks_path.write_text(json.dumps({"keys": [public]}))
        self.kid, self.issuer, self.audience = kid, issuer, audience

    @property
    def private_pem(self) -> str:
        """For tests that sign tokens of their own (a tampered claim, another algorithm)."""
        return self._private_pem

    @property
    def jwks_url(self) -> str:
        return f"file://{self.jwks_path}"

    def token(self, user_id: uuid.UUID | None = None, roles: tuple[str, ...] = ("user",),
              expires_in: int = 900, session_id: uuid.UUID | None = None,
              signed_in_ago: int | None = 0) -> tuple[uuid.UUID, str]:
        """(user id, access token) for a user (a new one unless given), in a session of its own unless given.

        `signed_in_ago`: seconds since the sign-in (the `auth_time` claim: 0, a fresh sign-in as after
        /login); None leaves the claim out, as in a token from before auth_time existed."""
        user_id = user_id or uuid.uuid4()
        now = int(time.time())
        claims: dict[str, object] = {
            "sub": str(user_id), "iss": self.issuer, "aud": self.audience, "iat": now, "exp": now + expires_in,
            "jti": uuid.uuid4().hex, "roles": list(roles), "typ": "access", "sid": str(session_id or uuid.uuid4())}
        if signed_in_ago is not None:
            claims["auth_time"] = now - signed_in_ago
        return user_id, jwt.encode(claims, self._private_pem, algorithm="RS256", headers={"kid": self.kid})

    def sign(self, claims: dict[str, object]) -> str:
        """Any claims under this key (e.g. an ID token of a stand-in OAuth provider)."""
        return jwt.encode(claims, self._private_pem, algorithm="RS256", headers={"kid": self.kid})

    def headers(self, user_id: uuid.UUID | None = None, roles: tuple[str, ...] = ("user",)) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user_id, roles)[1]}"}
