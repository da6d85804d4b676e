"""Bulk benchmark accounts (`seed_accounts`): they sign in with the shared password, announce themselves,
and a taken email leaves nothing behind."""

from __future__ import annotations

import pytest
from auth_helpers import PASSWORD, PREFIX, fetch, unique_email
from sqlalchemy.exc import IntegrityError

from fitjourney_auth.cli import seed_accounts


async def test_seeded_accounts_sign_in_and_are_announced(client, app, db):
    emails = [unique_email("seeded") for _ in range(3)]
    ids = await seed_accounts(app.state.runtime.settings, emails, PASSWORD)

    answer = await client.post(f"{PREFIX}/login", json={"email": emails[2], "password": PASSWORD})
    assert answer.status_code == 200
    me = await client.get(f"{PREFIX}/me", headers={"authorization": f"Bearer {answer.json()['access_token']}"})
    assert me.json()["id"] == str(ids[2]) and me.json()["roles"] == ["user"]
    events = await fetch(db, "select user_id from auth.outbox_messages where type = 'user.registered' "
                             "and user_id = any(:ids)", ids=ids)
    assert {row["user_id"] for row in events} == set(ids)


async def test_a_taken_email_fails_the_whole_batch(app, db):
    taken = unique_email("taken")
    await seed_accounts(app.state.runtime.settings, [taken], PASSWORD)
    fresh = unique_email("fresh")
    with pytest.raises(IntegrityError):
        await seed_accounts(app.state.runtime.settings, [fresh, taken], PASSWORD)
    assert await fetch(db, "select id from auth.users where email_normalized = :email", email=fresh) == []
