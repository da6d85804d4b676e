"""Token verification: what passes, and every way a forged, stale or foreign token is refused."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import datetime, tzinfo
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt

from fitjourney_common.errors import Unauthorized
from fitjourney_common.security import JWKSCache, TokenVerifier

ISSUER, AUDIENCE = "https://auth.test", "fitjourney"


def new_key(kid: str) -> tuple[str, dict]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = jwk.construct(private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(), "RS256").to_dict()
    public.update({"kid": kid, "use": "sig", "alg": "RS256"})
    return pem, public


def sign(pem: str, kid: str, **overrides: object) -> str:
    now = int(time.time())
    claims = {"sub": str(uuid.uuid4()), "roles": ["user"], "iat": now, "exp": now + 900,
              "jti": uuid.uuid4().hex, "iss": ISSUER, "aud": AUDIENCE}
    claims.update(overrides)
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def keys(tmp_path: Path) -> tuple[str, Path]:
    pem, public = new_key("k1")
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps({"keys": [public]}))
    return pem, jwks_file


def verifier(jwks_file: Path) -> TokenVerifier:
    return TokenVerifier(JWKSCache(f"file://{jwks_file}"), ISSUER, AUDIENCE)


async def test_valid_token_gives_the_principal(keys: tuple[str, Path]) -> None:
    pem, jwks_file = keys
    user_id = uuid.uuid4()
    principal = await verifier(jwks_file).verify(sign(pem, "k1", sub=str(user_id), roles=["user", "admin", "x"]))
    assert principal.user_id == user_id
    assert principal.roles == {"user", "admin"}


@pytest.mark.parametrize("overrides, message", [
    ({"exp": int(time.time()) - 10}, "expired"),
    ({"aud": "someone-else"}, "invalid"),
    ({"iss": "https://evil.example"}, "invalid"),
    ({"iat": int(time.time()) + 600, "exp": int(time.time()) + 1200}, "future"),
    ({"iat": int(time.time()), "exp": int(time.time()) + 100 * 365 * 86400}, "longer life"),
    ({"iat": "yesterday"}, "invalid"),
])
async def test_stale_or_foreign_claims_are_refused(keys: tuple[str, Path], overrides: dict, message: str) -> None:
    pem, jwks_file = keys
    with pytest.raises(Unauthorized, match=message):
        await verifier(jwks_file).verify(sign(pem, "k1", **overrides))


async def test_token_signed_by_another_key_with_a_known_kid_is_refused(keys: tuple[str, Path]) -> None:
    _pem, jwks_file = keys
    other_pem, _ = new_key("k1")
    with pytest.raises(Unauthorized):
        await verifier(jwks_file).verify(sign(other_pem, "k1"))


async def test_unknown_kid_is_refused(keys: tuple[str, Path]) -> None:
    other_pem, _ = new_key("k9")
    with pytest.raises(Unauthorized, match="unknown key"):
        await verifier(keys[1]).verify(sign(other_pem, "k9"))


async def test_alg_none_and_hs256_are_refused(keys: tuple[str, Path]) -> None:
    pem, jwks_file = keys
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "kid": "k1"}).encode()).rstrip(b"=").decode()
    body = sign(pem, "k1").split(".")[1]
    with pytest.raises(Unauthorized):
        await verifier(jwks_file).verify(f"{header}.{body}.")
    public_pem = json.loads(jwks_file.read_text())["keys"][0]["n"]
    hs = jwt.encode({"sub": str(uuid.uuid4())}, public_pem, algorithm="HS256", headers={"kid": "k1"})
    with pytest.raises(Unauthorized):
        await verifier(jwks_file).verify(hs)


async def test_tampered_payload_is_refused(keys: tuple[str, Path]) -> None:
    pem, jwks_file = keys
    head, body, signature = sign(pem, "k1").split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["roles"] = ["admin"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(Unauthorized):
        await verifier(jwks_file).verify(f"{head}.{forged}.{signature}")


async def test_a_rotated_key_is_picked_up_without_a_restart(keys: tuple[str, Path]) -> None:
    pem, jwks_file = keys
    check = verifier(jwks_file)
    await check.verify(sign(pem, "k1"))
    new_pem, new_public = new_key("k2")
    document = json.loads(jwks_file.read_text())
    jwks_file.write_text(json.dumps({"keys": [*document["keys"], new_public]}))
    check.jwks._fetched_at -= 60  # past the minimum refresh interval, as after a few seconds in production
    assert (await check.verify(sign(new_pem, "k2"))).roles == {"user"}


async def test_garbage_is_a_401_not_a_crash(keys: tuple[str, Path]) -> None:
    with pytest.raises(Unauthorized):
        await verifier(keys[1]).verify("not-a-jwt")


async def test_token_without_issuer_or_audience_is_refused(keys: tuple[str, Path]) -> None:
    pem, jwks_file = keys
    now = int(time.time())
    for missing in ("iss", "aud"):
        claims = {"sub": str(uuid.uuid4()), "iat": now, "exp": now + 60, "jti": "j", "iss": ISSUER, "aud": AUDIENCE}
        del claims[missing]
        token = jwt.encode(claims, pem, algorithm="RS256", headers={"kid": "k1"})
        with pytest.raises(Unauthorized):
            await verifier(jwks_file).verify(token)


async def test_a_token_verified_before_is_refused_once_it_expires(
    keys: tuple[str, Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    pem, jwks_file = keys
    checker = verifier(jwks_file)
    token = sign(pem, "k1")
    assert (await checker.verify(token)) == (await checker.verify(token))  # the second from the cache

    # The clock moves past `exp` (for this module and for jose's own check alike).
    later = time.time() + 901

    class Later(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Later:  # type: ignore[override]
            return cls.fromtimestamp(later, tz)

    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr("jose.jwt.datetime", Later)
    with pytest.raises(Unauthorized, match="expired"):
        await checker.verify(token)
