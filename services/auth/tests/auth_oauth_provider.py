"""A local stand-in for Google, Apple and Facebook, served over real HTTP on 127.0.0.1.

Their JWKS and Graph endpoints run in uvicorn in a background thread, with keys this suite generates,
so OAuth sign-in is tested over HTTP without the internet.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class RSAKey:
    kid: str
    private_pem: str
    public_jwk: dict[str, Any]

    @classmethod
    def generate(cls, kid: str | None = None) -> RSAKey:
        kid = kid or uuid.uuid4().hex[:8]
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()).decode()
        public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        public = {k: v.decode() if isinstance(v, bytes) else v
                  for k, v in jwk.construct(public_pem, "RS256").to_dict().items()}
        public.update({"kid": kid, "use": "sig", "alg": "RS256"})
        return cls(kid, private_pem, public)

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        return jwt.encode(claims, self.private_pem, algorithm="RS256", headers={"kid": kid or self.kid})


@dataclass
class FacebookToken:
    user_id: str
    app_id: str
    is_valid: bool = True
    expires_at: int = field(default_factory=lambda: int(time.time()) + 3600)
    email: str | None = None
    name: str | None = "Facebook User"


@dataclass
class LocalProvider:
    url: str
    app_id: str
    app_secret: str
    google_key: RSAKey
    apple_key: RSAKey
    facebook_tokens: dict[str, FacebookToken] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def id_token(self, provider: str, *, aud: str, iss: str | None = None, sub: str | None = None,
                 email: str | None = None, email_verified: Any = True, expires_in: int = 600,
                 key: RSAKey | None = None, kid: str | None = None, **extra: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": iss or ("https://accounts.google.com" if provider == "google" else "https://appleid.apple.com"),
            "aud": aud, "sub": sub or uuid.uuid4().hex, "iat": now, "exp": now + expires_in,
        }
        if email is not None:
            claims.update(email=email, email_verified=email_verified)
        claims.update(extra)
        signer = key or (self.google_key if provider == "google" else self.apple_key)
        return signer.sign(claims, kid or (self.google_key if provider == "google" else self.apple_key).kid)

    def facebook_token(self, **fields: Any) -> str:
        token = f"EAA{uuid.uuid4().hex}"
        fields.setdefault("user_id", str(uuid.uuid4().int)[:15])
        fields.setdefault("app_id", self.app_id)
        self.facebook_tokens[token] = FacebookToken(**fields)
        return token


def _app(provider: LocalProvider) -> Starlette:
    async def google_jwks(request: Request) -> JSONResponse:
        provider.requests.append("google/jwks")
        return JSONResponse({"keys": [provider.google_key.public_jwk]})

    async def apple_jwks(request: Request) -> JSONResponse:
        provider.requests.append("apple/jwks")
        return JSONResponse({"keys": [provider.apple_key.public_jwk]})

    async def debug_token(request: Request) -> JSONResponse:
        provider.requests.append("facebook/debug_token")
        if request.query_params.get("access_token") != f"{provider.app_id}|{provider.app_secret}":
            return JSONResponse({"error": {"message": "Invalid OAuth access token", "code": 190}}, 400)
        token = provider.facebook_tokens.get(request.query_params.get("input_token", ""))
        if token is None:
            return JSONResponse({"data": {"is_valid": False, "error": {"code": 190, "message": "Malformed"}}})
        return JSONResponse({"data": {"app_id": token.app_id, "type": "USER", "is_valid": token.is_valid,
                                      "user_id": token.user_id, "expires_at": token.expires_at,
                                      "scopes": ["email", "public_profile"]}})

    async def me(request: Request) -> JSONResponse:
        provider.requests.append("facebook/me")
        access_token = request.query_params.get("access_token", "")
        token = provider.facebook_tokens.get(access_token)
        proof = hmac.new(provider.app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()
        if token is None or request.query_params.get("appsecret_proof") != proof:
            return JSONResponse({"error": {"message": "Invalid appsecret_proof", "code": 100}}, 400)
        profile: dict[str, Any] = {"id": token.user_id}
        if token.email:
            profile["email"] = token.email
        if token.name:
            profile["name"] = token.name
        return JSONResponse(profile)

    return Starlette(routes=[
        Route("/google/jwks", google_jwks), Route("/apple/jwks", apple_jwks),
        Route("/facebook/debug_token", debug_token), Route("/facebook/me", me),
    ])


@contextmanager
def run_local_provider(app_id: str, app_secret: str) -> Iterator[LocalProvider]:
    """Serve the provider on a free port of 127.0.0.1 in a background thread for the `with` block."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    provider = LocalProvider(url=f"http://127.0.0.1:{port}", app_id=app_id, app_secret=app_secret,
                             google_key=RSAKey.generate(), apple_key=RSAKey.generate())
    server = uvicorn.Server(uvicorn.Config(_app(provider), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("local OAuth provider did not start")
        time.sleep(0.01)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
