"""Erasing the account is irreversible, so a valid access token is not enough: its sign-in (`auth_time`)
must be within the last 5 minutes, or the answer is a 403 the client can act on and nothing is erased."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from core_helpers import workout_body

API = "/api/v1"
CONFIRM = {"confirm": "DELETE"}


@pytest.mark.parametrize("signed_in_ago", [6 * 60, None], ids=["six_minutes_ago", "no_auth_time"])
async def test_an_old_sign_in_is_asked_to_reauthenticate_and_nothing_is_erased(
    client: httpx.AsyncClient, make_token: Any, signed_in_ago: int | None,
) -> None:
    user_id, token = make_token(signed_in_ago=signed_in_ago)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.post(f"{API}/workouts", json=workout_body(), headers=headers)).status_code == 201

    refused = await client.request("DELETE", f"{API}/me", json=CONFIRM, headers=headers)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["type"] == "https://fitjourney.dev/problems/reauthentication-required"
    assert "/api/v1/auth/reauthenticate" in problem["detail"]

    workouts = await client.get(f"{API}/workouts", headers=headers)
    assert workouts.status_code == 200 and len(workouts.json()["items"]) == 1

    # The same user, just re-authenticated (a token with a fresh auth_time), may erase.
    _, fresh = make_token(user_id=user_id, signed_in_ago=30)
    erased = await client.request("DELETE", f"{API}/me", json=CONFIRM, headers={"Authorization": f"Bearer {fresh}"})
    assert erased.status_code == 202, erased.text


async def test_the_403_is_documented_with_its_type(client: httpx.AsyncClient) -> None:
    operation = (await client.get("/openapi.json")).json()["paths"]["/api/v1/me"]["delete"]
    example = operation["responses"]["403"]["content"]["application/problem+json"]["example"]
    assert example["type"].endswith("/reauthentication-required")
