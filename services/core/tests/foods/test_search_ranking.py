"""Food search finds what people type: 20 common queries, on PostgreSQL and on SQLite (dev) alike."""

from __future__ import annotations

import httpx
import pytest
from core_conftest import asgi_client, start_app

from fitjourney_core.settings import CoreSettings

# query → the name that must come first
FIRST = {
    "banana": "Bananas, raw",
    "apple": "Apples, raw, with skin",
    "orange": "Oranges, raw, all commercial varieties",
    "strawberries": "Strawberries, raw",
    "avocado": "Avocados, raw, all commercial varieties",
    "broccoli": "Broccoli, raw",
    "spinach": "Spinach, raw",
    "tomato": "Tomatoes, red, ripe, raw, year round average",
    "potato": "Potatoes, flesh and skin, raw",
    "egg": "Egg, whole, raw, fresh",
    "milk": "Milk, whole, 3.25% milkfat, with added vitamin D",
    "cheddar cheese": "Cheese, cheddar",
    "peanut butter": "Peanut butter, smooth style, with salt",
    "almonds": "Nuts, almonds",
    "salmon": "Fish, salmon, Atlantic, farmed, raw",
    "chicken breast": "Chicken, broiler or fryers, breast, skinless, boneless, meat only, raw",
    "pasta": "Pasta, dry, enriched",
    "olive oil": "Oil, olive, salad or cooking",
    "coffee": "Beverages, coffee, brewed, prepared with tap water",
    "water": "Water",
}


async def _names(client: httpx.AsyncClient, headers: dict[str, str], q: str, limit: int = 10) -> list[str]:
    response = await client.get("/api/v1/foods", params={"q": q, "limit": limit}, headers=headers)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


@pytest.mark.parametrize(("query", "first"), FIRST.items())
async def test_common_query_finds_the_everyday_food_first(
    client: httpx.AsyncClient, auth_headers, query: str, first: str,
) -> None:
    assert (await _names(client, auth_headers, query))[0] == first


async def test_chicken_breast_finds_the_meat_before_soups_and_deli_slices(
    client: httpx.AsyncClient, auth_headers,
) -> None:
    names = await _names(client, auth_headers, "chicken breast", limit=100)
    assert "Chicken, broilers or fryers, breast, meat only, cooked, roasted" in names[:3]
    last_meat = max(i for i, name in enumerate(names) if name.startswith("Chicken, broilers or fryers, breast"))
    later = [name for name in names if name.startswith(("Soup", "Chicken breast,"))]
    assert later and all(names.index(name) > last_meat for name in later), names


async def test_plurals_synonyms_and_punctuation_do_not_matter(client: httpx.AsyncClient, auth_headers) -> None:
    assert (await _names(client, auth_headers, "Bananas,"))[0] == "Bananas, raw"
    assert (await _names(client, auth_headers, "eggs"))[0] == "Egg, whole, raw, fresh"
    assert (await _names(client, auth_headers, "oatmeal"))[0].startswith("Cereals, oats")
    assert (await _names(client, auth_headers, "yoghurt"))[0].startswith("Yogurt")


async def test_water_lists_the_catalogue_water_then_tap_water(client: httpx.AsyncClient, auth_headers) -> None:
    assert (await _names(client, auth_headers, "water"))[:2] == ["Water", "Beverages, water, tap, drinking"]


async def test_a_typo_falls_back_to_similar_names_on_postgres(client: httpx.AsyncClient, auth_headers) -> None:
    assert (await _names(client, auth_headers, "bananna"))[0] == "Bananas, raw"
    assert "Broccoli, raw" in (await _names(client, auth_headers, "brocoli"))[:3]
    assert await _names(client, auth_headers, "zzzzqx") == []


async def test_your_own_food_comes_before_the_catalogue(client: httpx.AsyncClient, auth_headers) -> None:
    mine = await client.post("/api/v1/foods", headers=auth_headers, json={
        "name": "Banana bread (my recipe)", "per_100g": {"kcal": 300, "protein_g": 5, "carbs_g": 50, "fat_g": 9}})
    assert mine.status_code == 201, mine.text
    names = await _names(client, auth_headers, "banana bread")
    assert names[0] == "Banana bread (my recipe)"
    assert "Bread, banana, prepared from recipe, made with margarine" in names


async def test_sqlite_dev_mode_ranks_the_common_queries_like_postgres(
    client: httpx.AsyncClient, auth_headers, sqlite_dev_settings: CoreSettings,
) -> None:
    on_postgres = {query: await _names(client, auth_headers, query, limit=5) for query in FIRST}
    async for app in start_app(sqlite_dev_settings):
        async with asgi_client(app) as sqlite_client:
            on_sqlite = {query: await _names(sqlite_client, auth_headers, query, limit=5) for query in FIRST}
    assert on_sqlite == on_postgres
