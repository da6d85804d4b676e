"""Body metrics over HTTP: record, list by date range, read, correct, delete, ownership, replays."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from core_helpers import body_metric_body, broker_listener, iso


async def test_record_read_and_list_by_range(client: httpx.AsyncClient, auth_headers) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    ids = []
    for days_ago, weight in ((20, 80.0), (10, 79.0), (1, 78.2)):
        response = await client.post("/api/v1/body-metrics", headers=auth_headers, json=body_metric_body(
            measured_at=iso(now - timedelta(days=days_ago)), weight_kg=weight, waist_cm=90, resting_hr=55))
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])

    one = (await client.get(f"/api/v1/body-metrics/{ids[1]}", headers=auth_headers)).json()
    assert one["weight_kg"] == 79.0 and one["waist_cm"] == 90 and one["resting_hr"] == 55

    everything = (await client.get("/api/v1/body-metrics", headers=auth_headers)).json()
    assert [m["id"] for m in everything["items"]] == list(reversed(ids))
    window = (await client.get("/api/v1/body-metrics", headers=auth_headers, params={
        "from": (now - timedelta(days=15)).date().isoformat(), "to": (now - timedelta(days=5)).date().isoformat(),
    })).json()
    assert [m["id"] for m in window["items"]] == [ids[1]]

    profile = (await client.get("/api/v1/profile", headers=auth_headers)).json()
    assert profile["latest_weight_kg"] == 78.2


async def test_correct_and_delete_with_if_match(client: httpx.AsyncClient, auth_headers) -> None:
    metric = (await client.post("/api/v1/body-metrics", json=body_metric_body(), headers=auth_headers)).json()
    url = f"/api/v1/body-metrics/{metric['id']}"
    fixed = await client.patch(url, json={"weight_kg": 71.9}, headers={**auth_headers, "If-Match": '"1"'})
    assert fixed.status_code == 200 and fixed.json()["weight_kg"] == 71.9 and fixed.json()["version"] == 2
    assert (await client.delete(url, headers={**auth_headers, "If-Match": '"1"'})).status_code == 412
    assert (await client.delete(url, headers={**auth_headers, "If-Match": '"2"'})).status_code == 204
    assert (await client.get(url, headers=auth_headers)).status_code == 404


async def test_moving_a_measurement_to_another_month(client: httpx.AsyncClient, auth_headers) -> None:
    metric = (await client.post("/api/v1/body-metrics", json=body_metric_body(), headers=auth_headers)).json()
    earlier = iso(datetime.now(UTC).replace(microsecond=0) - timedelta(days=70))
    moved = await client.patch(f"/api/v1/body-metrics/{metric['id']}", json={"measured_at": earlier},
                               headers=auth_headers)
    assert moved.status_code == 200, moved.text
    fetched = (await client.get(f"/api/v1/body-metrics/{metric['id']}", headers=auth_headers)).json()
    assert fetched["measured_at"] == earlier


async def test_another_users_metric_is_404_on_read_update_delete(
    client: httpx.AsyncClient, auth_headers, other_auth_headers,
) -> None:
    metric = (await client.post("/api/v1/body-metrics", json=body_metric_body(), headers=auth_headers)).json()
    url = f"/api/v1/body-metrics/{metric['id']}"
    assert (await client.get(url, headers=other_auth_headers)).status_code == 404
    assert (await client.patch(url, json={"weight_kg": 50}, headers=other_auth_headers)).status_code == 404
    assert (await client.delete(url, headers=other_auth_headers)).status_code == 404
    assert (await client.get(url, headers=auth_headers)).json()["weight_kg"] == 72.5


async def test_replayed_record_creates_one_row(client: httpx.AsyncClient, auth_headers) -> None:
    body = body_metric_body(id=str(uuid.uuid4()))
    first = await client.post("/api/v1/body-metrics", json=body, headers=auth_headers)
    again = await client.post("/api/v1/body-metrics", json=body, headers=auth_headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert len((await client.get("/api/v1/body-metrics", headers=auth_headers)).json()["items"]) == 1


async def test_values_are_validated(client: httpx.AsyncClient, auth_headers) -> None:
    for field, body in {
        "weight_kg": body_metric_body(weight_kg=-3),
        "body_fat_pct": body_metric_body(body_fat_pct=120),
        "resting_hr": body_metric_body(resting_hr=0),
        "measured_at": body_metric_body(measured_at="1850-01-01T00:00:00Z"),
    }.items():
        response = await client.post("/api/v1/body-metrics", json=body, headers=auth_headers)
        assert response.status_code == 422, response.text
        assert field in {e["field"] for e in response.json()["errors"]}
    empty = await client.post("/api/v1/body-metrics", headers=auth_headers,
                              json={"measured_at": body_metric_body()["measured_at"]})
    assert empty.status_code == 422


async def test_recording_emits_body_metric_created_on_the_wire(
    client: httpx.AsyncClient, auth_headers, settings, wait_for,
) -> None:
    async with broker_listener(settings.events_exchange, "body_metric.created") as listener:
        metric = (await client.post("/api/v1/body-metrics", json=body_metric_body(weight_kg=68.4),
                                    headers=auth_headers)).json()

        async def mine() -> list[dict]:
            return [e for e in await listener.drain() if e["data"]["metric_id"] == metric["id"]]

        (event,) = await wait_for(mine)
    assert event["user_id"] == str(auth_headers.user_id)
    after = event["data"]["after"]
    assert after["weight_kg"] == 68.4 and after["measured_at"] == metric["measured_at"]
    assert event["data"]["version"] == 1 and "before" not in event["data"]


async def test_list_pages_newest_first(client: httpx.AsyncClient, auth_headers) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    for days_ago in range(5):
        await client.post("/api/v1/body-metrics", headers=auth_headers,
                          json=body_metric_body(measured_at=iso(now - timedelta(days=days_ago))))
    seen: list[str] = []
    params: dict[str, object] = {"limit": 2}
    while True:
        page = (await client.get("/api/v1/body-metrics", params=params, headers=auth_headers)).json()
        seen += [item["measured_at"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert len(seen) == 5 and seen == sorted(seen, reverse=True)
