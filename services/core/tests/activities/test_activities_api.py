"""The activity catalogue: enough activities, MET values from the Compendium, codes workouts accept."""

from __future__ import annotations

import httpx


async def test_catalogue_lists_activities_with_met_values(client: httpx.AsyncClient, auth_headers) -> None:
    response = await client.get("/api/v1/activities", headers=auth_headers)
    assert response.status_code == 200
    body = response.json()
    assert "Compendium of Physical Activities" in body["source"]
    items = {a["code"]: a for a in body["items"]}
    assert len(items) >= 30
    for code in ("running", "running_8kmh", "running_10kmh", "running_12kmh", "running_14kmh", "cycling_leisure",
                 "cycling_moderate", "cycling_vigorous", "swimming", "walking_slow", "walking_brisk",
                 "strength_training", "yoga", "hiit", "rowing", "elliptical", "hiking", "dancing", "tennis",
                 "football", "basketball"):
        assert code in items, code
    assert items["running_8kmh"]["met"] == 8.3
    assert items["running_8kmh"]["met"] < items["running_12kmh"]["met"] < items["running_14kmh"]["met"]
    assert items["walking_slow"]["met"] < items["walking_brisk"]["met"]
    assert all(0.9 < a["met"] < 25 for a in items.values())


async def test_catalogue_filters_by_category_and_needs_a_token(client: httpx.AsyncClient, auth_headers) -> None:
    swimming = (await client.get("/api/v1/activities", params={"category": "swimming"}, headers=auth_headers)).json()
    assert swimming["items"] and {a["category"] for a in swimming["items"]} == {"swimming"}
    assert (await client.get("/api/v1/activities")).status_code == 401
