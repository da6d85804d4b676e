"""`/api/v1/journal`: one entry per local date written with PUT, text encrypted at rest."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import asyncpg
import httpx
import pytest
from core_helpers import broker_listener

TODAY = datetime.now(UTC).date()
SECRET = "Felt anxious before the race, then ran a personal best"


def url(day: date) -> str:
    return f"/api/v1/journal/{day.isoformat()}"


async def write(client: httpx.AsyncClient, headers, day: date = TODAY - timedelta(days=1), **body) -> httpx.Response:
    body = {"mood": 4, "energy": 3, "text": SECRET, "tags": ["race", "running"]} | body
    return await client.put(url(day), json=body, headers=headers)


async def test_put_creates_then_replaces_the_entry_of_a_date(client: httpx.AsyncClient, auth_headers) -> None:
    created = await write(client, auth_headers)
    assert created.status_code == 201, created.text
    entry = created.json()
    assert (entry["text"], entry["mood"], entry["tags"], entry["version"]) == (SECRET, 4, ["race", "running"], 1)
    assert created.headers["ETag"] == '"1"'
    replaced = await write(client, auth_headers, mood=5, text="Better now", tags=[])
    assert replaced.status_code == 200
    assert replaced.json()["id"] == entry["id"]
    assert (replaced.json()["mood"], replaced.json()["text"], replaced.json()["version"]) == (5, "Better now", 2)
    fetched = (await client.get(url(TODAY - timedelta(days=1)), headers=auth_headers)).json()
    assert fetched == replaced.json()


async def test_put_replaces_the_whole_entry_and_patch_merges(client: httpx.AsyncClient, auth_headers) -> None:
    day = TODAY - timedelta(days=2)
    await write(client, auth_headers, day)
    merged = await client.patch(url(day), json={"mood": 5}, headers=auth_headers)
    assert merged.status_code == 200, merged.text
    assert (merged.json()["mood"], merged.json()["text"], merged.json()["tags"]) == (5, SECRET, ["race", "running"])
    assert merged.headers["ETag"] == '"2"'

    cleared = (await client.patch(url(day), json={"text": None, "energy": None}, headers=auth_headers)).json()
    assert (cleared["text"], cleared["energy"], cleared["mood"]) == ("", None, 5)

    replaced = (await client.put(url(day), json={"mood": 2}, headers=auth_headers)).json()
    assert (replaced["mood"], replaced["text"], replaced["tags"]) == (2, "", [])  # PUT: left out is cleared

    stale = await client.patch(url(day), json={"mood": 1}, headers=auth_headers | {"If-Match": '"1"'})
    assert stale.status_code == 412
    missing = await client.patch(url(day - timedelta(days=30)), json={"mood": 1}, headers=auth_headers)
    assert missing.status_code == 404


async def test_replayed_write_changes_nothing(client: httpx.AsyncClient, auth_headers) -> None:
    client_id = str(uuid.uuid4())
    first = await write(client, auth_headers, id=client_id)
    again = await write(client, auth_headers, id=client_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json() and first.json()["id"] == client_id


async def test_stale_if_match_is_refused(client: httpx.AsyncClient, auth_headers) -> None:
    await write(client, auth_headers)
    updated = await client.put(url(TODAY - timedelta(days=1)), json={"mood": 1, "text": "v2"},
                               headers=auth_headers | {"If-Match": '"1"'})
    assert updated.status_code == 200
    stale = await client.put(url(TODAY - timedelta(days=1)), json={"mood": 5, "text": "v3"},
                             headers=auth_headers | {"If-Match": '"1"'})
    assert stale.status_code == 412
    deleted_stale = await client.delete(url(TODAY - timedelta(days=1)), headers=auth_headers | {"If-Match": '"1"'})
    assert deleted_stale.status_code == 412
    assert (await client.get(url(TODAY - timedelta(days=1)), headers=auth_headers)).json()["text"] == "v2"


async def test_text_is_encrypted_at_rest(client: httpx.AsyncClient, auth_headers, database_url: str) -> None:
    entry = (await write(client, auth_headers)).json()
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        raw = await conn.fetchval("select text_encrypted from core.journal_entries where id = $1",
                                  uuid.UUID(entry["id"]))
        # What a dump of the whole row, the changes feed and the outbox would show for this user.
        dumped = await conn.fetchval(
            "select concat_ws(' ', (select j::text from core.journal_entries j where j.id = $1),"
            " (select string_agg(c.payload::text, ' ') from core.changes c where c.user_id = $2),"
            " (select string_agg(o.payload::text, ' ') from core.outbox o where o.user_id = $2))",
            uuid.UUID(entry["id"]), auth_headers.user_id)
    finally:
        await conn.close()
    assert SECRET.encode() not in raw and b"personal best" not in raw
    assert raw[0] == 1 and len(raw) == 1 + 12 + len(SECRET.encode()) + 16
    assert "personal best" not in dumped and entry["id"] in dumped
    assert (await client.get(url(TODAY - timedelta(days=1)), headers=auth_headers)).json()["text"] == SECRET


async def test_a_ciphertext_copied_to_another_entry_is_not_readable(client: httpx.AsyncClient, auth_headers,
                                                                    database_url: str) -> None:
    await write(client, auth_headers, day=TODAY - timedelta(days=3))
    victim = (await write(client, auth_headers, day=TODAY - timedelta(days=4), text="other")).json()
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(
            "update core.journal_entries set text_encrypted = (select text_encrypted from core.journal_entries"
            " where user_id = $1 and date = $2) where id = $3",
            auth_headers.user_id, TODAY - timedelta(days=3), uuid.UUID(victim["id"]))
    finally:
        await conn.close()
    response = await client.get(url(TODAY - timedelta(days=4)), headers=auth_headers)
    assert response.status_code == 500
    assert SECRET not in response.text


@pytest.mark.parametrize(("field", "body"), [
    ("mood", {"mood": 0}),
    ("mood", {"mood": 6}),
    ("energy", {"energy": 9}),
    ("text", {"text": "x" * 10_001}),
    ("tags", {"tags": [f"t{i}" for i in range(21)]}),
    ("tags.0", {"tags": ["x" * 33]}),
    ("tags.0", {"tags": [""]}),
    ("weather", {"weather": "rain"}),
])
async def test_invalid_entries_name_the_field(client: httpx.AsyncClient, auth_headers, field, body) -> None:
    response = await write(client, auth_headers, **body)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]


async def test_dates_in_the_future_or_malformed_are_refused(client: httpx.AsyncClient, auth_headers) -> None:
    future = await write(client, auth_headers, day=TODAY + timedelta(days=2))
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "date"
    assert (await client.put("/api/v1/journal/2024-02-30", json={"text": "x"}, headers=auth_headers)).status_code == 422
    assert (await write(client, auth_headers, day=date(1969, 12, 31))).status_code == 422


async def test_list_pages_newest_first_within_a_range(client: httpx.AsyncClient, auth_headers) -> None:
    for offset in range(1, 7):
        await write(client, auth_headers, day=TODAY - timedelta(days=offset), text=f"day {offset}")
    params = {"limit": 2, "from": (TODAY - timedelta(days=5)).isoformat(),
              "to": (TODAY - timedelta(days=2)).isoformat()}
    texts: list[str] = []
    while True:
        page = (await client.get("/api/v1/journal", params=params, headers=auth_headers)).json()
        texts += [item["text"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert texts == ["day 2", "day 3", "day 4", "day 5"]


async def test_delete_then_write_again(client: httpx.AsyncClient, auth_headers) -> None:
    entry = (await write(client, auth_headers)).json()
    day_url = url(TODAY - timedelta(days=1))
    assert (await client.delete(day_url, headers=auth_headers)).status_code == 204
    assert (await client.get(day_url, headers=auth_headers)).status_code == 404
    assert (await client.delete(day_url, headers=auth_headers)).status_code == 404
    changes = (await client.get("/api/v1/sync", headers=auth_headers)).json()["changes"]
    mine = [c for c in changes if c["resource_id"] == entry["id"]]
    assert [c["op"] for c in mine] == ["upsert", "delete"]
    assert "text" not in mine[0]["payload"] and mine[0]["payload"]["mood"] == 4
    again = await write(client, auth_headers, text="fresh start")
    assert again.status_code == 201 and again.json()["text"] == "fresh start"


async def test_another_users_entry_is_404(client: httpx.AsyncClient, auth_headers, other_auth_headers) -> None:
    await write(client, auth_headers)
    day_url = url(TODAY - timedelta(days=1))
    assert (await client.get(day_url, headers=other_auth_headers)).status_code == 404
    assert (await client.delete(day_url, headers=other_auth_headers)).status_code == 404
    assert (await client.get("/api/v1/journal", headers=other_auth_headers)).json()["items"] == []
    # Their own write for the same date is their own entry; mine is untouched.
    theirs = await write(client, other_auth_headers, text="someone else")
    assert theirs.status_code == 201
    assert (await client.get(day_url, headers=auth_headers)).json()["text"] == SECRET


async def test_another_users_client_id_is_a_conflict(client: httpx.AsyncClient, auth_headers,
                                                     other_auth_headers) -> None:
    client_id = str(uuid.uuid4())
    assert (await write(client, auth_headers, id=client_id)).status_code == 201
    assert (await write(client, other_auth_headers, id=client_id)).status_code == 409


async def test_writing_publishes_journal_created_without_the_text(client: httpx.AsyncClient, auth_headers,
                                                                  settings, wait_for) -> None:
    async with broker_listener(settings.events_exchange, "journal.created") as listener:
        entry = (await write(client, auth_headers)).json()

        async def mine() -> list[dict]:
            return [e for e in await listener.drain() if e["data"]["entry_id"] == entry["id"]]

        (event,) = await wait_for(mine)
    day = (TODAY - timedelta(days=1)).isoformat()
    assert event["data"] == {"entry_id": entry["id"], "user_id": str(auth_headers.user_id), "version": 1,
                             "dates": [day], "after": {"date": day, "mood": 4, "energy": 3,
                                                       "tags": ["race", "running"]}}
    assert SECRET not in json.dumps(event)
