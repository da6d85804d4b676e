"""`/api/v1/food-logs`: nutrients computed on create, day views with meal totals, edits and deletes."""

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from core_helpers import broker_listener

from fitjourney_core.foods.catalogue import sr28_id

BANANA = str(sr28_id("09040"))  # 89 kcal, 1.1 g protein, 22.8 g carbs, 0.3 g fat per 100 g
WHOLE_MILK = str(sr28_id("01077"))  # 61 kcal, 3.2 / 4.8 / 3.3
NOW = datetime.now(UTC)


async def events_of(listener, type_: str, **data) -> list[dict]:
    """Events of `type_` received so far whose data has these values."""
    return [event for event in await listener.drain()
            if event["type"] == type_ and all(str(event["data"].get(k)) == str(v) for k, v in data.items())]


def at(day_offset: int = 0, hour: int = 12) -> str:
    moment = (NOW - timedelta(days=day_offset)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return min(moment, NOW).isoformat()


async def log(client: httpx.AsyncClient, headers, **body) -> httpx.Response:
    body = {"food_id": BANANA, "grams": 100, "meal": "breakfast", "eaten_at": at()} | body
    return await client.post("/api/v1/food-logs", json=body, headers=headers)


async def test_log_by_grams_computes_and_stores_nutrients(client: httpx.AsyncClient, auth_headers) -> None:
    response = await log(client, auth_headers, grams=150)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["food_name"] == "Bananas, raw" and body["grams"] == 150
    # SR28 09040 per 100 g: 89 kcal, 1.09 g protein, 22.84 g carbohydrate, 0.33 g fat.
    assert (body["kcal"], body["protein_g"], body["carbs_g"], body["fat_g"]) == (133.5, 1.6, 34.3, 0.5)
    assert response.headers["Location"] == f"/api/v1/food-logs/{body['id']}"
    assert response.headers["ETag"] == '"1"'
    fetched = await client.get(f"/api/v1/food-logs/{body['id']}", headers=auth_headers)
    assert fetched.json() == body


async def test_log_by_portion_uses_the_portion_weight(client: httpx.AsyncClient, auth_headers) -> None:
    one = (await log(client, auth_headers, grams=None, portion="medium")).json()
    assert (one["grams"], one["portion"], one["kcal"]) == (118, "medium", 105.0)
    two = (await log(client, auth_headers, grams=None, portion="Cup", quantity=2, food_id=WHOLE_MILK)).json()
    assert (two["grams"], two["kcal"], two["quantity"]) == (488, 297.7, 2)


@pytest.mark.parametrize(("field", "body"), [
    ("portion", {"grams": 100, "portion": "medium"}),
    ("grams", {"grams": None}),
    ("portion", {"grams": None, "portion": "wheelbarrow"}),
    ("quantity", {"quantity": 2}),
    ("quantity", {"grams": None, "portion": "large", "quantity": 50}),
    ("quantity", {"grams": None, "portion": "large", "quantity": 0.0001}),  # 0 g: nothing to rescale later
    ("grams", {"grams": 0}),
    ("grams", {"grams": -5}),
    ("grams", {"grams": 5001}),
    ("meal", {"meal": "brunch"}),
    ("eaten_at", {"eaten_at": (NOW + timedelta(days=2)).isoformat()}),
    ("eaten_at", {"eaten_at": "1899-12-31T12:00:00Z"}),
    ("eaten_at", {"eaten_at": "2024-05-01T12:00:00"}),
    ("food_id", {"food_id": "not-a-uuid"}),
    ("calories", {"calories": 5}),
])
async def test_invalid_logs_are_refused_naming_the_field(client: httpx.AsyncClient, auth_headers, field,
                                                         body) -> None:
    response = await log(client, auth_headers, **body)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]], response.json()


async def test_unknown_food_is_404(client: httpx.AsyncClient, auth_headers) -> None:
    assert (await log(client, auth_headers, food_id=str(uuid.uuid4()))).status_code == 404


async def test_someone_elses_custom_food_cannot_be_logged(client: httpx.AsyncClient, auth_headers,
                                                          other_auth_headers) -> None:
    food = (await client.post("/api/v1/foods", json={"name": "Secret sauce", "per_100g": {
        "kcal": 300, "protein_g": 1, "carbs_g": 10, "fat_g": 28}}, headers=other_auth_headers)).json()
    assert (await log(client, auth_headers, food_id=food["id"])).status_code == 404
    assert (await log(client, other_auth_headers, food_id=food["id"])).status_code == 201


async def test_day_view_groups_by_meal_in_the_users_time_zone(client: httpx.AsyncClient, auth_headers) -> None:
    profile = await client.put("/api/v1/profile", json={"time_zone": "Pacific/Auckland"}, headers=auth_headers)
    assert profile.status_code == 200, profile.text
    # 2024-03-09 22:30 UTC is already 2024-03-10 11:30 in Auckland (UTC+13 then).
    await log(client, auth_headers, grams=200, meal="breakfast", eaten_at="2024-03-09T22:30:00Z")
    await log(client, auth_headers, grams=100, meal="breakfast", eaten_at="2024-03-09T19:00:00Z")
    await log(client, auth_headers, food_id=WHOLE_MILK, grams=250, meal="snack", eaten_at="2024-03-10T05:00:00Z")
    await log(client, auth_headers, grams=100, meal="dinner", eaten_at="2024-03-10T12:00:00Z")  # next local day

    day = await client.get("/api/v1/food-logs", params={"date": "2024-03-10"}, headers=auth_headers)
    assert day.status_code == 200, day.text
    body = day.json()
    assert body["date"] == "2024-03-10" and body["time_zone"] == "Pacific/Auckland"
    assert len(body["items"]) == 3
    assert body["totals_by_meal"]["breakfast"] == {"kcal": 267.0, "protein_g": 3.3, "carbs_g": 68.5,
                                                   "fat_g": 1.0, "fibre_g": 7.8}
    assert body["totals_by_meal"]["snack"]["kcal"] == 152.5
    assert body["totals_by_meal"]["lunch"] == body["totals_by_meal"]["dinner"] == {
        "kcal": 0.0, "protein_g": 0.0, "carbs_g": 0.0, "fat_g": 0.0, "fibre_g": 0.0}
    assert body["totals"]["kcal"] == 419.5
    next_day = (await client.get("/api/v1/food-logs", params={"date": "2024-03-11"}, headers=auth_headers)).json()
    assert [item["meal"] for item in next_day["items"]] == ["dinner"]


async def test_list_filters_by_range_and_pages_newest_first(client: httpx.AsyncClient, auth_headers) -> None:
    ids = [(await log(client, auth_headers, eaten_at=at(days))).json()["id"] for days in (1, 2, 3, 4, 40)]
    seen: list[str] = []
    params = {"from": (NOW - timedelta(days=10)).date().isoformat(), "limit": 2}
    while True:
        page = (await client.get("/api/v1/food-logs", params=params, headers=auth_headers)).json()
        seen += [item["id"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == ids[:4]


async def test_replayed_create_is_applied_once(client: httpx.AsyncClient, auth_headers) -> None:
    client_id = str(uuid.uuid4())
    first = await log(client, auth_headers, id=client_id, eaten_at="2024-06-01T08:00:00Z")
    again = await log(client, auth_headers, id=client_id, eaten_at="2024-06-01T08:00:00Z")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json() and first.json()["id"] == client_id
    day = (await client.get("/api/v1/food-logs", params={"date": "2024-06-01"}, headers=auth_headers)).json()
    assert len(day["items"]) == 1


async def test_another_users_client_id_is_a_conflict(client: httpx.AsyncClient, auth_headers,
                                                     other_auth_headers) -> None:
    client_id = str(uuid.uuid4())
    assert (await log(client, auth_headers, id=client_id)).status_code == 201
    assert (await log(client, other_auth_headers, id=client_id)).status_code == 409


async def test_edit_rescales_stored_values_and_refuses_stale_versions(client: httpx.AsyncClient,
                                                                      auth_headers) -> None:
    created = (await log(client, auth_headers, grams=100)).json()
    url = f"/api/v1/food-logs/{created['id']}"
    edited = await client.patch(url, json={"grams": 50, "meal": "snack"}, headers=auth_headers | {"If-Match": '"1"'})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["grams"], edited.json()["kcal"], edited.json()["meal"], edited.json()["version"]) == (
        50, 44.5, "snack", 2)
    stale = await client.patch(url, json={"grams": 300}, headers=auth_headers | {"If-Match": '"1"'})
    assert stale.status_code == 412
    by_portion = await client.patch(url, json={"portion": "large"}, headers=auth_headers | {"If-Match": '"2"'})
    assert (by_portion.json()["grams"], by_portion.json()["kcal"]) == (136, 121.0)
    moved = await client.patch(url, json={"eaten_at": "2024-02-01T09:00:00Z", "food_id": WHOLE_MILK},
                               headers=auth_headers)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["food_name"], moved.json()["kcal"], moved.json()["portion"]) == (
        "Milk, whole, 3.25% milkfat, with added vitamin D", 83.0, None)
    assert moved.json()["eaten_at"].startswith("2024-02-01T09:00:00")
    assert (await client.get(url, headers=auth_headers)).json()["version"] == 4


async def test_invalid_edits_name_the_field(client: httpx.AsyncClient, auth_headers) -> None:
    url = f"/api/v1/food-logs/{(await log(client, auth_headers)).json()['id']}"
    for field, body in (("portion", {"grams": 10, "portion": "medium"}), ("grams", {"grams": 0}),
                        ("meal", {"meal": None}), ("quantity", {"quantity": 2})):
        response = await client.patch(url, json=body, headers=auth_headers)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["errors"][0]["field"] == field


async def test_delete_hides_the_log_and_leaves_a_tombstone(client: httpx.AsyncClient, auth_headers) -> None:
    created = (await log(client, auth_headers, eaten_at="2024-07-01T12:00:00Z")).json()
    url = f"/api/v1/food-logs/{created['id']}"
    assert (await client.delete(url, headers=auth_headers | {"If-Match": '"7"'})).status_code == 412
    assert (await client.delete(url, headers=auth_headers)).status_code == 204
    assert (await client.get(url, headers=auth_headers)).status_code == 404
    day = (await client.get("/api/v1/food-logs", params={"date": "2024-07-01"}, headers=auth_headers)).json()
    assert day["items"] == [] and day["totals"]["kcal"] == 0
    changes = (await client.get("/api/v1/sync", headers=auth_headers)).json()["changes"]
    assert [(c["resource"], c["op"]) for c in changes if c["resource_id"] == created["id"]] == [
        ("food_log", "upsert"), ("food_log", "delete")]


async def test_another_users_log_is_404_everywhere(client: httpx.AsyncClient, auth_headers,
                                                   other_auth_headers) -> None:
    created = (await log(client, auth_headers)).json()
    url = f"/api/v1/food-logs/{created['id']}"
    assert (await client.get(url, headers=other_auth_headers)).status_code == 404
    assert (await client.patch(url, json={"grams": 1}, headers=other_auth_headers)).status_code == 404
    assert (await client.delete(url, headers=other_auth_headers)).status_code == 404
    assert (await client.get(url, headers=auth_headers)).json()["grams"] == 100


async def test_logging_emits_food_log_created_on_the_wire(client: httpx.AsyncClient, auth_headers, settings,
                                                          wait_for) -> None:
    async with broker_listener(settings.events_exchange, "food_log.created") as listener:
        created = (await log(client, auth_headers, grams=200, meal="lunch")).json()
        (event,) = await wait_for(lambda: events_of(listener, "food_log.created", food_log_id=created["id"]))
    assert event["user_id"] == str(auth_headers.user_id)
    assert event["data"]["after"]["kcal"] == 178.0 and event["data"]["after"]["meal"] == "lunch"
    assert event["data"]["dates"] == [created["eaten_at"][:10]]  # the user has no profile: UTC


async def test_logging_invalidates_the_cached_daily_summary(client: httpx.AsyncClient, auth_headers) -> None:
    day = NOW.date().isoformat()
    before = await client.get("/api/v1/summary/daily", params={"date": day}, headers=auth_headers)
    assert before.status_code == 200, before.text
    await log(client, auth_headers, grams=200, eaten_at=NOW.isoformat())
    after = (await client.get("/api/v1/summary/daily", params={"date": day}, headers=auth_headers)).json()
    assert after["kcal_in"] == pytest.approx(before.json()["kcal_in"] + 178.0)


async def test_rls_shows_only_the_callers_logs_without_an_owner_filter(
    client: httpx.AsyncClient, auth_headers, other_auth_headers, app_database_url: str,
) -> None:
    await log(client, auth_headers)
    await log(client, other_auth_headers)
    await log(client, other_auth_headers)
    conn = await asyncpg.connect(app_database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        async with conn.transaction():
            await conn.execute("select set_config('app.user_id', $1, true)", str(auth_headers.user_id))
            owners = await conn.fetch("select distinct user_id from core.food_logs")
            foods = await conn.fetch("select user_id from core.foods where user_id is not null")
        assert [row["user_id"] for row in owners] == [auth_headers.user_id]
        assert all(row["user_id"] == auth_headers.user_id for row in foods)
        async with conn.transaction():  # no user bound: nothing owned is visible, the catalogue still is
            assert await conn.fetchval("select count(*) from core.food_logs") == 0
            assert await conn.fetchval("select count(*) from core.foods") == 0
            assert await conn.fetchval("select count(*) from core.food_catalogue") >= 300
    finally:
        await conn.close()


async def test_a_date_range_query_prunes_partitions(database_url: str) -> None:
    this_month = NOW.date().replace(day=1)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        plan = "\n".join(row[0] for row in await conn.fetch(
            "EXPLAIN SELECT * FROM core.food_logs WHERE user_id = $1 AND eaten_at >= $2 AND eaten_at < $3",
            uuid.uuid4(), datetime.combine(this_month, datetime.min.time(), UTC),
            datetime.combine(next_month, datetime.min.time(), UTC)))
    finally:
        await conn.close()
    assert f"food_logs_p{this_month:%Y%m}" in plan
    assert f"food_logs_p{next_month:%Y%m}" not in plan and "food_logs_default" not in plan
