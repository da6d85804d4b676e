"""Signing keys and access tokens: the JWKS (endpoint and file), rotation, and refused tokens."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from auth_helpers import PREFIX, asgi_client, assert_problem, running_app, signed_in
from auth_oauth_provider import RSAKey
from jose import jwt
from pydantic import ValidationError

from fitjourney_auth.cli import main as cli_main
from fitjourney_auth.keys import KeyStore, MissingKeys
from fitjourney_auth.main import create_app
from fitjourney_auth.settings import AuthSettings
from fitjourney_common.security import JWKSCache, TokenVerifier


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(user_id: str, **overrides) -> dict:
    now = int(time.time())
    claims = {"sub": user_id, "roles": ["admin"], "iat": now, "exp": now + 900, "jti": uuid.uuid4().hex,
              "iss": "https://auth.fitjourney.local", "aud": "fitjourney"}
    claims.update(overrides)
    return claims


async def test_jwks_publishes_the_public_key_with_its_kid(client, app):
    response = await client.get(f"{PREFIX}/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert [k["kid"] for k in keys] == [app.state.runtime.keys.current.kid]
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["use"] == "sig"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(keys[0])  # nothing private
    # The same document is on disk, where embedded-dev services read it (file:// JWKS URL).
    settings = app.state.runtime.settings
    assert json.loads(settings.jwks_path.read_text()) == response.json()
    assert settings.jwks_path == settings.data_dir / "keys" / "jwks.json"


async def test_another_service_verifies_auth_tokens_from_the_jwks_file(client, app):
    account = await signed_in(client)
    verifier = TokenVerifier(JWKSCache(f"file://{app.state.runtime.settings.jwks_path}"),
                             "https://auth.fitjourney.local", "fitjourney")
    principal = await verifier.verify(account.access_token)
    assert str(principal.user_id) == account.id and principal.roles == frozenset({"user"})


async def test_tampered_token_is_refused(client):
    account = await signed_in(client)
    header, _, signature = account.access_token.split(".")
    forged = _b64({**jwt.get_unverified_claims(account.access_token), "roles": ["admin"]})
    response = await client.get(f"{PREFIX}/me", headers={"Authorization": f"Bearer {header}.{forged}.{signature}"})
    assert_problem(response, 401)


async def test_alg_none_is_refused(client, app):
    account = await signed_in(client)
    kid = app.state.runtime.keys.current.kid
    token = f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_b64(_claims(account.id))}."
    assert_problem(await client.get(f"{PREFIX}/me", headers={"Authorization": f"Bearer {token}"}), 401)


async def test_hs256_signed_with_the_public_key_is_refused(client, app):
    account = await signed_in(client)
    current = app.state.runtime.keys.current
    public = json.dumps(current.public_jwk)
    token = jwt.encode(_claims(account.id), public, algorithm="HS256", headers={"kid": current.kid})
    assert_problem(await client.get(f"{PREFIX}/me", headers={"Authorization": f"Bearer {token}"}), 401)


async def test_token_signed_by_another_key_is_refused(client, app):
    account = await signed_in(client)
    stranger = RSAKey.generate()
    same_kid = stranger.sign(_claims(account.id), kid=app.state.runtime.keys.current.kid)
    unknown_kid = stranger.sign(_claims(account.id))
    for token in (same_kid, unknown_kid):
        assert_problem(await client.get(f"{PREFIX}/me", headers={"Authorization": f"Bearer {token}"}), 401)


async def test_expired_token_is_refused(client, app):
    account = await signed_in(client)
    key = app.state.runtime.keys.current
    past = int(time.time()) - 3600
    token = jwt.encode(_claims(account.id, iat=past - 900, exp=past), key.signer, algorithm="RS256",
                       headers={"kid": key.kid})
    body = assert_problem(await client.get(f"{PREFIX}/me", headers={"Authorization": f"Bearer {token}"}), 401)
    assert "expired" in body["detail"]


@pytest.mark.parametrize("authorization", ["Bearer not.a.jwt", "Bearer ", "Basic dXNlcjpwYXNz", "garbage"])
async def test_malformed_authorization_is_refused(client, authorization):
    assert_problem(await client.get(f"{PREFIX}/me", headers={"Authorization": authorization}), 401)


async def test_rotation_keeps_old_tokens_valid_and_signs_new_ones_with_the_new_key(make_settings, tmp_path):
    settings = make_settings(data_dir=tmp_path, run_event_worker=False)
    async with running_app(settings) as app, asgi_client(app) as http:
        before = await signed_in(http)
        old_kid = jwt.get_unverified_header(before.access_token)["kid"]

        # The operator rotates with the CLI (another process in real life, same key directory).
        assert await asyncio.to_thread(cli_main, ["rotate-keys"], settings) == 0

        after = await signed_in(http)
        new_kid = jwt.get_unverified_header(after.access_token)["kid"]
        assert new_kid != old_kid
        jwks = (await http.get(f"{PREFIX}/.well-known/jwks.json")).json()
        assert [k["kid"] for k in jwks["keys"]] == [new_kid, old_kid]
        assert json.loads(settings.jwks_path.read_text()) == jwks
        for account in (before, after):
            assert (await http.get(f"{PREFIX}/me", headers=account.headers)).status_code == 200
        # Refreshing an old session now yields a token signed with the new key.
        refreshed = await http.post(f"{PREFIX}/refresh", json={"refresh_token": before.refresh_token})
        assert jwt.get_unverified_header(refreshed.json()["access_token"])["kid"] == new_kid


def test_a_retired_key_is_deleted_once_its_tokens_have_expired(tmp_path):
    store = KeyStore(tmp_path, token_ttl_seconds=900)
    store.load(generate_if_missing=True)
    first = store.current.kid
    now = datetime.now(UTC)
    second = store.rotate(now=now + timedelta(seconds=1)).kid
    assert [k.kid for k in store.published(now + timedelta(seconds=2))] == [first, second]
    assert [k.kid for k in store.published(now + timedelta(seconds=900 + 62))] == [second]
    third = store.rotate(now=now + timedelta(seconds=1000)).kid
    assert sorted(p.stem for p in tmp_path.glob("*.pem")) == sorted([second, third])
    assert (tmp_path / f"{third}.pem").stat().st_mode & 0o777 == 0o600


async def test_outside_dev_the_service_refuses_to_start_without_keys(tmp_path):
    settings = AuthSettings(environment="production", data_dir=tmp_path, object_url_secret="set-in-production",
                            database_url="sqlite+aiosqlite://", redis_url="memory://", broker_url="memory://",
                            smtp_url="smtp://mail.example.com")
    app = create_app(settings)
    from asgi_lifespan import LifespanManager

    with pytest.raises(MissingKeys):
        async with LifespanManager(app):
            pass
    assert not list(tmp_path.glob("keys/*.pem"))


def test_init_keys_creates_a_first_key_once(tmp_path, capsys):
    settings = AuthSettings(environment="production", key_dir=tmp_path / "keys", data_dir=tmp_path,
                            object_store_url="s3://unused")
    assert cli_main(["init-keys"], settings) == 0
    first = sorted(p.name for p in (tmp_path / "keys").glob("*.pem"))
    assert len(first) == 1
    assert cli_main(["init-keys"], settings) == 0
    assert sorted(p.name for p in (tmp_path / "keys").glob("*.pem")) == first, "a second run changes nothing"
    assert first[0].removesuffix(".pem") in capsys.readouterr().out


def test_outside_dev_the_dev_key_folder_is_refused_naming_key_dir():
    # make dev's keys live in .data/keys: a deployment must point KEY_DIR at its own secret.
    with pytest.raises(ValidationError, match="KEY_DIR must be set outside dev"):
        AuthSettings(environment="production", object_url_secret="set-in-production")
    assert AuthSettings(environment="dev").keys_path == Path(".data/keys")
