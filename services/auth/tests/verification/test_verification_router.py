"""Email verification: a new account signs in only once its mailed token is used, and until then its sign-in
cannot be told from a wrong password; tokens are single use and expire; new links are rate-limited."""

from __future__ import annotations

from auth_helpers import (
    PASSWORD,
    PREFIX,
    assert_problem,
    fetch,
    login,
    register,
    unique_email,
    verify_email,
)
from sqlalchemy import text

from fitjourney_auth.accounts.service import BAD_CREDENTIALS
from fitjourney_common.testing.smtp import VERIFICATION_TOKEN, token_in

# Fields that differ between any two problem answers (which request it was), not between the two cases.
PER_REQUEST = {"instance", "request_id"}


async def _login(http, email, password=PASSWORD):
    return await http.post(f"{PREFIX}/login", json={"email": email, "password": password})


async def _resend(http, email):
    return await http.post(f"{PREFIX}/verify-email/resend", json={"email": email})


def _comparable(response):
    body = {k: v for k, v in response.json().items() if k not in PER_REQUEST}
    return response.status_code, response.headers["content-type"], response.headers.get("www-authenticate"), body


async def test_an_unconfirmed_account_signs_in_exactly_as_a_wrong_password_does(client, db):
    """The attack: register someone's address with your own password, then sign in. If that worked, the
    address was free. Before the mailed link is used the right password answers as a wrong one."""
    pending = await register(client, password="Attackers-own-42", verify=False)
    confirmed = await register(client)
    right_but_pending = await _login(client, pending.email, "Attackers-own-42")
    wrong = await _login(client, confirmed.email, "Attackers-own-42")
    unknown = await _login(client, unique_email("nobody"), "Attackers-own-42")
    assert _comparable(right_but_pending) == _comparable(wrong) == _comparable(unknown)
    assert right_but_pending.status_code == 401 and right_but_pending.json()["detail"] == BAD_CREDENTIALS
    # It counts against the lockout as a wrong password does (else the count would tell), and the audit says why.
    rows = await fetch(db, "select detail from auth.audit_log where user_id = :id and action = 'sign_in.failed'",
                       id=pending.id)
    assert [r["detail"]["reason"] for r in rows] == ["email_not_confirmed"]


async def test_the_mailed_token_confirms_the_email_once_and_then_sign_in_works(client, mailbox, db):
    account = await register(client, verify=False)
    token = mailbox.verification_token(account.email)
    assert (await fetch(db, "select email_verified, activated_at from auth.users where id = :id",
                        id=account.id)) == [{"email_verified": False, "activated_at": None}]
    await verify_email(client, token)
    assert (await _login(client, account.email)).status_code == 200
    rows = await fetch(db, "select email_verified, activated_at is not null as active from auth.users where id = :id",
                       id=account.id)
    assert rows == [{"email_verified": True, "active": True}]
    # Single use; and only its hash is stored.
    assert_problem(await client.post(f"{PREFIX}/verify-email", json={"token": token}), 400, "token")
    stored = await fetch(db, "select token_hash from auth.email_verification_tokens where user_id = :id",
                         id=account.id)
    assert stored and all(r["token_hash"] != token and len(r["token_hash"]) == 64 for r in stored)


async def test_garbage_expired_and_missing_tokens_are_refused_naming_the_field(client, mailbox, db):
    assert_problem(await client.post(f"{PREFIX}/verify-email", json={"token": "not-a-token"}), 400, "token")
    assert_problem(await client.post(f"{PREFIX}/verify-email", json={}), 422, "token")
    assert_problem(await client.post(f"{PREFIX}/verify-email", json={"token": ""}), 422, "token")
    assert_problem(await client.post(f"{PREFIX}/verify-email", json={"token": "x" * 513}), 422, "token")
    account = await register(client, verify=False)
    async with db.begin() as connection:
        await connection.execute(text("update auth.email_verification_tokens set expires_at = now() - "
                                      "interval '1 second' where user_id = :id"), {"id": account.id})
    expired = await client.post(f"{PREFIX}/verify-email", json={"token": mailbox.verification_token(account.email)})
    assert_problem(expired, 400, "token")
    assert (await _login(client, account.email)).status_code == 401


async def test_a_new_link_is_mailed_on_request_a_few_times_an_hour_and_the_answer_never_changes(client, mailbox):
    pending = await register(client, verify=False)
    confirmed = await register(client)
    unknown = unique_email("nobody")
    answers = [await _resend(client, email) for email in (pending.email, confirmed.email, unknown)]
    assert {(r.status_code, r.content) for r in answers} == {(202, b"")}
    assert len(mailbox.to(confirmed.email)) == 1 and mailbox.to(unknown) == []  # only the registration's mail
    for _ in range(4):
        assert (await _resend(client, pending.email)).status_code == 202
    mails = [m for m in mailbox.to(pending.email) if m.subject == "Confirm your FitJourney email"]
    assert len(mails) == 1 + 3  # registration's, then RESET_MAIL_RATE (3/hour) resends
    # Any of the links works once; using one voids the others.
    await verify_email(client, mailbox.verification_token(pending.email))
    assert (await _login(client, pending.email)).status_code == 200
    first = token_in(mails[0].body, VERIFICATION_TOKEN)
    assert_problem(await client.post(f"{PREFIX}/verify-email", json={"token": first}), 400, "token")


async def test_a_password_reset_through_the_mailed_link_also_confirms_the_email(client, mailbox, db):
    account = await register(client, password="Attackers-own-42", verify=False)
    assert (await client.post(f"{PREFIX}/password/forgot", json={"email": account.email})).status_code == 202
    reset = await client.post(f"{PREFIX}/password/reset", json={"token": mailbox.reset_token(account.email),
                                                                 "new_password": "Owners-choice-43"})
    assert reset.status_code == 204
    assert (await _login(client, account.email, "Owners-choice-43")).status_code == 200
    assert (await fetch(db, "select email_verified from auth.users where id = :id",
                        id=account.id)) == [{"email_verified": True}]


async def test_registering_an_address_again_before_it_is_confirmed_answers_alike_and_confirms_nothing(client,
                                                                                                      mailbox):
    first = await register(client, verify=False)
    again = await client.post(f"{PREFIX}/register", json={"email": first.email, "password": "Other-horse-44",
                                                          "display_name": "Again"})
    assert again.status_code == 202
    assert mailbox.to(first.email)[-1].subject == "Someone tried to register with your email"
    for password in (PASSWORD, "Other-horse-44"):
        assert (await _login(client, first.email, password)).status_code == 401


async def test_changing_the_email_mails_the_new_address_a_link_and_voids_older_links(client, mailbox, db):
    account = await register(client)
    await login(client, account)
    assert (await client.post(f"{PREFIX}/password/forgot", json={"email": account.email})).status_code == 202
    old_reset = mailbox.reset_token(account.email)
    new_email = unique_email("moved")
    changed = await client.put(f"{PREFIX}/me/email", headers=account.headers,
                               json={"email": new_email, "current_password": PASSWORD})
    assert changed.status_code == 200, changed.text
    # Still signs in (the account was confirmed once); the new address waits for its own link.
    assert (await _login(client, new_email)).status_code == 200
    assert (await fetch(db, "select email_verified from auth.users where id = :id",
                        id=account.id)) == [{"email_verified": False}]
    assert_problem(await client.post(f"{PREFIX}/password/reset", json={"token": old_reset,
                                                                        "new_password": "Someone-else-45"}), 400)
    await verify_email(client, mailbox.verification_token(new_email))
    assert (await fetch(db, "select email_verified from auth.users where id = :id",
                        id=account.id)) == [{"email_verified": True}]

