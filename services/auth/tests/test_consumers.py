"""`user.deleted` from core erases the account's credentials, identities and sessions, once per event."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import aio_pika
from auth_helpers import GOOGLE_CLIENT_ID, PASSWORD, PREFIX, assert_problem, fetch, signed_in, unique_email


async def _publish_user_deleted(broker, exchange: str, user_id: str, event_id: uuid.UUID) -> None:
    envelope = {"id": str(event_id), "type": "user.deleted", "version": 1,
                "occurred_at": datetime.now(UTC).isoformat(), "user_id": user_id, "data": {"user_id": user_id}}
    target = await broker.get_exchange(exchange)
    await target.publish(aio_pika.Message(json.dumps(envelope).encode(), content_type="application/json",
                                          message_id=str(event_id)), routing_key="user.deleted")


async def _wait_until(check, within: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_user_deleted_erases_credentials_identities_and_sessions(client, app, db, broker, exchange,
                                                                        oauth_provider):
    email = unique_email("erased")
    token = oauth_provider.id_token("google", aud=GOOGLE_CLIENT_ID, email=email)
    signed = (await client.post(f"{PREFIX}/oauth/google", json={"id_token": token})).json()
    me = await client.get(f"{PREFIX}/me", headers={"Authorization": f"Bearer {signed['access_token']}"})
    user_id = me.json()["id"]
    password_user = await signed_in(client)

    event_id = uuid.uuid4()
    for target in (user_id, password_user.id):
        await _publish_user_deleted(broker, exchange, target, event_id if target == user_id else uuid.uuid4())

    async def gone() -> bool:
        rows = await fetch(db, "select id from auth.users where id in (:a, :b)", a=user_id, b=password_user.id)
        return rows == []

    await _wait_until(gone)
    # The audit trail stays, without the person: no email, address or user agent of the erased accounts.
    kept = await fetch(db, "select action, email, ip, user_agent from auth.audit_log where user_id = :id order by id",
                       id=password_user.id)
    assert [r["action"] for r in kept][:3] == ["account.registered", "email.verified", "sign_in.succeeded"]
    assert all(r["email"] is None and r["ip"] is None and r["user_agent"] is None for r in kept)
    assert await fetch(db, "select id from auth.audit_log where email in (:a, :b)",
                       a=email, b=password_user.email.lower()) == []
    for table in ("identities", "sessions", "refresh_tokens"):
        assert await fetch(db, f"select * from auth.{table} where user_id in (:a, :b)",
                           a=user_id, b=password_user.id) == []
    assert_problem(await client.post(f"{PREFIX}/refresh", json={"refresh_token": signed["refresh_token"]}), 401)
    assert_problem(await client.post(f"{PREFIX}/login", json={"email": password_user.email, "password": PASSWORD}),
                   401)
    assert_problem(await client.get(f"{PREFIX}/me", headers=password_user.headers), 401)

    # A redelivery of the same event is recorded once and changes nothing.
    await _publish_user_deleted(broker, exchange, user_id, event_id)

    async def processed_once() -> bool:
        rows = await fetch(db, "select count(*) as n from auth.processed_events where event_id = :id", id=event_id)
        return rows[0]["n"] == 1

    await _wait_until(processed_once)
    await asyncio.sleep(0.5)
    assert await processed_once()
    audit = await fetch(db, "select detail from auth.audit_log where user_id = :id and action = 'account.deleted'",
                        id=user_id)
    assert len(audit) == 1 and audit[0]["detail"]["found"] is True
    assert await app.state.runtime.bus.dead_letter_count(f"{exchange}.auth.events") == 0
