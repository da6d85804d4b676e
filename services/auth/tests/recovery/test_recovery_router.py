"""Password reset: always 202, a single-use 30-minute token by mail, every session ended afterwards."""

from __future__ import annotations

import asyncio
import hashlib
import logging

from asgi_lifespan import LifespanManager
from auth_helpers import (
    PASSWORD,
    PREFIX,
    Account,
    asgi_client,
    assert_problem,
    fetch,
    login,
    register,
    unique_email,
)
from sqlalchemy import text

from fitjourney_auth.main import create_app

NEW_PASSWORD = "Brand-New-Secret-7"


async def _forgot(http, email):
    return await http.post(f"{PREFIX}/password/forgot", json={"email": email})


async def _reset(http, token, password=NEW_PASSWORD):
    return await http.post(f"{PREFIX}/password/reset", json={"token": token, "new_password": password})


async def test_forgot_is_202_for_unknown_emails_and_sends_nothing(client, mailbox, db):
    email = unique_email("unknown")
    response = await _forgot(client, email)
    assert response.status_code == 202 and response.content == b""
    assert mailbox.to(email) == []
    audit = await fetch(db, "select user_id, detail from auth.audit_log where email = :e "
                            "and action = 'password_reset.requested'", e=email)
    assert audit == [{"user_id": None, "detail": {"known": False}}]


async def test_reset_mails_to_one_account_are_limited_but_the_answer_never_changes(client, mailbox):
    account = await register(client)
    answers = [(await _forgot(client, account.email)).status_code for _ in range(5)]
    assert answers == [202] * 5
    resets = [m for m in mailbox.to(account.email) if m.subject == "Reset your FitJourney password"]
    assert len(resets) == 3  # RESET_MAIL_RATE: 3/hour


async def test_reset_sets_the_new_password_and_ends_every_session(client, mailbox, db):
    account = await register(client)
    phone = await login(client, Account(account.email, PASSWORD, account.id))
    laptop = await login(client, Account(account.email, PASSWORD, account.id))

    assert (await _forgot(client, account.email.upper())).status_code == 202
    mail = mailbox.to(account.email)[-1]
    assert mail.subject == "Reset your FitJourney password" and "30 minutes" in mail.body
    token = mailbox.reset_token(account.email)
    stored = await fetch(db, "select token_hash, expires_at - created_at as ttl from auth.password_reset_tokens "
                             "where user_id = :id", id=account.id)
    assert stored[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert stored[0]["ttl"].total_seconds() == 1800

    assert (await _reset(client, token)).status_code == 204

    for device in (phone, laptop):
        assert_problem(await client.post(f"{PREFIX}/refresh", json={"refresh_token": device.refresh_token}), 401)
    assert_problem(await client.post(f"{PREFIX}/login", json={"email": account.email, "password": PASSWORD}), 401)
    assert (await client.post(f"{PREFIX}/login", json={"email": account.email,
                                                        "password": NEW_PASSWORD})).status_code == 200
    actions = [r["action"] for r in await fetch(
        db, "select action from auth.audit_log where user_id = :id and action like 'password_reset.%' order by id",
        id=account.id)]
    assert actions == ["password_reset.requested", "password_reset.completed"]
    sessions = await fetch(db, "select revoked_reason from auth.sessions where user_id = :id "
                               "and revoked_reason = 'password_reset'", id=account.id)
    assert len(sessions) == 2


async def test_a_reset_token_works_once(client, mailbox):
    account = await register(client)
    await _forgot(client, account.email)
    token = mailbox.reset_token(account.email)
    assert (await _reset(client, token)).status_code == 204
    assert_problem(await _reset(client, token, "Another-Secret-8"), 400, "token")


async def test_two_simultaneous_resets_with_one_token_let_one_through(client, mailbox):
    account = await register(client)
    await _forgot(client, account.email)
    token = mailbox.reset_token(account.email)
    answers = await asyncio.gather(_reset(client, token, "First-Winner-11"), _reset(client, token, "Second-Try-22"))
    assert sorted(a.status_code for a in answers) == [204, 400]
    winner = "First-Winner-11" if answers[0].status_code == 204 else "Second-Try-22"
    assert (await client.post(f"{PREFIX}/login", json={"email": account.email, "password": winner})).status_code == 200


async def test_a_reset_voids_the_accounts_other_reset_tokens(client, mailbox):
    account = await register(client)
    await _forgot(client, account.email)
    older = mailbox.reset_token(account.email)
    await _forgot(client, account.email)
    newer = mailbox.reset_token(account.email)
    assert older != newer
    assert (await _reset(client, newer)).status_code == 204
    assert_problem(await _reset(client, older, "Another-Secret-8"), 400, "token")


async def test_in_dev_the_default_mail_sender_logs_the_mail_with_its_token(make_settings, caplog):
    """No SMTP_URL in dev: mail goes to the log, token included, so a developer can use it (outside dev
    the service does not start without SMTP_URL: tests/test_mail.py)."""
    caplog.set_level(logging.INFO, logger="fitjourney_auth.mail")
    service = create_app(make_settings(environment="dev", run_event_worker=False))
    async with LifespanManager(service), asgi_client(service) as http:
        account = await register(http, verify=False)
        assert (await _forgot(http, account.email)).status_code == 202
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "fitjourney_auth.mail")
    assert account.email in logged and "Reset your FitJourney password" in logged and "Reset token: " in logged


async def test_an_expired_reset_token_is_refused(client, mailbox, db):
    account = await register(client)
    await _forgot(client, account.email)
    token = mailbox.reset_token(account.email)
    async with db.begin() as connection:
        await connection.execute(text("update auth.password_reset_tokens set expires_at = now() - interval '1 second' "
                                      "where user_id = :id"), {"id": account.id})
    assert_problem(await _reset(client, token), 400, "token")


async def test_a_weak_new_password_keeps_the_token_usable(client, mailbox):
    account = await register(client)
    await _forgot(client, account.email)
    token = mailbox.reset_token(account.email)
    body = assert_problem(await _reset(client, token, "short"), 422, "password")
    assert "10 characters" in body["detail"]
    assert (await _reset(client, token)).status_code == 204


async def test_reset_lifts_a_lockout(client, mailbox):
    account = await register(client)
    for _ in range(5):
        await client.post(f"{PREFIX}/login", json={"email": account.email, "password": "Wrong-password-1"})
    await _forgot(client, account.email)
    assert (await _reset(client, mailbox.reset_token(account.email))).status_code == 204
    assert (await client.post(f"{PREFIX}/login", json={"email": account.email,
                                                        "password": NEW_PASSWORD})).status_code == 200


async def test_reset_input_is_validated(client):
    assert_problem(await _reset(client, "no-such-token"), 400, "token")
    assert_problem(await client.post(f"{PREFIX}/password/reset", json={"token": "x"}), 422, "new_password")
    assert_problem(await client.post(f"{PREFIX}/password/forgot", json={"email": "nope"}), 422, "email")
    assert_problem(await client.post(f"{PREFIX}/password/forgot", json={"email": "a@b.co", "x": 1}), 422, "x")
