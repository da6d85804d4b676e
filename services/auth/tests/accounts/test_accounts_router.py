"""Registration, the caller's account, and how bad input is refused (problem+json, nothing written)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from auth_helpers import (
    PASSWORD,
    PREFIX,
    asgi_client,
    assert_problem,
    fetch,
    gated_password_checks,
    register,
    running_app,
    signed_in,
    unique_email,
    until,
)

from fitjourney_auth.settings import AuthSettings


async def test_register_returns_the_account(client):
    email = unique_email()
    response = await client.post(f"{PREFIX}/register",
                                 json={"email": email, "password": PASSWORD, "display_name": "  Ana  "})
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "email", "display_name", "roles"}
    assert body["email"] == email and body["display_name"] == "Ana" and body["roles"] == ["user"]


async def test_register_writes_user_audit_and_outbox(client, db):
    account = await register(client)
    rows = await fetch(db, "select email_normalized, password_hash from auth.users where id = :id", id=account.id)
    assert rows[0]["email_normalized"] == account.email.lower()
    assert rows[0]["password_hash"].startswith("$2b$") and PASSWORD not in rows[0]["password_hash"]
    audit = await fetch(db, "select action, ip, user_agent from auth.audit_log where user_id = :id", id=account.id)
    assert [a["action"] for a in audit] == ["account.registered"]
    assert audit[0]["ip"] == client.headers["x-forwarded-for"] and audit[0]["user_agent"].startswith("python-httpx")


async def test_user_registered_event_arrives_on_rabbitmq(client, event_tap):
    account = await register(client, display_name="Evented")
    event = await event_tap.wait_for(lambda e: e["type"] == "user.registered" and e["user_id"] == account.id)
    assert event["_routing_key"] == "user.registered"
    assert event["data"] == {"user_id": account.id, "email": account.email, "display_name": "Evented"}
    assert {"id", "version", "occurred_at"} <= set(event)


async def test_duplicate_email_is_a_conflict_whatever_the_case(client, db):
    account = await register(client)
    response = await client.post(f"{PREFIX}/register", json={
        "email": account.email.upper(), "password": PASSWORD, "display_name": "Twin"})
    assert_problem(response, 409)
    rows = await fetch(db, "select count(*) as n from auth.users where email_normalized = :e", e=account.email.lower())
    assert rows[0]["n"] == 1


@pytest.mark.parametrize(("password", "rule"), [
    ("Short-1", "at least 10 characters"),
    ("alllowercaseletters", "two kinds of characters"),
    ("1234567890123", "two kinds of characters"),
    ("{local}-Extra1", "email"),
    ("{email}", "email"),
    ("Abcdefghij" * 8, "72 bytes"),
])
async def test_weak_password_is_refused_naming_the_rule(client, db, password, rule):
    email = unique_email("weakling")
    password = password.replace("{local}", email.split("@")[0].upper()).replace("{email}", email)
    response = await client.post(f"{PREFIX}/register",
                                 json={"email": email, "password": password, "display_name": "Weak"})
    body = assert_problem(response, 422, "password")
    assert rule in body["detail"]
    assert await fetch(db, "select id from auth.users where email_normalized = :e", e=email) == []


@pytest.mark.parametrize(("payload", "field"), [
    ({"email": "not-an-email", "password": PASSWORD, "display_name": "X"}, "email"),
    ({"email": "a@example.com", "password": PASSWORD, "display_name": 123}, "display_name"),
    ({"email": "a@example.com", "password": PASSWORD, "display_name": ""}, "display_name"),
    ({"email": "a@example.com", "password": PASSWORD}, "display_name"),
    ({"email": "a@example.com", "password": PASSWORD, "display_name": "X", "is_admin": True}, "is_admin"),
    ({"email": "a@example.com", "password": ["list"], "display_name": "X"}, "password"),
])
async def test_invalid_fields_are_named(client, payload, field):
    response = await client.post(f"{PREFIX}/register", json=payload)
    assert_problem(response, 422, field)


async def test_malformed_json_is_a_400(client):
    response = await client.post(f"{PREFIX}/register", content=b'{"email": "a@example.com",',
                                 headers={"content-type": "application/json"})
    body = assert_problem(response, 400)
    assert body["type"].endswith("malformed-json")


async def test_oversized_json_is_a_413(client, db):
    email = unique_email("big")
    padding = "x" * (1024 * 1024 + 10)
    response = await client.post(f"{PREFIX}/register", content=(
        f'{{"email": "{email}", "password": "{PASSWORD}", "display_name": "{padding}"}}').encode(),
        headers={"content-type": "application/json"})
    assert_problem(response, 413)
    assert await fetch(db, "select id from auth.users where email_normalized = :e", e=email) == []


async def test_deeply_nested_json_is_a_400(client):
    nested = "[" * 5000 + "]" * 5000
    response = await client.post(f"{PREFIX}/login", content=f'{{"email": {nested}}}'.encode(),
                                 headers={"content-type": "application/json"})
    body = assert_problem(response, 400)
    assert body["type"].endswith("json-too-deep")


async def test_me_returns_the_signed_in_account(client):
    account = await signed_in(client, display_name="Me Myself")
    response = await client.get(f"{PREFIX}/me", headers=account.headers)
    assert response.status_code == 200
    assert response.json() == {"id": account.id, "email": account.email, "display_name": "Me Myself",
                               "roles": ["user"]}


async def test_me_without_token_is_401(client):
    response = await client.get(f"{PREFIX}/me")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_passwords_are_hashed_with_bcrypt_cost_12_off_the_event_loop(client, make_settings, db):
    """The one test at the real cost (the settings' default, 12): the stored hash says $2b$12$; while a
    sign-in is held inside bcrypt other requests are answered; a hash of another cost is upgraded."""
    cheap = await register(client)  # the other tests' app hashes at cost 4
    assert (await fetch(db, "select password_hash from auth.users where id = :id",
                        id=cheap.id))[0]["password_hash"].startswith("$2b$04$")

    cost = AuthSettings.model_fields["bcrypt_rounds"].default
    async with running_app(make_settings(bcrypt_rounds=cost, run_event_worker=False)) as app, \
            asgi_client(app) as http:
        account = await register(http)
        stored = await fetch(db, "select password_hash from auth.users where id = :id", id=account.id)
        assert stored[0]["password_hash"].startswith("$2b$12$")

        with gated_password_checks(app) as gate:
            login_task = asyncio.create_task(http.post(f"{PREFIX}/login",
                                                       json={"email": account.email, "password": PASSWORD}))
            await until(lambda: gate.entered == 1)  # the sign-in is inside its bcrypt check, held there
            # Were the check run on the event loop, nothing else could be answered until it ended.
            health = await http.get("/healthz")
            jwks = await http.get(f"{PREFIX}/.well-known/jwks.json")
            assert health.status_code == 200 and jwks.status_code == 200
            assert not login_task.done()
            gate.release.set()
            assert (await login_task).status_code == 200

        # The cost-4 account is upgraded to 12 when it signs in here.
        response = await http.post(f"{PREFIX}/login", json={"email": cheap.email, "password": PASSWORD})
        assert response.status_code == 200
    assert (await fetch(db, "select password_hash from auth.users where id = :id",
                        id=cheap.id))[0]["password_hash"].startswith("$2b$12$")


async def test_concurrent_registrations_of_one_email_create_one_account(client, db):
    email = unique_email("twins")
    answers = await asyncio.gather(*(client.post(f"{PREFIX}/register", json={
        "email": email, "password": PASSWORD, "display_name": f"Twin {i}"}) for i in range(2)))
    assert sorted(r.status_code for r in answers) == [201, 409]
    assert_problem(next(r for r in answers if r.status_code == 409), 409)
    users = await fetch(db, "select id from auth.users where email_normalized = :e", e=email)
    assert len(users) == 1
    # The loser left nothing behind: one account, one user.registered waiting in the outbox.
    events = await fetch(db, "select user_id from auth.outbox_messages where type = 'user.registered' "
                             "and payload::jsonb -> 'data' ->> 'email' = :e", e=email)
    assert [e["user_id"] for e in events] == [users[0]["id"]]


@pytest.mark.parametrize("name", ["Ana\u0000Maria", "Line\nbreak", "Bell\u0007"])
async def test_control_characters_in_a_display_name_are_refused(client, db, name):
    email = unique_email("ctrl")
    response = await client.post(f"{PREFIX}/register", json={"email": email, "password": PASSWORD,
                                                             "display_name": name})
    assert "control characters" in assert_problem(response, 422, "display_name")["detail"]
    assert await fetch(db, "select id from auth.users where email_normalized = :e", e=email) == []


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/register"), ("post", "/login"), ("post", "/refresh"), ("post", "/logout"),
    ("post", "/oauth/google"), ("post", "/oauth/facebook"), ("post", "/password/forgot"),
    ("post", "/password/reset"), ("patch", f"/users/{uuid.UUID(int=1)}/roles"),  # fixed, for `pytest -n`
])
async def test_every_body_taking_endpoint_answers_malformed_json_with_a_400(client, method, path):
    response = await client.request(method.upper(), f"{PREFIX}{path}", content=b'{"email": ',
                                    headers={"content-type": "application/json",
                                             "Authorization": "Bearer not-checked-before-the-body"})
    assert assert_problem(response, 400)["type"].endswith("malformed-json")
