"""`user.registered` from auth, arriving on the real broker, starts the profile with the registered name."""

from __future__ import annotations

import httpx
from core_helpers import event_processed, publish_event
from fastapi import FastAPI

from fitjourney_common.events.envelope import new_event
from fitjourney_core.settings import CoreSettings


async def test_registration_names_the_profile(
    client: httpx.AsyncClient, settings: CoreSettings, auth_headers, wait_for, app: FastAPI,
) -> None:
    registered = new_event("user.registered", {"user_id": str(auth_headers.user_id), "email": "ada@example.com",
                                               "display_name": "Ada Lovelace"})
    await publish_event(settings.events_exchange, registered)

    async def named() -> bool:
        profile = (await client.get("/api/v1/profile", headers=auth_headers)).json()
        return profile["display_name"] == "Ada Lovelace"

    await wait_for(named)
    # Redelivery (or a late duplicate) never overwrites a name the user chose since.
    assert (await client.put("/api/v1/profile", json={"display_name": "Ada"}, headers=auth_headers)).status_code == 200
    late = new_event("user.registered", {"user_id": str(auth_headers.user_id), "email": "ada@example.com",
                                         "display_name": "Someone Else"})
    await publish_event(settings.events_exchange, late)
    await wait_for(lambda: event_processed(app, late.id))
    profile = (await client.get("/api/v1/profile", headers=auth_headers)).json()
    assert profile["display_name"] == "Ada"
