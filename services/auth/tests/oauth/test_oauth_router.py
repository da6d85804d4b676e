"""Sign-in with Google, Apple and Facebook against a local provider over HTTP (nothing leaves the machine)."""

from __future__ import annotations

import logging
import time
import uuid

import pytest
from auth_helpers import (
    APPLE_CLIENT_ID,
    FACEBOOK_APP_SECRET,
    GOOGLE_CLIENT_ID,
    PASSWORD,
    PREFIX,
    asgi_client,
    assert_problem,
    fetch,
    register,
    running_app,
    unique_email,
)
from auth_oauth_provider import RSAKey
from jose import jwt

CLIENT_IDS = {"google": GOOGLE_CLIENT_ID, "apple": APPLE_CLIENT_ID}


async def _sign_in(http, provider, **body):
    return await http.post(f"{PREFIX}/oauth/{provider}", json=body)


@pytest.mark.parametrize("provider", ["google", "apple"])
async def test_first_sign_in_creates_the_account_and_later_ones_reuse_it(client, oauth_provider, db, event_tap,
                                                                         provider):
    email, subject = unique_email(provider), uuid.uuid4().hex
    # Apple sends email_verified as the string "true".
    verified = True if provider == "google" else "true"
    # Google's ID token carries the name; Apple's does not.
    extra = {"name": "Prov Ider"} if provider == "google" else {}
    token = oauth_provider.id_token(provider, aud=CLIENT_IDS[provider], sub=subject, email=email,
                                    email_verified=verified, **extra)
    first = await _sign_in(client, provider, id_token=token)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["token_type"] == "bearer" and body["refresh_token"]
    me = (await client.get(f"{PREFIX}/me", headers={"Authorization": f"Bearer {body['access_token']}"})).json()
    assert me["email"] == email and me["roles"] == ["user"]
    assert me["display_name"] == ("Prov Ider" if provider == "google" else email.split("@")[0])

    again = oauth_provider.id_token(provider, aud=CLIENT_IDS[provider], sub=subject, email=email,
                                    email_verified=verified)
    second = await _sign_in(client, provider, id_token=again)
    assert jwt.get_unverified_claims(second.json()["access_token"])["sub"] == me["id"]

    users = await fetch(db, "select password_hash from auth.users where id = :id", id=me["id"])
    assert users == [{"password_hash": None}]
    identities = await fetch(db, "select provider, subject from auth.identities where user_id = :id", id=me["id"])
    assert identities == [{"provider": provider, "subject": subject}]
    audit = await fetch(db, "select detail from auth.audit_log where user_id = :id and action = 'oauth.sign_in' "
                            "order by id", id=me["id"])
    assert [a["detail"]["created"] for a in audit] == [True, False]
    event = await event_tap.wait_for(lambda e: e["type"] == "user.registered" and e["user_id"] == me["id"])
    assert event["data"]["email"] == email


async def test_apple_can_be_given_the_name_by_the_client(client, oauth_provider):
    token = oauth_provider.id_token("apple", aud=APPLE_CLIENT_ID, email=unique_email("apple"))
    response = await _sign_in(client, "apple", id_token=token, display_name="Jane Appleseed")
    me = await client.get(f"{PREFIX}/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"})
    assert me.json()["display_name"] == "Jane Appleseed"


async def test_verified_email_links_to_the_existing_account(client, oauth_provider):
    account = await register(client)
    token = oauth_provider.id_token("google", aud=GOOGLE_CLIENT_ID, email=account.email.upper(), email_verified=True)
    response = await _sign_in(client, "google", id_token=token)
    assert response.status_code == 200
    assert jwt.get_unverified_claims(response.json()["access_token"])["sub"] == account.id
    # The password still works too.
    login = await client.post(f"{PREFIX}/login", json={"email": account.email, "password": PASSWORD})
    assert login.status_code == 200


async def test_a_verified_provider_email_confirms_an_unconfirmed_account_and_drops_its_registrants_password(
        client, oauth_provider, db):
    """Someone registered the address with their own password and never confirmed it; its owner then signs
    in with Google. The owner gets the account, and the registrant's password no longer opens it."""
    squatted = await register(client, password="Squatters-own-42", verify=False)
    token = oauth_provider.id_token("google", aud=GOOGLE_CLIENT_ID, email=squatted.email, email_verified=True)
    response = await _sign_in(client, "google", id_token=token)
    assert response.status_code == 200
    assert jwt.get_unverified_claims(response.json()["access_token"])["sub"] == squatted.id
    login = await client.post(f"{PREFIX}/login", json={"email": squatted.email, "password": "Squatters-own-42"})
    assert login.status_code == 401
    rows = await fetch(db, "select email_verified, activated_at is not null as active, password_hash from auth.users "
                           "where id = :id", id=squatted.id)
    assert rows == [{"email_verified": True, "active": True, "password_hash": None}]


async def test_an_account_created_by_a_provider_is_confirmed_by_its_verified_email(client, oauth_provider, db):
    email, unconfirmed = unique_email("g"), unique_email("g-unverified")
    for address, verified in ((email, True), (unconfirmed, False)):
        token = oauth_provider.id_token("google", aud=GOOGLE_CLIENT_ID, email=address, email_verified=verified)
        assert (await _sign_in(client, "google", id_token=token)).status_code == 200
    rows = await fetch(db, "select email_normalized as e, email_verified, activated_at is not null as active "
                           "from auth.users where email_normalized in (:a, :b) order by email_verified desc",
                       a=email, b=unconfirmed)
    assert rows == [{"e": email, "email_verified": True, "active": True},
                    {"e": unconfirmed, "email_verified": False, "active": False}]


async def test_unverified_email_of_an_existing_account_is_not_linked(client, oauth_provider, db):
    account = await register(client)
    token = oauth_provider.id_token("google", aud=GOOGLE_CLIENT_ID, email=account.email, email_verified=False)
    assert_problem(await _sign_in(client, "google", id_token=token), 409)
    assert await fetch(db, "select id from auth.identities where user_id = :id", id=account.id) == []


async def test_an_id_token_without_email_cannot_create_an_account(client, oauth_provider):
    token = oauth_provider.id_token("google", aud=GOOGLE_CLIENT_ID)
    assert_problem(await _sign_in(client, "google", id_token=token), 422, "id_token")


@pytest.mark.parametrize("provider", ["google", "apple"])
@pytest.mark.parametrize("case", ["wrong_aud", "no_aud", "wrong_iss", "no_iss", "expired", "bad_signature",
                                  "unknown_kid", "alg_none", "garbage"])
async def test_invalid_id_tokens_are_refused(client, oauth_provider, db, provider, case):
    email = unique_email(f"bad-{case}")
    kwargs = {"aud": CLIENT_IDS[provider], "email": email}
    if case == "wrong_aud":
        kwargs["aud"] = "someone-elses-app"
    elif case == "wrong_iss":
        kwargs["iss"] = "https://evil.example.com"
    elif case == "expired":
        kwargs["expires_in"] = -3600
    elif case == "bad_signature":
        own = oauth_provider.google_key if provider == "google" else oauth_provider.apple_key
        kwargs["key"], kwargs["kid"] = RSAKey.generate(), own.kid
    elif case == "unknown_kid":
        kwargs["key"] = RSAKey.generate()
    token = oauth_provider.id_token(provider, **kwargs)
    if case in ("no_iss", "no_aud"):
        claims = jwt.get_unverified_claims(token)
        del claims[case.removeprefix("no_")]
        own = oauth_provider.google_key if provider == "google" else oauth_provider.apple_key
        token = own.sign(claims)
    elif case == "alg_none":
        _, payload, _ = token.split(".")
        token = f"eyJhbGciOiJub25lIiwia2lkIjoieCJ9.{payload}."
    elif case == "garbage":
        token = "not-a-jwt"
    assert_problem(await _sign_in(client, provider, id_token=token), 401)
    assert await fetch(db, "select id from auth.users where email_normalized = :e", e=email) == []


async def test_a_refused_provider_token_is_audited_as_a_failed_sign_in(client, oauth_provider, db):
    agent = f"audit-probe/{uuid.uuid4().hex}"
    token = oauth_provider.id_token("google", aud="someone-elses-app", email=unique_email("refused"))
    response = await client.post(f"{PREFIX}/oauth/google", json={"id_token": token}, headers={"User-Agent": agent})
    assert_problem(response, 401)
    rows = await fetch(db, "select action, user_id, detail from auth.audit_log where user_agent = :a", a=agent)
    assert [(r["action"], r["user_id"], r["detail"]["method"], r["detail"]["reason"]) for r in rows] == [
        ("sign_in.failed", None, "google", "invalid_token")]


async def test_provider_profiles_are_made_to_fit_the_account(client, oauth_provider):
    """Names and emails come from outside: over-long or control-character names are cut, not a 500."""
    cases = [("N" * 300, "N" * 100), ("  Zoë\u0000 Ng\n ", "Zoë Ng")]
    for name, shown in cases:
        token = oauth_provider.id_token("google", aud=GOOGLE_CLIENT_ID, email=unique_email("named"), name=name)
        response = await _sign_in(client, "google", id_token=token)
        assert response.status_code == 200, response.text
        me = await client.get(f"{PREFIX}/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"})
        assert me.json()["display_name"] == shown
    fb = oauth_provider.facebook_token(email=unique_email("fb-named"), name="F" * 300)
    response = await _sign_in(client, "facebook", access_token=fb)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("email", ["not an email", ["listed@example.com"], "x" * 400 + "@example.com",
                                   "nul\u0000@example.com"])
async def test_a_provider_email_that_is_not_one_cannot_create_an_account(client, oauth_provider, db, email):
    subject = uuid.uuid4().hex
    token = oauth_provider.id_token("google", aud=GOOGLE_CLIENT_ID, sub=subject, email=email)
    assert_problem(await _sign_in(client, "google", id_token=token), 422, "id_token")
    assert await fetch(db, "select id from auth.identities where subject = :s", s=subject) == []


async def test_an_unusable_provider_subject_is_refused(client, oauth_provider, db):
    email = unique_email("long-sub")
    token = oauth_provider.id_token("google", aud=GOOGLE_CLIENT_ID, sub="s" * 300, email=email)
    assert_problem(await _sign_in(client, "google", id_token=token), 401)
    assert await fetch(db, "select id from auth.users where email_normalized = :e", e=email) == []


async def test_facebook_credentials_never_reach_the_logs(client, oauth_provider, caplog):
    caplog.set_level(logging.INFO, logger="httpx")
    token = oauth_provider.facebook_token(email=unique_email("fb-log"))
    assert (await _sign_in(client, "facebook", access_token=token)).status_code == 200
    requests = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("/facebook/debug_token" in m for m in requests) and any("/facebook/me" in m for m in requests)
    # httpx logs each URL at INFO; the Graph calls carry the app secret and the user's token in the query.
    assert FACEBOOK_APP_SECRET not in caplog.text and token not in caplog.text


async def test_provider_keys_are_fetched_once_and_cached(client, oauth_provider):
    before = oauth_provider.requests.count("google/jwks")
    for _ in range(3):
        token = oauth_provider.id_token("google", aud=GOOGLE_CLIENT_ID, email=unique_email("cached"))
        assert (await _sign_in(client, "google", id_token=token)).status_code == 200
    assert oauth_provider.requests.count("google/jwks") - before <= 1


async def test_facebook_sign_in(client, oauth_provider, db):
    email = unique_email("fb")
    token = oauth_provider.facebook_token(email=email, name="Face Book")
    first = await _sign_in(client, "facebook", access_token=token)
    assert first.status_code == 200, first.text
    user_id = jwt.get_unverified_claims(first.json()["access_token"])["sub"]
    fb_user = oauth_provider.facebook_tokens[token].user_id

    again = oauth_provider.facebook_token(user_id=fb_user, email=email)
    second = await _sign_in(client, "facebook", access_token=again)
    assert jwt.get_unverified_claims(second.json()["access_token"])["sub"] == user_id
    rows = await fetch(db, "select provider, subject from auth.identities where user_id = :id", id=user_id)
    assert rows == [{"provider": "facebook", "subject": fb_user}]


@pytest.mark.parametrize("case", ["invalid", "other_app", "expired", "unknown"])
async def test_invalid_facebook_tokens_are_refused(client, oauth_provider, case):
    if case == "unknown":
        token = "EAAunknown"
    else:
        fields = {"email": unique_email("fb-bad")}
        if case == "invalid":
            fields["is_valid"] = False
        elif case == "other_app":
            fields["app_id"] = "999"
        else:
            fields["expires_at"] = int(time.time()) - 60
        token = oauth_provider.facebook_token(**fields)
    assert_problem(await _sign_in(client, "facebook", access_token=token), 401)


async def test_facebook_email_never_links_an_existing_account(client, oauth_provider):
    account = await register(client)
    token = oauth_provider.facebook_token(email=account.email)
    assert_problem(await _sign_in(client, "facebook", access_token=token), 409)


async def test_oauth_bodies_are_validated(client):
    assert_problem(await _sign_in(client, "google", token="x"), 422, "id_token")
    assert_problem(await _sign_in(client, "google", id_token="x", extra=1), 422, "extra")
    assert_problem(await _sign_in(client, "facebook", id_token="x"), 422, "access_token")
    assert_problem(await _sign_in(client, "twitter", id_token="x"), 422, "provider")


async def test_a_provider_without_client_id_is_switched_off(make_settings, oauth_provider):
    async with running_app(make_settings(apple_client_id=None, run_event_worker=False)) as app, \
            asgi_client(app) as http:
        token = oauth_provider.id_token("apple", aud=APPLE_CLIENT_ID, email=unique_email())
        assert_problem(await _sign_in(http, "apple", id_token=token), 404)


async def test_an_unreachable_provider_is_a_503(make_settings):
    settings = make_settings(google_jwks_url="http://127.0.0.1:1/jwks", run_event_worker=False)
    async with running_app(settings) as app, asgi_client(app) as http:
        token = RSAKey.generate().sign({"aud": GOOGLE_CLIENT_ID, "iss": "https://accounts.google.com", "sub": "1",
                                        "iat": int(time.time()), "exp": int(time.time()) + 60})
        assert_problem(await _sign_in(http, "google", id_token=token), 503)


async def test_several_client_ids_of_one_provider_are_accepted(make_settings, oauth_provider):
    settings = make_settings(google_client_id=f"web.apps.test, {GOOGLE_CLIENT_ID}", run_event_worker=False)
    async with running_app(settings) as app, asgi_client(app) as http:
        for audience in ("web.apps.test", GOOGLE_CLIENT_ID):
            token = oauth_provider.id_token("google", aud=audience, email=unique_email("multi"))
            assert (await _sign_in(http, "google", id_token=token)).status_code == 200
        token = oauth_provider.id_token("google", aud="android.apps.test", email=unique_email("multi"))
        assert_problem(await _sign_in(http, "google", id_token=token), 401)
