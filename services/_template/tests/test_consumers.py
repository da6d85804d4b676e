"""`user.deleted` (account erasure) removes the user's notes and no one else's."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from fitjourney_common.events.envelope import new_event
from fitjourney_common.testing.tokens import TestSigner


async def test_user_deleted_erases_that_users_notes_only(client: httpx.AsyncClient, app: FastAPI,
                                                         signer: TestSigner) -> None:
    erased, token = signer.token()
    kept = signer.headers()
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.post("/api/v1/skeleton/notes", json={"text": "mine"}, headers=headers)).status_code == 201
    assert (await client.post("/api/v1/skeleton/notes", json={"text": "theirs"}, headers=kept)).status_code == 201

    event = new_event("user.deleted", {"user_id": erased})
    await app.state.runtime.bus.publish_one(event)
    await app.state.runtime.bus.drain()  # the in-process bus: wait until its handlers ran

    assert (await client.get("/api/v1/skeleton/notes", headers=headers)).json()["items"] == []
    assert [n["text"] for n in (await client.get("/api/v1/skeleton/notes", headers=kept)).json()["items"]] == [
        "theirs"]
    # A redelivery changes nothing (the inbox remembers the event).
    await app.state.runtime.bus.publish_one(event)
    await asyncio.wait_for(app.state.runtime.bus.drain(), 5)
    assert len((await client.get("/api/v1/skeleton/notes", headers=kept)).json()["items"]) == 1
