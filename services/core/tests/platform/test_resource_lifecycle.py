"""Every create, update and delete of every user-owned resource goes through the one write path: its
`<resource>.created|updated|deleted` event reaches RabbitMQ (from the outbox), the sync feed records it,
and the cached summaries of the days it touches are dropped. The cases come from core's own list of
resource kinds, so a new resource is covered (or this test fails) without anyone remembering."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from core_helpers import broker_listener
from core_resources import DRIVERS, PhotoJob, Resource
from fastapi import FastAPI

from fitjourney_core.db import UserOwnedMixin
from fitjourney_core.models import Base
from fitjourney_core.resources import RESOURCE_KINDS
from fitjourney_core.writes.service import ResourceKind
from fitjourney_core.writes.summary_cache import NAMESPACE, daily_key

# User-owned tables that are no resource of the user's making, and why.
NOT_RESOURCES = {"exports": "a data export's bookkeeping, announced by export.ready"}
KINDS = {kind.name: kind for kind in RESOURCE_KINDS}
CASES = [(kind.name, op) for kind in RESOURCE_KINDS for op in kind.events]


def test_every_user_owned_table_is_a_resource_kind_with_a_driver() -> None:
    owned = {mapper.class_.__tablename__ for mapper in Base.registry.mappers
             if issubclass(mapper.class_, UserOwnedMixin)}
    assert owned - set(NOT_RESOURCES) == {kind.model.__tablename__ for kind in RESOURCE_KINDS}
    assert set(KINDS) <= set(DRIVERS), "add a driver for the new resource to core_resources.py"
    for kind in RESOURCE_KINDS:
        assert {"created", "updated"} <= set(kind.events), kind.name
        assert ("deleted" in kind.events) == DRIVERS[kind.name].deletable, kind.name


def _driver(kind: ResourceKind, client: httpx.AsyncClient, headers: Any, exchange: str) -> Resource:
    driver = DRIVERS[kind.name]
    return driver(client, headers, exchange) if driver is PhotoJob else driver(client, headers)  # type: ignore[call-arg]


def _days(kind: ResourceKind, record: dict[str, Any]) -> list[str]:
    """The local dates the record sits on; the test user has no time zone of their own: UTC."""
    if kind.day_field is None:
        return []
    value = record[kind.day_field]
    return [value[:10]]


# The days the drivers' records sit on (within the last two days), and days no record touches.
def _days_to_cache() -> list[str]:
    return [(datetime.now(UTC) - timedelta(days=back)).date().isoformat() for back in (0, 1, 2, 5, 7)]


def _key(headers: Any, day: str) -> str:
    return f"{NAMESPACE}:{daily_key(headers.user_id, date.fromisoformat(day))}"


async def _cache_days(app: FastAPI, client: httpx.AsyncClient, headers: Any, cached_days: list[str]) -> None:
    """Read (and so cache) the summary of each of `cached_days`."""
    for day in cached_days:
        response = await client.get("/api/v1/summary/daily", params={"date": day}, headers=headers)
        assert response.status_code == 200, response.text
    assert await app.state.runtime.redis.exists(*(_key(headers, day) for day in cached_days)) == len(cached_days)


async def _feed_entry(client: httpx.AsyncClient, headers: Any, resource: str, resource_id: str) -> dict[str, Any]:
    feed = (await client.get("/api/v1/sync", params={"limit": 500}, headers=headers)).json()["changes"]
    mine = [change for change in feed if change["resource"] == resource and change["resource_id"] == resource_id]
    assert mine, f"no {resource} change in the sync feed"
    return mine[-1]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("name", "op"), CASES, ids=[f"{name}.{op}" for name, op in CASES])
async def test_each_write_emits_its_event_feeds_sync_and_drops_its_days(
    name: str, op: str, app: FastAPI, client: httpx.AsyncClient, auth_headers, settings, wait_for,
) -> None:
    kind = KINDS[name]
    driver = _driver(kind, client, auth_headers, settings.events_exchange)
    event_type = kind.event_type(op)  # type: ignore[arg-type]
    cached_days = _days_to_cache()  # days the write touches (the last two) and days it does not
    async with broker_listener(settings.events_exchange, event_type) as listener:
        await driver.prepare()
        if op == "created":
            await _cache_days(app, client, auth_headers, cached_days)
        created_response = await driver.create()
        assert created_response.status_code in (200, 201, 202), created_response.text
        created = created_response.json()
        record_id = driver.resource_id(created)
        days = _days(kind, created)
        assert set(days) <= set(cached_days)
        if op != "created":
            await _cache_days(app, client, auth_headers, cached_days)

        if op == "updated":
            version = (await driver.read(created)).json().get("version")
            response = await driver.update(created, 1, version)
            assert response.status_code in (200, 201, 202), response.text
        elif op == "deleted":
            response = await driver.delete(created)
            assert response.status_code == 204, response.text

        async def mine() -> list[dict[str, Any]]:
            return [event for event in await listener.drain()
                    if event["type"] == event_type and event["data"].get(kind.id_field) == record_id]

        (event,) = await wait_for(mine)

    data = event["data"]
    assert event["user_id"] == str(auth_headers.user_id) and data["user_id"] == str(auth_headers.user_id)
    assert data["dates"] == days
    assert ("before" in data) == (op != "created") and ("after" in data) == (op != "deleted")
    if op == "updated":
        assert data["version"] > 1
    change = await _feed_entry(client, auth_headers, kind.name, record_id)
    assert change["version"] == data["version"]
    assert change["op"] == ("delete" if op == "deleted" else "upsert")

    # A request's after-commit steps ran before its response; the photo job's update drops no day.
    still_cached = [day for day in cached_days if await app.state.runtime.redis.exists(_key(auth_headers, day))]
    dropped = {"every_day": cached_days, "days": days, "nothing": []}[kind.invalidates]
    assert kind.invalidates != "days" or days, f"{kind.name} invalidates days but names none"
    assert still_cached == [day for day in cached_days if day not in dropped]
