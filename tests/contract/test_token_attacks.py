"""Forged, stale and revoked access tokens, tried on every running service: each is refused with 401.

The target of each service is a secured read of its own OpenAPI document (the first GET with no
parameters to fill), so a new service is attacked without editing this test. The revocation cases use
real sessions from auth: after a logout, and after a reused refresh token revokes its family, the
session's access token stops working on every service at once (the shared Redis marker), well before
it expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from contract_harness import (
    AUDIENCE,
    ISSUER,
    KID,
    SERVICES,
    RunningService,
    SigningKey,
    make_signing_key,
    register_account,
    sign_in,
)
from cryptography.hazmat.primitives import serialization
from jose import jwt

from fitjourney_common.errors import PROBLEM_JSON
from fitjourney_common.testing.api_docs import operations

pytestmark = pytest.mark.timeout(600)  # the first test of a session may start every service


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"sub": str(uuid.uuid4()), "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 600,
            "jti": uuid.uuid4().hex, "roles": ["user"], "typ": "access", "sid": str(uuid.uuid4())}
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def unsigned(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    return ".".join([b64url(json.dumps(header).encode()), b64url(json.dumps(payload).encode()), b64url(signature)])


def hs256_with_public_key(key: SigningKey) -> str:
    """The classic confusion attack: HMAC "signed" with the RSA public key every service can fetch."""
    public_pem = serialization.load_pem_private_key(key.private_pem.encode(), password=None).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header, payload = {"alg": "HS256", "typ": "JWT", "kid": KID}, claims()
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64url(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())}"


def tampered(key: SigningKey) -> str:
    """A genuine token whose payload is swapped for another user's after signing."""
    header, _payload, signature = jwt.encode(claims(), key.private_pem, "RS256", headers={"kid": KID}).split(".")
    return f"{header}.{b64url(json.dumps(claims(roles=['user', 'admin'])).encode())}.{signature}"


def attacks(key: SigningKey, stranger: SigningKey) -> dict[str, str]:
    now = int(time.time())

    def signed(payload: dict[str, Any], kid: str | None = KID, with_key: SigningKey = key) -> str:
        headers = {"kid": kid} if kid is not None else {}
        return str(jwt.encode(payload, with_key.private_pem, "RS256", headers=headers))

    return {
        "alg none": unsigned({"alg": "none", "typ": "JWT", "kid": KID}, claims()),
        "alg none, no signature part": unsigned({"alg": "none", "typ": "JWT"}, claims()).rpartition(".")[0],
        "HS256 signed with the public key": hs256_with_public_key(key),
        "signed by another key under our kid": signed(claims(), with_key=stranger),
        "unknown kid": signed(claims(), kid="rotated-away"),
        "path-like kid": signed(claims(), kid="../../../../etc/passwd"),
        "no kid": signed(claims(), kid=None),
        "wrong audience": signed(claims(aud="another-app")),
        "wrong issuer": signed(claims(iss="https://evil.example")),
        "expired": signed(claims(iat=now - 1200, exp=now - 300)),
        "not yet valid": signed(claims(nbf=now + 600)),
        "issued in the future": signed(claims(iat=now + 3600, exp=now + 4200)),
        "absurd lifetime": signed(claims(exp=now + 10 * 365 * 86400)),
        "no expiry": signed(claims(exp=None)),
        "not a uuid subject": signed(claims(sub="admin")),
        "a refresh-typed token": signed(claims(typ="refresh")),
        "tampered payload": tampered(key),
        "garbage": "not-a-jwt",
    }


def secured_read(document: dict[str, Any]) -> str | None:
    """The first secured GET that needs no parameter: what every attack is tried on."""
    for method, path, operation in operations(document):
        required = [p for p in operation.get("parameters", []) if p.get("required")]
        if method == "GET" and operation.get("security") and not required and "{" not in path:
            return path
    return None


@pytest.fixture(scope="module")
async def targets(running_services: dict[str, RunningService]) -> dict[str, tuple[RunningService, str]]:
    found = {}
    async with httpx.AsyncClient(timeout=30) as http:
        for name, service in running_services.items():
            path = secured_read((await http.get(f"{service.base_url}/openapi.json")).json())
            assert path is not None, f"{name} documents no secured GET without parameters"
            found[name] = (service, path)
    return found


def assert_refused(response: httpx.Response, what: str) -> None:
    assert response.status_code == 401, f"{what}: {response.status_code} {response.text[:300]}"
    assert response.headers["content-type"].startswith(PROBLEM_JSON), what
    assert response.headers.get("www-authenticate", "").lower().startswith("bearer"), what


async def test_every_forged_or_stale_token_is_refused_by_every_service(
    targets: dict[str, tuple[RunningService, str]], signing_key: SigningKey, tmp_path_factory: pytest.TempPathFactory,
    running_services: dict[str, RunningService],
) -> None:
    stranger = make_signing_key(tmp_path_factory.mktemp("stranger-key"))
    tried = attacks(signing_key, stranger)
    if "auth" in running_services:  # auth's reads need the account to exist, not just a good signature
        async with httpx.AsyncClient(base_url=running_services["auth"].base_url, timeout=30) as http:
            genuine = (await sign_in(http, await register_account(running_services["auth"], "attack")))["access_token"]
    else:
        genuine = jwt.encode(claims(), signing_key.private_pem, "RS256", headers={"kid": KID})
    async with httpx.AsyncClient(timeout=30) as http:
        for name, (service, path) in targets.items():
            control = await http.get(f"{service.base_url}{path}", headers={"Authorization": f"Bearer {genuine}"})
            assert control.status_code != 401, f"{name} refuses even a genuine token: {control.text[:300]}"
            for attack, token in tried.items():
                response = await http.get(f"{service.base_url}{path}", headers={"Authorization": f"Bearer {token}"})
                assert_refused(response, f"{name} {path} with {attack}")


async def statuses(targets: dict[str, tuple[RunningService, str]], access_token: str) -> dict[str, int]:
    async with httpx.AsyncClient(timeout=30) as http:
        return {name: (await http.get(f"{service.base_url}{path}",
                                      headers={"Authorization": f"Bearer {access_token}"})).status_code
                for name, (service, path) in targets.items()}


async def log_out(http: httpx.AsyncClient, session: dict[str, Any],
                  targets: dict[str, tuple[RunningService, str]]) -> list[str]:
    """Logout ends the session: its access token."""
    logout = await http.post("/api/v1/auth/logout", json={"refresh_token": session["refresh_token"]})
    assert logout.status_code == 204, logout.text
    return [session["access_token"]]


async def reuse_a_spent_refresh_token(http: httpx.AsyncClient, session: dict[str, Any],
                                      targets: dict[str, tuple[RunningService, str]]) -> list[str]:
    """A reused refresh token revokes its whole family: the first and the rotated access token."""
    rotated = await http.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    current = rotated.json()
    assert set((await statuses(targets, current["access_token"])).values()) == {200}
    # The spent refresh token comes back (stolen): the whole family is revoked.
    reused = await http.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert reused.status_code == 401, reused.text
    after = await http.post("/api/v1/auth/refresh", json={"refresh_token": current["refresh_token"]})
    assert after.status_code == 401, "the family's newest refresh token still works"
    return [current["access_token"], session["access_token"]]


@pytest.mark.skipif("auth" not in SERVICES, reason="sessions are auth's")
@pytest.mark.parametrize("revoke", [
    pytest.param(log_out, id="logged out session"),
    pytest.param(reuse_a_spent_refresh_token, id="reused refresh token revokes its family"),
])
async def test_a_revoked_sessions_access_tokens_are_refused_everywhere_at_once(
    targets: dict[str, tuple[RunningService, str]], running_services: dict[str, RunningService],
    revoke: Callable[..., Awaitable[list[str]]],
) -> None:
    auth = running_services["auth"]
    email = await register_account(auth, "attack")
    async with httpx.AsyncClient(base_url=auth.base_url, timeout=30) as http:
        session = await sign_in(http, email)
        assert set((await statuses(targets, session["access_token"])).values()) == {200}
        revoked = await revoke(http, session, targets)
    for access_token in revoked:
        assert await statuses(targets, access_token) == dict.fromkeys(targets, 401)
