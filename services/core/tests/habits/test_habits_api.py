"""`/api/v1/habits` and check-ins: validation, one check-in per date, streaks in the user's zone."""

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import time_machine
from core_helpers import broker_listener

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def local_today(zone: str = "UTC") -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(zone)).date()


async def new_habit(client: httpx.AsyncClient, headers, **body) -> dict:
    response = await client.post("/api/v1/habits", json={"name": "Drink water"} | body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def check_in(client: httpx.AsyncClient, headers, habit_id: str, day: date, count: int = 1,
                   **body) -> httpx.Response:
    return await client.post(f"/api/v1/habits/{habit_id}/check-ins",
                             json={"date": day.isoformat(), "count": count} | body, headers=headers)


async def test_create_and_read_a_habit(client: httpx.AsyncClient, auth_headers) -> None:
    habit = await new_habit(client, auth_headers, schedule=["fri", "mon"], target_count=2)
    assert habit["schedule"] == ["mon", "fri"] and habit["target_count"] == 2
    assert (habit["current_streak"], habit["longest_streak"], habit["done_today"]) == (0, 0, False)
    fetched = await client.get(f"/api/v1/habits/{habit['id']}", headers=auth_headers)
    assert fetched.json() == habit and fetched.headers["ETag"] == '"1"'
    listed = (await client.get("/api/v1/habits", headers=auth_headers)).json()
    assert [item["id"] for item in listed["items"]] == [habit["id"]]


@pytest.mark.parametrize(("field", "body"), [
    ("name", {"name": ""}),
    ("name", {"name": "x" * 101}),
    ("schedule", {"schedule": "weekly"}),
    ("schedule", {"schedule": []}),
    ("schedule", {"schedule": ["mon", "mon"]}),
    ("schedule", {"schedule": ["funday"]}),
    ("target_count", {"target_count": 0}),
    ("target_count", {"target_count": 101}),
    ("colour", {"colour": "red"}),
])
async def test_invalid_habits_name_the_field(client: httpx.AsyncClient, auth_headers, field, body) -> None:
    response = await client.post("/api/v1/habits", json={"name": "Stretch"} | body, headers=auth_headers)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]


async def test_streaks_come_from_check_ins(client: httpx.AsyncClient, auth_headers) -> None:
    habit = await new_habit(client, auth_headers)
    today = local_today()
    for offset in (1, 2, 3, 6, 7):
        assert (await check_in(client, auth_headers, habit["id"], today - timedelta(days=offset))).status_code == 201
    read = (await client.get(f"/api/v1/habits/{habit['id']}", headers=auth_headers)).json()
    # Today is still open, so yesterday's run of three stands.
    assert (read["current_streak"], read["longest_streak"], read["done_today"]) == (3, 3, False)
    await check_in(client, auth_headers, habit["id"], today)
    read = (await client.get(f"/api/v1/habits/{habit['id']}", headers=auth_headers)).json()
    assert (read["current_streak"], read["longest_streak"], read["done_today"]) == (4, 4, True)


async def test_a_second_check_in_for_a_date_sets_its_count(client: httpx.AsyncClient, auth_headers) -> None:
    habit = await new_habit(client, auth_headers, target_count=3)
    day = local_today() - timedelta(days=1)
    first = await check_in(client, auth_headers, habit["id"], day, count=1)
    second = await check_in(client, auth_headers, habit["id"], day, count=3)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert (second.json()["count"], second.json()["version"]) == (3, 2)
    listed = (await client.get(f"/api/v1/habits/{habit['id']}/check-ins", headers=auth_headers)).json()
    assert [(item["date"], item["count"]) for item in listed["items"]] == [(day.isoformat(), 3)]
    read = (await client.get(f"/api/v1/habits/{habit['id']}", headers=auth_headers)).json()
    assert read["current_streak"] == 1


async def test_replayed_check_in_is_applied_once(client: httpx.AsyncClient, auth_headers) -> None:
    habit = await new_habit(client, auth_headers)
    client_id = str(uuid.uuid4())
    day = local_today()
    first = await check_in(client, auth_headers, habit["id"], day, id=client_id)
    again = await check_in(client, auth_headers, habit["id"], day, id=client_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json() and first.json()["id"] == client_id
    other_day = await check_in(client, auth_headers, habit["id"], day - timedelta(days=1), id=client_id)
    assert other_day.status_code == 409


async def test_a_replayed_check_in_never_undoes_a_later_change_or_a_delete(client: httpx.AsyncClient,
                                                                           auth_headers) -> None:
    habit = await new_habit(client, auth_headers, target_count=3)
    day = local_today() - timedelta(days=1)
    create = {"id": str(uuid.uuid4())}
    assert (await check_in(client, auth_headers, habit["id"], day, count=1, **create)).status_code == 201
    changed = await check_in(client, auth_headers, habit["id"], day, count=3)
    assert (changed.status_code, changed.json()["count"], changed.json()["version"]) == (200, 3, 2)

    # The offline queue delivers the original create once more: answered with what is stored, not applied.
    replayed = await check_in(client, auth_headers, habit["id"], day, count=1, **create)
    assert replayed.status_code == 200 and replayed.json() == changed.json()
    # With If-Match, the same id is an explicit update.
    lowered = await client.post(f"/api/v1/habits/{habit['id']}/check-ins", headers=auth_headers | {"If-Match": '"2"'},
                                json={"date": day.isoformat(), "count": 2} | create)
    assert (lowered.status_code, lowered.json()["count"], lowered.json()["version"]) == (200, 2, 3)

    url = f"/api/v1/habits/{habit['id']}/check-ins/{day.isoformat()}"
    assert (await client.delete(url, headers=auth_headers)).status_code == 204
    resurrected = await check_in(client, auth_headers, habit["id"], day, count=1, **create)
    assert resurrected.status_code == 409
    assert (await client.get(f"/api/v1/habits/{habit['id']}/check-ins", headers=auth_headers)).json()["items"] == []


async def test_a_non_scheduled_date_is_refused_naming_the_date(client: httpx.AsyncClient, auth_headers) -> None:
    today = local_today()
    scheduled = [WEEKDAYS[today.weekday()]]
    habit = await new_habit(client, auth_headers, schedule=scheduled)
    yesterday = today - timedelta(days=1)  # not in a one-weekday schedule
    refused = await check_in(client, auth_headers, habit["id"], yesterday)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == [{"field": "date", "message": (
        f"is a {WEEKDAYS[yesterday.weekday()]}, which is not in this habit's schedule ({scheduled[0]})")}]
    assert (await client.get(f"/api/v1/habits/{habit['id']}/check-ins", headers=auth_headers)).json()["items"] == []
    await check_in(client, auth_headers, habit["id"], today)
    await check_in(client, auth_headers, habit["id"], today - timedelta(days=7))
    read = (await client.get(f"/api/v1/habits/{habit['id']}", headers=auth_headers)).json()
    assert (read["current_streak"], read["longest_streak"]) == (2, 2)


async def test_future_dates_in_the_users_zone_are_refused(client: httpx.AsyncClient, auth_headers) -> None:
    await client.put("/api/v1/profile", json={"time_zone": "Pacific/Kiritimati"}, headers=auth_headers)  # UTC+14
    habit = await new_habit(client, auth_headers)
    today = local_today("Pacific/Kiritimati")
    assert (await check_in(client, auth_headers, habit["id"], today)).status_code == 201
    tomorrow = await check_in(client, auth_headers, habit["id"], today + timedelta(days=1))
    assert tomorrow.status_code == 422 and tomorrow.json()["errors"][0]["field"] == "date"
    for body in ({"count": 0}, {"count": 1001}, {"date": "1960-01-01"}, {"date": "yesterday"}):
        payload = {"date": today.isoformat(), "count": 1} | body
        response = await client.post(f"/api/v1/habits/{habit['id']}/check-ins", json=payload, headers=auth_headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["field"] == next(iter(body))


# 20:00 UTC on 15 June: Tuesday 16 June, 08:00 in Auckland (UTC+12), still Monday 15 June, 13:00 in Los Angeles.
AUCKLAND_AHEAD_OF_LOS_ANGELES = datetime(2026, 6, 15, 20, 0, tzinfo=UTC)


async def test_streak_uses_the_users_time_zone(client: httpx.AsyncClient, make_token) -> None:
    """Two users check in on the same two dates, ending at Auckland's today. For the user in Los Angeles
    those dates are today and tomorrow: tomorrow is refused, and the streak counts today only."""
    with time_machine.travel(AUCKLAND_AHEAD_OF_LOS_ANGELES, tick=True):
        # Signed in the frozen present: a token issued "later" would be refused as issued in the future.
        auth_headers, other_auth_headers = ({"Authorization": f"Bearer {make_token()[1]}"} for _ in range(2))
        auckland_today = local_today("Pacific/Auckland")
        assert auckland_today == date(2026, 6, 16) and local_today("America/Los_Angeles") == date(2026, 6, 15)
        statuses, streaks = {}, {}
        for headers, zone in ((auth_headers, "Pacific/Auckland"), (other_auth_headers, "America/Los_Angeles")):
            await client.put("/api/v1/profile", json={"time_zone": zone}, headers=headers)
            habit = await new_habit(client, headers)
            responses = [await check_in(client, headers, habit["id"], day)
                         for day in (auckland_today - timedelta(days=1), auckland_today)]
            statuses[zone] = [response.status_code for response in responses]
            streaks[zone] = (await client.get(f"/api/v1/habits/{habit['id']}", headers=headers)).json()
    assert statuses == {"Pacific/Auckland": [201, 201], "America/Los_Angeles": [201, 422]}
    assert (streaks["Pacific/Auckland"]["current_streak"], streaks["Pacific/Auckland"]["done_today"]) == (2, True)
    assert (streaks["America/Los_Angeles"]["current_streak"], streaks["America/Los_Angeles"]["done_today"]) == (
        1, True)


async def test_delete_a_check_in(client: httpx.AsyncClient, auth_headers) -> None:
    habit = await new_habit(client, auth_headers)
    day = local_today()
    created = (await check_in(client, auth_headers, habit["id"], day)).json()
    url = f"/api/v1/habits/{habit['id']}/check-ins/{day.isoformat()}"
    assert (await client.delete(url, headers=auth_headers)).status_code == 204
    assert (await client.delete(url, headers=auth_headers)).status_code == 404
    listed = (await client.get(f"/api/v1/habits/{habit['id']}/check-ins", headers=auth_headers)).json()
    assert listed["items"] == []
    changes = (await client.get("/api/v1/sync", headers=auth_headers)).json()["changes"]
    assert [(c["resource"], c["op"]) for c in changes if c["resource_id"] == created["id"]] == [
        ("check_in", "upsert"), ("check_in", "delete")]
    revived = await check_in(client, auth_headers, habit["id"], day, count=2)
    assert revived.status_code == 201 and revived.json()["id"] == created["id"]


async def test_check_ins_page_by_date(client: httpx.AsyncClient, auth_headers) -> None:
    habit = await new_habit(client, auth_headers)
    today = local_today()
    for offset in range(7):
        await check_in(client, auth_headers, habit["id"], today - timedelta(days=offset))
    url = f"/api/v1/habits/{habit['id']}/check-ins"
    params = {"limit": 2, "from": (today - timedelta(days=4)).isoformat(),
              "to": (today - timedelta(days=1)).isoformat()}
    dates: list[str] = []
    while True:
        page = (await client.get(url, params=params, headers=auth_headers)).json()
        dates += [item["date"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert dates == [(today - timedelta(days=offset)).isoformat() for offset in (1, 2, 3, 4)]


async def test_update_with_if_match_and_delete(client: httpx.AsyncClient, auth_headers) -> None:
    habit = await new_habit(client, auth_headers)
    url = f"/api/v1/habits/{habit['id']}"
    updated = await client.patch(url, json={"schedule": ["sat", "sun"], "name": "Long run"},
                                 headers=auth_headers | {"If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    assert (updated.json()["schedule"], updated.json()["name"], updated.json()["version"]) == (
        ["sat", "sun"], "Long run", 2)
    stale = await client.patch(url, json={"target_count": 5}, headers=auth_headers | {"If-Match": '"1"'})
    assert stale.status_code == 412
    null = await client.patch(url, json={"name": None}, headers=auth_headers)
    assert null.status_code == 422 and null.json()["errors"][0]["field"] == "name"
    assert (await client.delete(url, headers=auth_headers)).status_code == 204
    assert (await client.get(url, headers=auth_headers)).status_code == 404
    assert (await check_in(client, auth_headers, habit["id"], local_today())).status_code == 404


async def test_another_users_habit_and_check_ins_are_404(client: httpx.AsyncClient, auth_headers,
                                                         other_auth_headers) -> None:
    habit = await new_habit(client, auth_headers)
    day = local_today()
    await check_in(client, auth_headers, habit["id"], day)
    url = f"/api/v1/habits/{habit['id']}"
    assert (await client.get(url, headers=other_auth_headers)).status_code == 404
    assert (await client.patch(url, json={"name": "mine"}, headers=other_auth_headers)).status_code == 404
    assert (await client.delete(url, headers=other_auth_headers)).status_code == 404
    assert (await client.get(f"{url}/check-ins", headers=other_auth_headers)).status_code == 404
    assert (await check_in(client, other_auth_headers, habit["id"], day)).status_code == 404
    assert (await client.delete(f"{url}/check-ins/{day}", headers=other_auth_headers)).status_code == 404
    mine = (await client.get(f"{url}/check-ins", headers=auth_headers)).json()["items"]
    assert [(item["date"], item["count"]) for item in mine] == [(day.isoformat(), 1)]


async def test_check_in_publishes_check_in_created(client: httpx.AsyncClient, auth_headers, settings,
                                                   wait_for) -> None:
    habit = await new_habit(client, auth_headers)
    day = local_today()
    async with broker_listener(settings.events_exchange, "check_in.*") as listener:
        made = (await check_in(client, auth_headers, habit["id"], day)).json()
        events = await wait_for(lambda: _events_for(listener, habit["id"]))
    assert [(event["type"], event["data"]) for event in events] == [("check_in.created", {
        "check_in_id": made["id"], "user_id": str(auth_headers.user_id), "version": 1, "dates": [day.isoformat()],
        "after": {"habit_id": habit["id"], "date": day.isoformat(), "count": 1}})]


async def _events_for(listener, habit_id: str) -> list[dict]:
    return [event for event in await listener.drain() if event["data"]["after"]["habit_id"] == habit_id]


async def test_check_in_updates_the_daily_summary(client: httpx.AsyncClient, auth_headers) -> None:
    habit = await new_habit(client, auth_headers)
    day = local_today().isoformat()
    before = (await client.get("/api/v1/summary/daily", params={"date": day}, headers=auth_headers)).json()
    assert (before["habits_done"], before["habits_scheduled"]) == (0, 1)
    await check_in(client, auth_headers, habit["id"], local_today())
    after = (await client.get("/api/v1/summary/daily", params={"date": day}, headers=auth_headers)).json()
    assert (after["habits_done"], after["habits_scheduled"]) == (1, 1)


async def test_habits_list_pages_newest_first(client: httpx.AsyncClient, auth_headers) -> None:
    created = [(await new_habit(client, auth_headers, name=f"Habit {n}"))["id"] for n in range(5)]
    seen: list[str] = []
    params: dict[str, object] = {"limit": 2}
    while True:
        page = (await client.get("/api/v1/habits", params=params, headers=auth_headers)).json()
        seen += [item["id"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == list(reversed(created))
