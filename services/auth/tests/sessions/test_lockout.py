"""Lockout keyed on email and client address: a guesser elsewhere cannot lock the owner out, one address
guessing many emails is stopped, parallel guesses cannot outrun either limit, and locks back off."""

from __future__ import annotations

import asyncio

import httpx
from auth_helpers import (
    PASSWORD,
    PREFIX,
    asgi_client,
    assert_problem,
    client_address,
    fetch,
    gated_password_checks,
    register,
    running_app,
    unique_email,
    until,
)

WRONG = "Wrong-password-1"


async def _login(http, email, password=PASSWORD, address=None):
    headers = {"X-Forwarded-For": address} if address else {}
    return await http.post(f"{PREFIX}/login", json={"email": email, "password": password}, headers=headers)


async def test_a_guesser_elsewhere_cannot_lock_the_owner_out(client, db):
    owner = await register(client)
    home, attacker = client_address(), client_address()
    for _ in range(5):
        assert (await _login(client, owner.email, WRONG, attacker)).status_code == 401
    # The attacker's address is locked for this email, even with the right password...
    locked = assert_problem(await _login(client, owner.email, PASSWORD, attacker), 429)
    assert "from your address" in locked["detail"]
    # ...while the owner, from home, signs in as always.
    assert (await _login(client, owner.email, PASSWORD, home)).status_code == 200

    rows = await fetch(db, "select action, ip, detail from auth.audit_log where email = :e and action in "
                           "('sign_in.locked_out', 'sign_in.blocked') order by id", e=owner.email.lower())
    assert [(r["action"], r["ip"], r["detail"]["scope"]) for r in rows] == [
        ("sign_in.locked_out", attacker, "email_and_address"), ("sign_in.blocked", attacker, "email_and_address")]


async def test_one_address_guessing_many_emails_is_stopped(client):
    guesser, neighbour = client_address(), client_address()
    victim = await register(client)
    for n in range(20):  # LOCKOUT_ADDRESS_MAX_ATTEMPTS failures, each on another email
        assert (await _login(client, unique_email(f"spray{n}"), WRONG, guesser)).status_code == 401
    refused = await _login(client, victim.email, PASSWORD, guesser)  # any email, even the right password
    body = assert_problem(refused, 429)
    assert body["detail"] == "Too many failed sign-in attempts from your address; try again later"
    assert 880 <= int(refused.headers["retry-after"]) <= 900
    # Another address is not affected, nor is the victim.
    assert (await _login(client, victim.email, PASSWORD, neighbour)).status_code == 200


async def test_successes_do_not_count_against_an_address(client):
    """An office behind one address: its users' sign-ins are not guesses."""
    office = client_address()
    account = await register(client)
    for _ in range(25):
        assert (await _login(client, account.email, PASSWORD, office)).status_code == 200
    for n in range(19):
        assert (await _login(client, unique_email(f"typo{n}"), WRONG, office)).status_code == 401
    assert (await _login(client, account.email, PASSWORD, office)).status_code == 200


async def test_parallel_guesses_cannot_outrun_the_address_limit(make_settings):
    # A small allowance keeps the burst within the database pool (each guess holds a connection).
    settings = make_settings(lockout_address_max_attempts=3, run_event_worker=False)
    async with running_app(settings) as app, asgi_client(app) as http:
        with gated_password_checks(app) as gate:
            attempts = [asyncio.create_task(_login(http, unique_email(f"burst{n}"), WRONG)) for n in range(8)]
            await until(lambda: gate.entered + sum(a.done() for a in attempts) == len(attempts))
            assert gate.entered == 3  # only the address's allowance reached a password check
            gate.release.set()
            answers = await asyncio.gather(*attempts)
        assert sorted(a.status_code for a in answers) == [401] * 3 + [429] * 5
        assert (await _login(http, unique_email("after"), WRONG)).status_code == 429


async def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(app):
    """Only TRUSTED_PROXIES may say who the client is: a client naming a new address each time is still
    counted against its own."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as direct:
        email = unique_email("spoof")
        for _ in range(5):
            assert (await _login(direct, email, WRONG, client_address())).status_code == 401
        assert (await _login(direct, email, WRONG, client_address())).status_code == 429


async def test_each_new_lock_of_an_address_lasts_twice_as_long(make_settings, db):
    # A window long enough for five sign-ins on a loaded machine; the first lock is then waited out.
    settings = make_settings(lockout_window_seconds=4, lockout_max_seconds=60, run_event_worker=False)
    async with running_app(settings) as app, asgi_client(app) as http:
        account = await register(http)
        for _ in range(5):
            assert (await _login(http, account.email, WRONG)).status_code == 401
        first = await _login(http, account.email, WRONG)
        assert first.status_code == 429

        # Poll (with a deadline) until the lock is over; the first admitted guess opens the next window.
        deadline = asyncio.get_running_loop().time() + 15
        while (await _login(http, account.email, WRONG)).status_code == 429:
            assert asyncio.get_running_loop().time() < deadline, "the first lock never ended"
            await asyncio.sleep(0.05)
        for _ in range(4):
            assert (await _login(http, account.email, WRONG)).status_code == 401
        second = await _login(http, account.email, PASSWORD)
        assert second.status_code == 429 and 4 < int(second.headers["retry-after"]) <= 8

    rows = await fetch(db, "select detail from auth.audit_log where email = :e and action = 'sign_in.locked_out' "
                           "order by id", e=account.email.lower())
    assert [r["detail"]["locked_seconds"] for r in rows] == [4, 8]
