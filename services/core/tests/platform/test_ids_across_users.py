"""A client id is one record's, whoever sends it: on the time-partitioned tables (body metrics, food
logs), another user's id with another timestamp is a 409, not a second row sharing the id."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from core_helpers import body_metric_body

from fitjourney_core.foods.catalogue import sr28_id

API = "/api/v1"
EARLIER = (datetime.now(UTC) - timedelta(days=40)).replace(microsecond=0)


def _body_metric(record_id: str, when: datetime) -> dict[str, Any]:
    return body_metric_body(id=record_id, measured_at=when.isoformat())


def _food_log(record_id: str, when: datetime) -> dict[str, Any]:
    return {"id": record_id, "food_id": str(sr28_id("09040")), "grams": 100, "meal": "lunch",
            "eaten_at": when.isoformat()}


@pytest.mark.parametrize("path, body", [("/body-metrics", _body_metric), ("/food-logs", _food_log)],
                         ids=["body_metric", "food_log"])
async def test_another_users_id_is_a_409_at_any_time(
    client: httpx.AsyncClient, auth_headers: Any, other_auth_headers: Any, path: str, body: Any,
) -> None:
    record_id = str(uuid.uuid4())
    mine = await client.post(f"{API}{path}", json=body(record_id, datetime.now(UTC) - timedelta(hours=1)),
                             headers=auth_headers)
    assert mine.status_code == 201, mine.text

    theirs = await client.post(f"{API}{path}", json=body(record_id, EARLIER), headers=other_auth_headers)
    assert theirs.status_code == 409, theirs.text
    assert theirs.headers["content-type"].startswith("application/problem+json")

    assert (await client.get(f"{API}{path}/{record_id}", headers=auth_headers)).status_code == 200
    assert (await client.get(f"{API}{path}/{record_id}", headers=other_auth_headers)).status_code == 404
    # The owner's replay of the same create is still a harmless 200.
    replay = await client.post(f"{API}{path}", json=body(record_id, datetime.now(UTC) - timedelta(hours=1)),
                               headers=auth_headers)
    assert replay.status_code in (200, 201) and replay.json()["id"] == record_id
