"""The profile: created on first read, merged on PUT, targets from Mifflin-St Jeor, imperial units."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest
from core_helpers import body_metric_body


def birth_date_for_age(age: int) -> str:
    """Born on 1 January: exactly `age` years old on any day of this year."""
    return date(datetime.now(UTC).year - age, 1, 1).isoformat()


async def test_first_read_creates_a_default_profile(client: httpx.AsyncClient, auth_headers) -> None:
    response = await client.get("/api/v1/profile", headers=auth_headers)
    assert response.status_code == 200
    profile = response.json()
    assert profile["user_id"] == str(auth_headers.user_id)
    assert (profile["units"], profile["goal"], profile["activity_level"], profile["time_zone"]) == (
        "metric", "maintain", "sedentary", "UTC")
    assert profile["targets"]["kcal"] is None and "sex" in profile["targets"]["missing"]
    assert profile["bmi"] is None and profile["latest_weight_kg"] is None
    assert (await client.get("/api/v1/profile", headers=auth_headers)).json()["version"] == profile["version"]


async def test_targets_follow_mifflin_st_jeor_with_activity_and_bmi(client: httpx.AsyncClient, auth_headers) -> None:
    await client.post("/api/v1/body-metrics", json=body_metric_body(weight_kg=80), headers=auth_headers)
    response = await client.put("/api/v1/profile", headers=auth_headers, json={
        "display_name": "Sam", "birth_date": birth_date_for_age(30), "sex": "male", "height_cm": 180,
        "activity_level": "moderate", "goal": "maintain", "time_zone": "Europe/Paris",
    })
    assert response.status_code == 200, response.text
    profile = response.json()
    # BMR = 10·80 + 6.25·180 - 5·30 + 5 = 1780; x 1.55 = 2759 kcal.
    assert profile["targets"]["kcal"] == 2759
    assert profile["targets"]["protein_g"] == 144.0  # 1.8 g/kg
    assert profile["targets"]["fat_g"] == pytest.approx(2759 * 0.25 / 9, abs=0.1)
    assert profile["targets"]["carbs_g"] == pytest.approx((2759 - 144 * 4 - 2759 * 0.25) / 4, abs=0.1)
    assert profile["bmi"] == 24.7 and profile["latest_weight_kg"] == 80
    assert profile["time_zone"] == "Europe/Paris" and profile["age"] == 30

    gaining = (await client.patch("/api/v1/profile", headers=auth_headers,
                                  json={"goal": "gain", "weekly_rate_kg": 0.25})).json()
    assert gaining["targets"]["kcal"] == 2759 + 275  # 0.25 kg x 7700 kcal / 7 days
    assert gaining["display_name"] == "Sam"  # PATCH merges: fields not sent are kept


async def test_put_replaces_the_profile_and_patch_merges_into_it(client: httpx.AsyncClient, auth_headers) -> None:
    full = {"display_name": "Kim", "birth_date": birth_date_for_age(40), "sex": "female", "height_cm": 170,
            "activity_level": "active", "goal": "lose", "weekly_rate_kg": 0.5, "time_zone": "Europe/Paris"}
    assert (await client.put("/api/v1/profile", json=full, headers=auth_headers)).status_code == 200

    merged = await client.patch("/api/v1/profile", json={"goal": "maintain", "weekly_rate_kg": None},
                                headers=auth_headers)
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert (body["goal"], body["weekly_rate_kg"], body["display_name"], body["height_cm"]) == (
        "maintain", None, "Kim", 170)  # null cleared one field, the others stayed

    replaced = (await client.put("/api/v1/profile", json={"height_cm": 171}, headers=auth_headers)).json()
    # Everything left out of a PUT is back to a new profile's value.
    assert replaced["height_cm"] == 171
    assert (replaced["display_name"], replaced["sex"], replaced["birth_date"]) == (None, None, None)
    assert (replaced["activity_level"], replaced["goal"], replaced["time_zone"]) == ("sedentary", "maintain", "UTC")

    version = replaced["version"]
    again = (await client.put("/api/v1/profile", json={"height_cm": 171}, headers=auth_headers)).json()
    assert again["version"] == version  # the same PUT again changes nothing


async def test_losing_weight_never_goes_below_the_floor(client: httpx.AsyncClient, auth_headers) -> None:
    await client.post("/api/v1/body-metrics", json=body_metric_body(weight_kg=55), headers=auth_headers)
    profile = (await client.put("/api/v1/profile", headers=auth_headers, json={
        "birth_date": birth_date_for_age(45), "sex": "female", "height_cm": 158, "activity_level": "sedentary",
        "goal": "lose", "weekly_rate_kg": 1.0,
    })).json()
    assert profile["targets"]["kcal"] == 1200


async def test_imperial_input_is_stored_metric_and_shown_imperial(client: httpx.AsyncClient, auth_headers) -> None:
    await client.post("/api/v1/body-metrics", json=body_metric_body(weight_kg=81.65), headers=auth_headers)
    response = await client.put("/api/v1/profile", headers=auth_headers, json={
        "units": "imperial", "height_in": 70, "target_weight_lb": 165, "weekly_rate_lb": 1,
    })
    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile["height_cm"] == 177.8
    assert profile["target_weight_kg"] == pytest.approx(74.84, abs=0.01)
    assert profile["weekly_rate_kg"] == pytest.approx(0.45, abs=0.01)
    assert profile["imperial"] == {"height_in": 70.0, "target_weight_lb": 165.0, "weekly_rate_lb": 1.0,
                                   "latest_weight_lb": 180.0}


async def test_stale_if_match_is_412(client: httpx.AsyncClient, auth_headers) -> None:
    version = (await client.get("/api/v1/profile", headers=auth_headers)).json()["version"]
    ok = await client.put("/api/v1/profile", json={"display_name": "A"},
                          headers={**auth_headers, "If-Match": f'"{version}"'})
    assert ok.status_code == 200
    stale = await client.put("/api/v1/profile", json={"display_name": "B"},
                             headers={**auth_headers, "If-Match": f'"{version}"'})
    assert stale.status_code == 412
    assert (await client.get("/api/v1/profile", headers=auth_headers)).json()["display_name"] == "A"


@pytest.mark.parametrize(("body", "field"), [
    ({"birth_date": "2020-01-01"}, "birth_date"),
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
    ({"height_cm": 20}, "height_cm"),
    ({"sex": "robot"}, "sex"),
    ({"weekly_rate_kg": 3}, "weekly_rate_kg"),
    ({"display_name": "x" * 101}, "display_name"),
    ({"goal": None}, "goal"),
])
async def test_invalid_profile_values_are_422_naming_the_field(
    client: httpx.AsyncClient, auth_headers, body: dict, field: str,
) -> None:
    response = await client.put("/api/v1/profile", json=body, headers=auth_headers)
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_metric_and_imperial_for_one_quantity_is_refused(client: httpx.AsyncClient, auth_headers) -> None:
    response = await client.put("/api/v1/profile", json={"height_cm": 180, "height_in": 70}, headers=auth_headers)
    assert response.status_code == 422
