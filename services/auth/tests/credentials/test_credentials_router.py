"""Proving who one is again: `auth_time` in access tokens (kept by refresh, renewed by /reauthenticate),
and changing one's password or email only with the current password (or, without one, a recent sign-in)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import time_machine
from auth_helpers import (
    GOOGLE_CLIENT_ID,
    PASSWORD,
    PREFIX,
    Account,
    assert_problem,
    fetch,
    login,
    signed_in,
    unique_email,
)
from jose import jwt

NEW_PASSWORD = "Brand-new-horse-77"


def _claims(token: str) -> dict:
    return jwt.get_unverified_claims(token)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _reauthenticate(http, access_token, password=PASSWORD):
    return await http.post(f"{PREFIX}/reauthenticate", json={"password": password}, headers=_bearer(access_token))


async def _google_account(client, oauth_provider) -> tuple[str, dict]:
    email = unique_email("google")
    token = oauth_provider.id_token("google", aud=GOOGLE_CLIENT_ID, sub=uuid.uuid4().hex, email=email,
                                    email_verified=True)
    response = await client.post(f"{PREFIX}/oauth/google", json={"id_token": token})
    assert response.status_code == 200, response.text
    return email, response.json()


async def test_auth_time_is_the_sign_in_and_a_refresh_keeps_it(client):
    account = await signed_in(client)
    signed = _claims(account.access_token)
    assert signed["auth_time"] == signed["iat"]
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=10)):
        refreshed = await client.post(f"{PREFIX}/refresh", json={"refresh_token": account.refresh_token})
        assert refreshed.status_code == 200
        claims = _claims(refreshed.json()["access_token"])
    assert claims["iat"] >= signed["iat"] + 600 and claims["auth_time"] == signed["auth_time"]


async def test_reauthenticate_gives_a_fresh_auth_time_for_the_same_session(client, db):
    account = await signed_in(client)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=10)):
        response = await _reauthenticate(client, account.access_token)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert "refresh_token" not in body and body["token_type"] == "bearer"
        fresh = _claims(body["access_token"])
        assert fresh["auth_time"] == fresh["iat"] >= _claims(account.access_token)["iat"] + 600
        assert fresh["sid"] == _claims(account.access_token)["sid"]
        # The session keeps the new time: a refresh after it carries it on.
        refreshed = await client.post(f"{PREFIX}/refresh", json={"refresh_token": account.refresh_token})
        assert _claims(refreshed.json()["access_token"])["auth_time"] == fresh["auth_time"]
    actions = [r["action"] for r in await fetch(db, "select action from auth.audit_log where user_id = :id "
                                                    "order by id", id=account.id)]
    assert actions[-1] == "sign_in.reauthenticated"


async def test_reauthenticate_with_a_wrong_password_is_401_and_counts_towards_the_lockout(client):
    account = await signed_in(client)
    for _ in range(5):
        assert_problem(await _reauthenticate(client, account.access_token, "Wrong-password-1"), 401)
    assert_problem(await _reauthenticate(client, account.access_token), 429)


async def test_reauthenticate_needs_a_live_session(client):
    account = await signed_in(client)
    assert (await client.post(f"{PREFIX}/logout", json={"refresh_token": account.refresh_token})).status_code == 204
    assert_problem(await _reauthenticate(client, account.access_token), 401)


async def test_an_account_without_password_reauthenticates_with_its_provider(client, oauth_provider):
    _, tokens = await _google_account(client, oauth_provider)
    assert_problem(await _reauthenticate(client, tokens["access_token"]), 409)


async def test_changing_the_password_needs_the_current_one(client, mailbox):
    account = await signed_in(client)
    other_device = await login(client, Account(account.email, PASSWORD, account.id))
    url = f"{PREFIX}/me/password"
    assert_problem(await client.put(url, json={"new_password": NEW_PASSWORD}, headers=account.headers),
                   422, "current_password")
    assert_problem(await client.put(url, json={"current_password": "Wrong-password-1", "new_password": NEW_PASSWORD},
                                    headers=account.headers), 401)
    assert_problem(await client.put(url, json={"current_password": PASSWORD, "new_password": "short"},
                                    headers=account.headers), 422, "password")

    changed = await client.put(url, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                               headers=account.headers)
    assert changed.status_code == 204, changed.text
    login_old = await client.post(f"{PREFIX}/login", json={"email": account.email, "password": PASSWORD})
    assert login_old.status_code == 401
    login_new = await client.post(f"{PREFIX}/login", json={"email": account.email, "password": NEW_PASSWORD})
    assert login_new.status_code == 200
    # Every other device is signed out; this one stays.
    async def refresh(token):
        return (await client.post(f"{PREFIX}/refresh", json={"refresh_token": token})).status_code

    assert await refresh(other_device.refresh_token) == 401
    assert (await client.get(f"{PREFIX}/me", headers=other_device.headers)).status_code == 401
    assert await refresh(account.refresh_token) == 200
    assert mailbox.to(account.email)[-1].subject == "Your FitJourney password was changed"


async def test_changing_the_email_needs_the_current_password_and_tells_the_old_address(client, mailbox, db):
    account = await signed_in(client)
    taken = await signed_in(client)
    url = f"{PREFIX}/me/email"
    new_email = unique_email("moved")
    assert_problem(await client.put(url, json={"email": new_email}, headers=account.headers), 422, "current_password")
    assert_problem(await client.put(url, json={"email": new_email, "current_password": "Wrong-password-1"},
                                    headers=account.headers), 401)
    assert_problem(await client.put(url, json={"email": taken.email.upper(), "current_password": PASSWORD},
                                    headers=account.headers), 409)

    changed = await client.put(url, json={"email": new_email, "current_password": PASSWORD}, headers=account.headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == new_email
    async def sign_in(email):
        return (await client.post(f"{PREFIX}/login", json={"email": email, "password": PASSWORD})).status_code

    assert await sign_in(new_email) == 200
    assert await sign_in(account.email) == 401
    notice = mailbox.to(account.email)[-1]
    assert notice.subject == "Your FitJourney email was changed" and new_email in notice.body
    rows = await fetch(db, "select email_verified from auth.users where id = :id", id=account.id)
    assert rows == [{"email_verified": False}]


async def test_an_account_without_password_needs_a_recent_sign_in(client, oauth_provider):
    email, tokens = await _google_account(client, oauth_provider)
    body = {"current_password": None, "new_password": NEW_PASSWORD}
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=6)):
        stale = await client.put(f"{PREFIX}/me/password", json=body, headers=_bearer(tokens["access_token"]))
        problem = assert_problem(stale, 403)
        assert problem["type"].endswith("/reauthentication-required")
    # Just signed in: it may set a password, and then sign in with it.
    fresh = await client.put(f"{PREFIX}/me/password", json=body, headers=_bearer(tokens["access_token"]))
    assert fresh.status_code == 204, fresh.text
    assert (await client.post(f"{PREFIX}/login", json={"email": email, "password": NEW_PASSWORD})).status_code == 200
