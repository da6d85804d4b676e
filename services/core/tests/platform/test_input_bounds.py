"""Query parameters at the edges of the calendar and of integers: a 422 naming the parameter, or a plain
answer, never a 500 (each case below used to overflow somewhere between the request and the database)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from core_helpers import workout_body

from fitjourney_common.db.pagination import encode_cursor

TIME_ORDERED_LISTS = ("/api/v1/workouts", "/api/v1/food-logs", "/api/v1/body-metrics", "/api/v1/habits")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1969-12-31"])
async def test_a_food_log_day_out_of_range_is_422(client: httpx.AsyncClient, auth_headers: Any, day: str) -> None:
    response = await client.get("/api/v1/food-logs", params={"date": day}, headers=auth_headers)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["date"]


@pytest.mark.parametrize("path", TIME_ORDERED_LISTS)
@pytest.mark.parametrize(("name", "value"), [("from", "0001-01-01T00:00:00+14:00"),
                                             ("to", "9999-12-31T23:59:59-12:00")])
async def test_bounds_at_the_calendars_edge_are_422_naming_the_parameter(
    client: httpx.AsyncClient, auth_headers: Any, path: str, name: str, value: str,
) -> None:
    # In UTC these fall before year 1 and after year 9999.
    response = await client.get(path, params={name: value}, headers=auth_headers)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [name]


@pytest.mark.parametrize("path", TIME_ORDERED_LISTS)
async def test_a_forged_cursor_is_422(client: httpx.AsyncClient, auth_headers: Any, path: str) -> None:
    for key in ("0001-01-01T00:00:00+14:00", "not a time"):
        response = await client.get(path, params={"cursor": encode_cursor(key, uuid.uuid4())}, headers=auth_headers)
        assert response.status_code == 422, (key, response.text)
        assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("since", ["9999999999999999999", "²", "-1", "1.5"])
async def test_a_sync_cursor_we_never_issued_is_422(client: httpx.AsyncClient, auth_headers: Any, since: str) -> None:
    response = await client.get("/api/v1/sync", params={"since": since}, headers=auth_headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "since"


async def test_an_oversized_body_on_delete_me_is_a_413_and_erases_nothing(
    client: httpx.AsyncClient, auth_headers: Any,
) -> None:
    assert (await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)).status_code == 201
    oversized = b'{"confirm": "DELETE", "padding": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = await client.request("DELETE", "/api/v1/me", content=oversized,
                                    headers={**auth_headers, "content-type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    workouts = await client.get("/api/v1/workouts", headers=auth_headers)
    assert workouts.status_code == 200 and len(workouts.json()["items"]) == 1
