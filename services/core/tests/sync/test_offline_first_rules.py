"""The offline-first rules, for every resource: a replayed create is applied once, a stale If-Match is a
412 that keeps the newer data, and every delete reaches the sync feed as a tombstone."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from core_resources import CREATABLE, UPDATABLE, Resource


def by_name(kinds: tuple[type[Resource], ...]) -> Any:
    return pytest.mark.parametrize("kind", kinds, ids=[kind.name for kind in kinds])


async def changes_of(client: httpx.AsyncClient, headers: Any, resource_id: str) -> list[dict[str, Any]]:
    feed = await client.get("/api/v1/sync", params={"limit": 1000}, headers=headers)
    assert feed.status_code == 200, feed.text
    return [change for change in feed.json()["changes"] if change["resource_id"] == resource_id]


@by_name(CREATABLE)
async def test_a_replayed_create_answers_the_same_record_and_writes_once(
    client: httpx.AsyncClient, auth_headers: Any, kind: type[Resource],
) -> None:
    resource = kind(client, auth_headers)
    client_id = str(uuid.uuid4())
    first = await resource.create(client_id)
    again = await resource.create(client_id)
    assert (first.status_code, again.status_code) == (201, 200), (first.text, again.text)
    assert again.json() == first.json()
    assert resource.resource_id(first.json()) == client_id
    # One record, one change: the replay wrote nothing.
    assert [c["op"] for c in await changes_of(client, auth_headers, client_id)] == ["upsert"]


@by_name(UPDATABLE)
async def test_a_stale_if_match_is_412_and_the_newer_data_stays(
    client: httpx.AsyncClient, auth_headers: Any, kind: type[Resource],
) -> None:
    resource = kind(client, auth_headers)
    created = (await resource.create()).json()
    seen = created["version"]
    newer = await resource.update(created, 1, version=seen)
    assert newer.status_code == 200, newer.text
    assert newer.json()["version"] == seen + 1 and newer.headers["ETag"] == f'"{seen + 1}"'

    # A client that still holds the old version tries to overwrite: refused, nothing changes.
    stale = await resource.update(created, 2, version=seen)
    assert stale.status_code == 412, stale.text
    assert stale.headers["content-type"].startswith("application/problem+json")
    current = (await resource.read(created)).json()
    assert resource.shows(current, 1) and current["version"] == seen + 1

    if resource.deletable:
        assert (await resource.delete(created, version=seen)).status_code == 412
        assert (await resource.read(created)).status_code == 200
        assert (await resource.delete(created, version=seen + 1)).status_code == 204


@by_name(CREATABLE)
async def test_a_delete_reaches_the_sync_feed_as_a_tombstone(
    client: httpx.AsyncClient, auth_headers: Any, kind: type[Resource],
) -> None:
    resource = kind(client, auth_headers)
    created = (await resource.create()).json()
    assert (await resource.delete(created)).status_code == 204
    assert (await resource.read(created)).status_code == 404

    changes = await changes_of(client, auth_headers, resource.resource_id(created))
    assert [(c["resource"], c["op"]) for c in changes] == [(kind.name, "upsert"), (kind.name, "delete")]
    tombstone = changes[-1]
    assert tombstone["payload"] is None and tombstone["version"] == created["version"] + 1
