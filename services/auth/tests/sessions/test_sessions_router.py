"""Sign-in, lockout, refresh-token rotation and reuse, cookies, sign-out, and the session list."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from datetime import timedelta

import pytest
from auth_helpers import (
    PASSWORD,
    PREFIX,
    Account,
    asgi_client,
    assert_problem,
    fetch,
    gated_password_checks,
    login,
    register,
    round_trips,
    running_app,
    signed_in,
    unique_email,
    until,
)
from jose import jwt
from pydantic import ValidationError
from sqlalchemy import text


async def _login(http, email, password=PASSWORD, **kwargs):
    return await http.post(f"{PREFIX}/login", json={"email": email, "password": password}, **kwargs)


async def _refresh(http, token):
    return await http.post(f"{PREFIX}/refresh", json={"refresh_token": token})


# --- sign-in --------------------------------------------------------------------------------------

async def test_login_returns_a_token_pair(client, app):
    account = await register(client)
    response = await _login(client, account.email)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 900
    assert len(body["refresh_token"]) >= 40 and "." not in body["refresh_token"]  # opaque, not a JWT

    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256" and header["kid"] == app.state.runtime.keys.current.kid
    claims = jwt.get_unverified_claims(body["access_token"])
    assert {"sub", "roles", "iat", "exp", "jti", "iss", "aud"} <= set(claims)
    assert claims["sub"] == account.id and claims["roles"] == ["user"]
    assert claims["exp"] - claims["iat"] == 900
    assert claims["iss"] == "https://auth.fitjourney.local" and claims["aud"] == "fitjourney"


async def test_login_is_case_insensitive_on_email(client):
    account = await register(client)
    assert (await _login(client, account.email.upper())).status_code == 200


async def test_wrong_password_and_unknown_email_get_the_same_401(client, db):
    account = await register(client)
    wrong = await _login(client, account.email, "Wrong-password-1")
    unknown_email = unique_email("nobody")
    unknown = await _login(client, unknown_email)
    assert_problem(wrong, 401)
    assert_problem(unknown, 401)
    assert wrong.json()["detail"] == unknown.json()["detail"] == "Email or password is incorrect"

    failed = await fetch(db, "select user_id, email from auth.audit_log where action = 'sign_in.failed' "
                             "and email in (:a, :b) order by id", a=account.email.lower(), b=unknown_email)
    assert [(str(r["user_id"]) if r["user_id"] else None, r["email"]) for r in failed] == [
        (account.id, account.email.lower()), (None, unknown_email)]


async def test_successful_sign_in_is_audited(client, db):
    account = await signed_in(client)
    rows = await fetch(db, "select detail from auth.audit_log where action = 'sign_in.succeeded' and user_id = :id",
                       id=account.id)
    assert rows and rows[0]["detail"] == {"method": "password"}


# --- lockout --------------------------------------------------------------------------------------

async def test_lockout_after_five_failures_even_with_the_right_password(client, db):
    account = await register(client)
    for _ in range(5):
        assert (await _login(client, account.email, "Wrong-password-1")).status_code == 401
    locked = await _login(client, account.email)  # the right password
    assert_problem(locked, 429)
    assert 880 <= int(locked.headers["retry-after"]) <= 900
    assert "access_token" not in locked.text

    actions = [r["action"] for r in await fetch(
        db, "select action from auth.audit_log where email = :e order by id", e=account.email.lower())]
    assert actions == ["account.registered", "email.verified", *["sign_in.failed"] * 5, "sign_in.locked_out",
                       "sign_in.blocked"]


async def test_lockout_also_applies_to_unknown_emails(client):
    ghost = unique_email("ghost")
    answers = [(await _login(client, ghost)).status_code for _ in range(6)]
    assert answers == [401] * 5 + [429]


async def test_lockout_is_per_normalised_email(client):
    account = await register(client)
    for variant in (account.email.upper(), account.email, account.email.title(), account.email, account.email):
        assert (await _login(client, variant, "Wrong-password-1")).status_code == 401
    assert (await _login(client, account.email.upper())).status_code == 429


async def test_a_successful_sign_in_resets_the_failure_count(client):
    account = await register(client)
    for _ in range(4):
        await _login(client, account.email, "Wrong-password-1")
    assert (await _login(client, account.email)).status_code == 200
    for _ in range(4):
        assert (await _login(client, account.email, "Wrong-password-1")).status_code == 401
    assert (await _login(client, account.email)).status_code == 200


async def test_parallel_guesses_cannot_outrun_the_lockout(client, app):
    """A burst of simultaneous guesses: each is counted before bcrypt runs, so only five are ever checked."""
    email = unique_email("burst")
    with gated_password_checks(app) as gate:
        attempts = [asyncio.create_task(_login(client, email, "Wrong-password-1")) for _ in range(8)]
        # Hold every checked guess inside bcrypt until all the others have been answered.
        await until(lambda: gate.entered + sum(a.done() for a in attempts) == len(attempts))
        assert gate.entered == 5
        gate.release.set()
        answers = await asyncio.gather(*attempts)
    assert sorted(a.status_code for a in answers) == [401] * 5 + [429] * 3
    for refused in (a for a in answers if a.status_code == 429):
        assert_problem(refused, 429)
        assert int(refused.headers["retry-after"]) > 0
    assert (await _login(client, email)).status_code == 429  # and the email stays locked


async def test_sign_ins_inside_bcrypt_hold_no_database_connection(make_settings):
    """Four sign-ins inside their password checks at once on a pool of two: none of them holds a connection
    there, so every one gets in and other requests are still answered meanwhile."""
    async with running_app(make_settings(db_pool_size=2, run_event_worker=False)) as app, \
            asgi_client(app) as http:
        accounts = [await register(http, with_id=False) for _ in range(4)]
        reader = await signed_in(http, with_id=False)
        with gated_password_checks(app) as gate:
            sign_ins = [asyncio.create_task(_login(http, account.email)) for account in accounts]
            await until(lambda: gate.entered == len(accounts))
            assert app.state.runtime.engine.pool.checkedout() == 0
            sessions = await http.get(f"{PREFIX}/sessions",
                                      headers={"authorization": f"Bearer {reader.access_token}"})
            assert sessions.status_code == 200
            gate.release.set()
            answers = await asyncio.gather(*sign_ins)
    assert [a.status_code for a in answers] == [200] * len(accounts)


async def test_a_burst_of_sign_ins_takes_one_low_priority_bcrypt_thread_at_a_time(make_settings):
    """PASSWORD_HASH_THREADS=1: three sign-ins at once are checked one after another (the others wait their
    turn rather than taking more cores), at PASSWORD_HASH_NICENESS below the process, and all three get in."""
    settings = make_settings(password_hash_threads=1, password_hash_niceness=7, run_event_worker=False)
    async with running_app(settings) as app, asgi_client(app) as http:
        accounts = [await register(http, with_id=False) for _ in range(3)]
        limiter = app.state.runtime.passwords.limiter
        with gated_password_checks(app) as gate:
            sign_ins = [asyncio.create_task(_login(http, account.email)) for account in accounts]
            await until(lambda: limiter.statistics().tasks_waiting == len(accounts) - 1)
            assert gate.entered == 1
            gate.release.set()
            answers = await asyncio.gather(*sign_ins)
    assert [a.status_code for a in answers] == [200] * len(accounts)
    assert gate.entered == len(accounts)
    assert gate.niceness == [min(19, os.getpriority(os.PRIO_PROCESS, 0) + 7)] * len(accounts)


async def test_an_over_long_password_of_multibyte_characters_is_a_plain_401(client):
    account = await register(client)
    for password in ("é" * 40, "💪" * 100):  # over 72 bytes, though not over 72 characters
        assert_problem(await _login(client, account.email, password), 401)
    assert_problem(await _login(client, unique_email("nobody"), "é" * 40), 401)


async def test_lockout_ends_when_the_window_passes(make_settings):
    async with running_app(make_settings(lockout_window_seconds=2, run_event_worker=False)) as app, \
            asgi_client(app) as http:
        account = await register(http)
        for _ in range(5):
            await _login(http, account.email, "Wrong-password-1")
        locked = await _login(http, account.email)
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) <= 2
        await asyncio.sleep(2.2)
        assert (await _login(http, account.email)).status_code == 200


# --- refresh --------------------------------------------------------------------------------------

async def test_refresh_rotates_the_refresh_token(client):
    account = await signed_in(client)
    response = await _refresh(client, account.refresh_token)
    assert response.status_code == 200
    body = response.json()
    assert body["refresh_token"] != account.refresh_token and body["token_type"] == "bearer"
    me = await client.get(f"{PREFIX}/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["id"] == account.id
    again = await _refresh(client, body["refresh_token"])
    assert again.status_code == 200


async def test_a_refresh_is_one_round_trip_to_postgres(client, app):
    """Spending the token, renewing the session, adding the successor and reading the roles are one statement
    on its own (no BEGIN, no COMMIT): the refresh path's cost."""
    account = await signed_in(client)
    with round_trips(app.state.runtime.engine) as checkouts:
        response = await _refresh(client, account.refresh_token)
    assert response.status_code == 200
    refreshing = [sent for sent in checkouts if any("refresh_tokens" in query for query in sent)]
    assert len(refreshing) == 1 and len(refreshing[0]) == 1, refreshing


async def test_refresh_tokens_live_seven_days_and_are_stored_only_as_hashes(client, db, redis):
    account = await signed_in(client)
    rotated = (await _refresh(client, account.refresh_token)).json()["refresh_token"]
    rows = await fetch(db, "select token_hash, expires_at - created_at as ttl, used_at from auth.refresh_tokens "
                           "where user_id = :id order by created_at", id=account.id)
    assert [r["token_hash"] for r in rows] == [hashlib.sha256(t.encode()).hexdigest()
                                               for t in (account.refresh_token, rotated)]
    assert [r["ttl"] for r in rows] == [timedelta(days=7)] * 2
    assert rows[0]["used_at"] is not None and rows[1]["used_at"] is None
    session = await fetch(db, "select expires_at - last_used_at as ttl from auth.sessions where user_id = :id",
                          id=account.id)
    assert session[0]["ttl"] == timedelta(days=7)

    # Neither token appears in Redis, as a key or a value.
    async for key in redis.scan_iter(count=1000):
        value = await redis.get(key) if await redis.type(key) == b"string" else b""
        for token in (account.refresh_token, rotated):
            assert token.encode() not in key and token.encode() not in (value or b"")


async def test_reusing_a_refresh_token_revokes_the_whole_family(client, db):
    account = await signed_in(client)
    first = account.refresh_token
    second = (await _refresh(client, first)).json()["refresh_token"]
    newest = (await _refresh(client, second)).json()["refresh_token"]

    reused = await _refresh(client, first)  # a stolen copy of an old token
    assert "already used" in assert_problem(reused, 401)["detail"]
    assert_problem(await _refresh(client, newest), 401)  # the legitimate holder is signed out too
    assert_problem(await _refresh(client, second), 401)

    sessions = await fetch(db, "select revoked_at, revoked_reason from auth.sessions where user_id = :id",
                           id=account.id)
    assert len(sessions) == 1 and sessions[0]["revoked_reason"] == "refresh_token_reused"
    audit = await fetch(db, "select action from auth.audit_log where user_id = :id and action = "
                            "'session.refresh_reused'", id=account.id)
    assert len(audit) == 2  # each replay of a used token is recorded
    # Other sessions of the same user are untouched.
    other = await login(client, Account(account.email, PASSWORD, account.id))
    assert (await _refresh(client, other.refresh_token)).status_code == 200


async def test_concurrent_use_of_one_refresh_token_lets_only_one_through(client, db):
    account = await signed_in(client)
    answers = await asyncio.gather(*(_refresh(client, account.refresh_token) for _ in range(3)))
    assert sorted(r.status_code for r in answers) == [200, 401, 401]
    # Two uses of one token are a reuse however close together: the session ends, the winner's new
    # token included (PostgreSQL's conditional UPDATE decides who won; the losers see the winner's commit).
    winner = next(r for r in answers if r.status_code == 200).json()["refresh_token"]
    assert_problem(await _refresh(client, winner), 401)
    sessions = await fetch(db, "select revoked_reason from auth.sessions where user_id = :id", id=account.id)
    assert sessions == [{"revoked_reason": "refresh_token_reused"}]
    tokens = await fetch(db, "select count(*) as n from auth.refresh_tokens where user_id = :id", id=account.id)
    assert tokens[0]["n"] == 2  # the first token and the winner's: the losers issued nothing


async def test_an_expired_refresh_token_is_refused_and_issues_nothing(client, db):
    account = await signed_in(client)
    async with db.begin() as connection:  # seven days later (Redis still has it cached: Postgres decides)
        await connection.execute(text("update auth.refresh_tokens set expires_at = now() - interval '1 second' "
                                      "where user_id = :id"), {"id": account.id})
    assert "expired" in assert_problem(await _refresh(client, account.refresh_token), 401)["detail"]
    rows = await fetch(db, "select used_at from auth.refresh_tokens where user_id = :id", id=account.id)
    assert rows == [{"used_at": None}]  # no new token, the old one not marked used


async def test_unknown_and_missing_refresh_tokens_are_401(client):
    assert_problem(await _refresh(client, "not-a-token"), 401)
    assert_problem(await client.post(f"{PREFIX}/refresh"), 401)
    assert_problem(await client.post(f"{PREFIX}/refresh", json={}), 401)
    assert_problem(await client.post(f"{PREFIX}/refresh", json={"refresh_token": 42}), 422, "refresh_token")
    assert_problem(await client.post(f"{PREFIX}/refresh", json={"refresh_token": "x", "extra": 1}), 422, "extra")


async def test_sessions_survive_a_redis_flush(client, redis):
    account = await signed_in(client)
    spare = await login(client, Account(account.email, PASSWORD, account.id))
    await redis.flushdb()
    rotated = await _refresh(client, account.refresh_token)
    assert rotated.status_code == 200
    await redis.flushdb()
    # Reuse is still recognised from Postgres alone.
    assert_problem(await _refresh(client, account.refresh_token), 401)
    assert_problem(await _refresh(client, rotated.json()["refresh_token"]), 401)
    assert (await _refresh(client, spare.refresh_token)).status_code == 200


async def test_a_redis_outage_never_breaks_sign_in_or_refresh(make_settings):
    # Nothing listens on port 1: every Redis call fails at once.
    settings = make_settings(redis_url="redis://127.0.0.1:1/0", run_event_worker=False)
    async with running_app(settings) as app, asgi_client(app) as http:
        account = await signed_in(http)
        assert (await http.get(f"{PREFIX}/me", headers=account.headers)).status_code == 200
        rotated = await _refresh(http, account.refresh_token)
        assert rotated.status_code == 200
        assert_problem(await _refresh(http, account.refresh_token), 401)  # reuse still detected
        ready = await http.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["redis"] == "down"


# --- cookies --------------------------------------------------------------------------------------

def _set_cookie(response) -> str:
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    assert len(cookies) == 1, cookies
    return cookies[0]


async def test_login_can_set_the_refresh_token_as_a_secure_cookie(client):
    account = await register(client)
    response = await _login(client, account.email, params={"cookie": "true"})
    assert response.status_code == 200
    assert "refresh_token" not in response.json()
    cookie = _set_cookie(response)
    assert cookie.startswith("refresh_token=")
    for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/api/v1/auth", "Max-Age=604800"):
        assert flag in cookie, cookie


def test_the_refresh_cookie_cannot_lose_secure_outside_dev(make_settings):
    with pytest.raises(ValidationError, match="REFRESH_COOKIE_SECURE"):
        make_settings(environment="production", object_url_secret="set", refresh_cookie_secure=False)
    with pytest.raises(ValidationError, match="REFRESH_COOKIE_SECURE"):  # browsers drop such a cookie
        make_settings(refresh_cookie_secure=False, refresh_cookie_samesite="none")
    assert make_settings(refresh_cookie_secure=False).refresh_cookie_secure is False  # dev on plain http


async def test_refresh_and_logout_with_the_cookie(app):
    # A cookie jar on https, as a browser would keep a Secure cookie.
    async with asgi_client(app) as http:
        http.base_url = "https://test"
        account = await register(http)
        first = await _login(http, account.email, headers={"X-Refresh-Cookie": "1"})
        assert "refresh_token" not in first.json() and http.cookies.get("refresh_token")
        old_cookie = http.cookies["refresh_token"]

        refreshed = await http.post(f"{PREFIX}/refresh")  # no body: the cookie is the token
        assert refreshed.status_code == 200 and "refresh_token" not in refreshed.json()
        assert http.cookies["refresh_token"] != old_cookie

        out = await http.post(f"{PREFIX}/logout")
        assert out.status_code == 204
        assert 'refresh_token=""' in _set_cookie(out) or "Max-Age=0" in _set_cookie(out)
        assert not http.cookies.get("refresh_token")
        # The session really ended: the last cookie value no longer refreshes.
    async with asgi_client(app, cookies={"refresh_token": old_cookie}) as replay:
        assert_problem(await replay.post(f"{PREFIX}/refresh"), 401)


# --- logout and sessions --------------------------------------------------------------------------

async def test_logout_revokes_the_session_of_the_refresh_token(client, db):
    account = await signed_in(client)
    assert (await client.post(f"{PREFIX}/logout", json={"refresh_token": account.refresh_token})).status_code == 204
    assert_problem(await _refresh(client, account.refresh_token), 401)
    # Logging out twice is harmless.
    assert (await client.post(f"{PREFIX}/logout", json={"refresh_token": account.refresh_token})).status_code == 204
    rows = await fetch(db, "select revoked_reason from auth.sessions where user_id = :id", id=account.id)
    assert [r["revoked_reason"] for r in rows] == ["logout"]
    audit = await fetch(db, "select action from auth.audit_log where user_id = :id and action = 'logout'",
                        id=account.id)
    assert len(audit) == 1


async def test_sessions_lists_the_callers_active_sessions(client):
    account = await register(client)
    phone = await login(client, Account(account.email, PASSWORD, account.id), **{"User-Agent": "FitJourney-iOS/3.1"})
    laptop = await login(client, Account(account.email, PASSWORD, account.id), **{"User-Agent": "Firefox/130"})
    ended = await login(client, Account(account.email, PASSWORD, account.id))
    await client.post(f"{PREFIX}/logout", json={"refresh_token": ended.refresh_token})

    response = await client.get(f"{PREFIX}/sessions", headers=laptop.headers)
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["user_agent"] for i in items] == ["Firefox/130", "FitJourney-iOS/3.1"]  # newest first
    assert [i["current"] for i in items] == [True, False]
    assert {"id", "created_at", "last_used_at", "user_agent", "ip"} <= set(items[0])
    assert items[0]["ip"] == client.headers["x-forwarded-for"]  # as the trusted proxy forwarded it

    first_page = await client.get(f"{PREFIX}/sessions", params={"limit": 1}, headers=phone.headers)
    assert len(first_page.json()["items"]) == 1 and first_page.json()["next_cursor"]
    cursor = first_page.json()["next_cursor"]
    second_page = await client.get(f"{PREFIX}/sessions", params={"limit": 1, "cursor": cursor}, headers=phone.headers)
    assert [i["user_agent"] for i in second_page.json()["items"]] == ["FitJourney-iOS/3.1"]
    assert second_page.json()["next_cursor"] is None


async def test_deleting_a_session_ends_it(client):
    account = await register(client)
    phone = await login(client, Account(account.email, PASSWORD, account.id))
    laptop = await login(client, Account(account.email, PASSWORD, account.id))
    items = (await client.get(f"{PREFIX}/sessions", headers=laptop.headers)).json()["items"]
    phone_session = next(i for i in items if not i["current"])

    assert (await client.delete(f"{PREFIX}/sessions/{phone_session['id']}", headers=laptop.headers)).status_code == 204
    assert_problem(await _refresh(client, phone.refresh_token), 401)
    assert (await _refresh(client, laptop.refresh_token)).status_code == 200
    assert_problem(await client.delete(f"{PREFIX}/sessions/{phone_session['id']}", headers=laptop.headers), 404)


async def test_another_users_session_is_404(client):
    mine = await signed_in(client)
    theirs = await signed_in(client)
    their_session = (await client.get(f"{PREFIX}/sessions", headers=theirs.headers)).json()["items"][0]
    assert_problem(await client.delete(f"{PREFIX}/sessions/{their_session['id']}", headers=mine.headers), 404)
    assert_problem(await client.delete(f"{PREFIX}/sessions/{uuid.uuid4()}", headers=mine.headers), 404)
    assert_problem(await client.delete(f"{PREFIX}/sessions/not-a-uuid", headers=mine.headers), 422, "session_id")
    assert (await _refresh(client, theirs.refresh_token)).status_code == 200


async def test_sessions_need_a_token(client):
    assert_problem(await client.get(f"{PREFIX}/sessions"), 401)
    assert_problem(await client.delete(f"{PREFIX}/sessions/{uuid.uuid4()}"), 401)
