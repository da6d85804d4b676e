"""Registration, the caller's account, and how bad input is refused (problem+json, nothing written)."""

from __future__ import annotations

import asyncio
import time

import pytest
from auth_helpers import (
    PASSWORD,
    PREFIX,
    asgi_client,
    assert_problem,
    fetch,
    register,
    running_app,
    signed_in,
    unique_email,
)


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
    assert audit[0]["ip"] == "127.0.0.1" and audit[0]["user_agent"].startswith("python-httpx")


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


async def test_passwords_are_hashed_with_bcrypt_cost_12_off_the_event_loop(make_settings, db):
    """The one test at the real cost: the stored hash says $2b$12$, a login does not stall other requests,
    and a hash stored at another cost is upgraded at the next sign-in."""
    async with running_app(make_settings(bcrypt_rounds=12, run_event_worker=False)) as app, asgi_client(app) as http:
        account = await register(http)
        stored = await fetch(db, "select password_hash from auth.users where id = :id", id=account.id)
        assert stored[0]["password_hash"].startswith("$2b$12$")

        async def timed_health() -> float:
            started = time.perf_counter()
            assert (await http.get("/healthz")).status_code == 200
            return time.perf_counter() - started

        started = time.perf_counter()
        login_task = asyncio.create_task(http.post(f"{PREFIX}/login",
                                                   json={"email": account.email, "password": PASSWORD}))
        await asyncio.sleep(0.02)  # the login is now inside bcrypt
        health = [await timed_health() for _ in range(3)]
        login_response = await login_task
        login_seconds = time.perf_counter() - started
        assert login_response.status_code == 200
        assert login_seconds > 0.1  # cost 12 really is slow...
        assert max(health) < login_seconds / 2  # ...yet other requests were answered meanwhile

    # An account hashed at cost 4 (the other tests' app) is upgraded to 12 when it signs in here.
    async with running_app(make_settings(bcrypt_rounds=4, run_event_worker=False)) as app, asgi_client(app) as http:
        cheap = await register(http)
    assert (await fetch(db, "select password_hash from auth.users where id = :id",
                        id=cheap.id))[0]["password_hash"].startswith("$2b$04$")
    async with running_app(make_settings(bcrypt_rounds=12, run_event_worker=False)) as app, asgi_client(app) as http:
        response = await http.post(f"{PREFIX}/login", json={"email": cheap.email, "password": PASSWORD})
        assert response.status_code == 200
    assert (await fetch(db, "select password_hash from auth.users where id = :id",
                        id=cheap.id))[0]["password_hash"].startswith("$2b$12$")
