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

ACCEPTED = {"status": "accepted",
            "detail": "Check your mail. If this email had no account, it has one now: open the link in the mail "
                      "to confirm the address, then sign in with your email and password."}


async def test_register_accepts_and_the_new_user_signs_in_once_the_email_is_confirmed(client, mailbox):
    email = unique_email()
    response = await client.post(f"{PREFIX}/register",
                                 json={"email": email, "password": PASSWORD, "display_name": "  Ana  "})
    assert response.status_code == 202, response.text
    assert response.json() == ACCEPTED
    assert mailbox.to(email)[-1].subject == "Confirm your FitJourney email"
    assert (await client.post(f"{PREFIX}/login", json={"email": email, "password": PASSWORD})).status_code == 401
    confirmed = await client.post(f"{PREFIX}/verify-email", json={"token": mailbox.verification_token(email)})
    assert confirmed.status_code == 204, confirmed.text
    tokens = await client.post(f"{PREFIX}/login", json={"email": email, "password": PASSWORD})
    me = await client.get(f"{PREFIX}/me", headers={"Authorization": f"Bearer {tokens.json()['access_token']}"})
    body = me.json()
    assert set(body) == {"id", "email", "display_name", "roles"}
    assert body["email"] == email and body["display_name"] == "Ana" and body["roles"] == ["user"]


async def test_an_existing_email_gets_the_same_answer_and_its_owner_a_mail(client, mailbox, db):
    owner = await register(client)
    fresh = await client.post(f"{PREFIX}/register", json={
        "email": unique_email(), "password": PASSWORD, "display_name": "Someone"})
    again = await client.post(f"{PREFIX}/register", json={
        "email": owner.email.upper(), "password": "Another-horse-99", "display_name": "Someone"})
    assert (again.status_code, again.json()) == (fresh.status_code, fresh.json()) == (202, ACCEPTED)
    assert again.headers["content-type"] == fresh.headers["content-type"]

    notice = mailbox.to(owner.email)[-1]
    assert notice.subject == "Someone tried to register with your email" and "Another-horse" not in notice.body
    rows = await fetch(db, "select count(*) as n from auth.users where email_normalized = :e", e=owner.email.lower())
    assert rows[0]["n"] == 1
    # Nothing about the account changed: the owner's password still signs in, the attempt's does not.
    assert (await client.post(f"{PREFIX}/login", json={"email": owner.email, "password": PASSWORD})).status_code == 200
    actions = [r["action"] for r in await fetch(db, "select action from auth.audit_log where user_id = :id order by id",
                                                id=owner.id)]
    assert actions[:3] == ["account.registered", "email.verified", "account.registration_repeated"]


async def test_a_new_and_an_existing_email_do_the_same_hashing_work(app, client):
    """No timing is asserted: the code path hashes the password once either way, before it looks."""
    owner = await register(client)
    passwords = app.state.runtime.passwords
    counted = CountingHasher(passwords._hash)
    passwords._hash = counted
    try:
        for email in (unique_email("new"), owner.email):
            before = dict(counted.calls)
            response = await client.post(f"{PREFIX}/register", json={
                "email": email, "password": PASSWORD, "display_name": "Same"})
            assert response.status_code == 202
            assert {k: counted.calls[k] - before.get(k, 0) for k in counted.calls} == {"hash": 1}
    finally:
        passwords._hash = counted.real


async def test_the_owner_is_mailed_a_few_times_an_hour_at_most(client, mailbox):
    owner = await register(client)
    for _ in range(5):
        assert (await client.post(f"{PREFIX}/register", json={
            "email": owner.email, "password": PASSWORD, "display_name": "Again"})).status_code == 202
    notices = [m for m in mailbox.to(owner.email) if m.subject == "Someone tried to register with your email"]
    assert len(notices) == 3  # RESET_MAIL_RATE, 3/hour


class CountingHasher:
    """Stands in for the app's pwdlib hasher and counts each call by name."""

    def __init__(self, real):
        self.real = real
        self.calls: dict[str, int] = {}

    def __getattr__(self, name):
        attribute = getattr(self.real, name)
        if name not in ("hash", "verify", "verify_and_update"):
            return attribute

        def counted(*args, **kwargs):
            self.calls[name] = self.calls.get(name, 0) + 1
            return attribute(*args, **kwargs)

        return counted


async def test_register_writes_user_audit_and_outbox(client, db):
    account = await register(client)
    rows = await fetch(db, "select email_normalized, password_hash from auth.users where id = :id", id=account.id)
    assert rows[0]["email_normalized"] == account.email.lower()
    assert rows[0]["password_hash"].startswith("$2b$") and PASSWORD not in rows[0]["password_hash"]
    audit = await fetch(db, "select action, ip, user_agent from auth.audit_log where user_id = :id", id=account.id)
    assert [a["action"] for a in audit] == ["account.registered", "email.verified"]
    assert audit[0]["ip"] == client.headers["x-forwarded-for"] and audit[0]["user_agent"].startswith("python-httpx")


async def test_user_registered_event_arrives_on_rabbitmq(client, event_tap):
    account = await register(client, display_name="Evented")
    event = await event_tap.wait_for(lambda e: e["type"] == "user.registered" and e["user_id"] == account.id)
    assert event["_routing_key"] == "user.registered"
    assert event["data"] == {"user_id": account.id, "email": account.email, "display_name": "Evented"}
    assert {"id", "version", "occurred_at"} <= set(event)


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


async def test_concurrent_registrations_of_one_email_create_one_account(client, db, mailbox):
    email = unique_email("twins")
    answers = await asyncio.gather(*(client.post(f"{PREFIX}/register", json={
        "email": email, "password": PASSWORD, "display_name": f"Twin {i}"}) for i in range(2)))
    assert [(r.status_code, r.json()) for r in answers] == [(202, ACCEPTED)] * 2
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
    ("post", "/password/reset"), ("post", "/verify-email"), ("post", "/verify-email/resend"),
    ("patch", f"/users/{uuid.UUID(int=1)}/roles"),  # fixed, for `pytest -n`
])
async def test_every_body_taking_endpoint_answers_malformed_json_with_a_400(client, method, path):
    response = await client.request(method.upper(), f"{PREFIX}{path}", content=b'{"email": ',
                                    headers={"content-type": "application/json",
                                             "Authorization": "Bearer not-checked-before-the-body"})
    assert assert_problem(response, 400)["type"].endswith("malformed-json")
