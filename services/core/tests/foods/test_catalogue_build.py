"""The catalogue is USDA SR28, built by a command: counts, values and portions equal to the shipped files,
and a re-import that changes no food log."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from importlib import resources

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from fitjourney_common.db.engine import create_engine
from fitjourney_core.foods import build
from fitjourney_core.foods.catalogue import build_catalogue, catalogue_id, sr28_id

SR28_FOODS = 8790
SR28_PORTIONS = 15438
SOURCE = resources.files("fitjourney_core").joinpath("data/usda-sr28")


def _raw_rows(name: str) -> list[list[str]]:
    """The source file read the plain way (not through the importer's parser)."""
    data = gzip.decompress(SOURCE.joinpath(name + ".gz").read_bytes()).decode("latin-1")
    return [[field.strip("~") for field in line.split("^")] for line in data.splitlines()]


ABBREV = {row[0]: row for row in _raw_rows("ABBREV.txt")}
# A sample across the file: first, last, every 400th, and foods the old hand-typed catalogue got wrong.
SAMPLE = sorted({*list(ABBREV)[::400], list(ABBREV)[-1], "09040", "20137", "20035", "20006", "15121", "05064",
                 "01040", "16098", "33879"})


def test_every_sr28_food_and_portion_is_built() -> None:
    sr28 = [food for food in build_catalogue() if food.ndb_no is not None]
    assert len(sr28) == len({food.ndb_no for food in sr28}) == SR28_FOODS
    assert sum(len(food.portions) for food in sr28) == SR28_PORTIONS
    built = {(food.ndb_no, portion["grams"]) for food in sr28 for portion in food.portions}
    for ndb_no, _seq, _amount, _description, grams, *_ in _raw_rows("WEIGHT.txt"):
        assert (ndb_no, float(grams)) in built, (ndb_no, grams)


def test_built_values_are_the_files_values() -> None:
    by_ndb = {food.ndb_no: food for food in build_catalogue()}
    descriptions = {row[0]: row[2] for row in _raw_rows("FOOD_DES.txt")}
    for ndb_no in SAMPLE:
        raw, food = ABBREV[ndb_no], by_ndb[ndb_no]
        # ABBREV.txt fields: 3 Energ_Kcal, 4 Protein, 5 Lipid_Tot, 7 Carbohydrt, 8 Fiber_TD, 9 Sugar_Tot,
        # 15 Sodium, 44 FA_Sat (0-based); empty = unknown.
        expected = {"kcal": raw[3], "protein_g": raw[4], "fat_g": raw[5], "carbs_g": raw[7], "fibre_g": raw[8],
                    "sugars_g": raw[9], "sodium_mg": raw[15], "saturated_fat_g": raw[44]}
        assert {k: food.per_100g[k] for k in expected} == {
            k: float(v) if v else None for k, v in expected.items()}, ndb_no
        assert food.name == descriptions.get(ndb_no, raw[1])
        assert food.id == sr28_id(ndb_no) and food.source_id == f"SR28:{ndb_no}"


def test_the_audits_rows_are_right_now() -> None:
    by_ndb = {food.ndb_no: food for food in build_catalogue()}
    assert by_ndb["20137"].name == "Quinoa, cooked" and by_ndb["20137"].per_100g["kcal"] == 120
    assert by_ndb["20035"].name == "Quinoa, uncooked" and by_ndb["20035"].per_100g["kcal"] == 368
    assert by_ndb["15121"].per_100g["kcal"] == 86  # canned light tuna in water, not 116
    potato = {p["name"]: p["grams"] for p in by_ndb["11352"].portions}
    assert potato['Potato large (3" to 4-1/4" dia)'] == 369 and potato["0.5 cup, diced"] == 75
    assert {p["name"]: p["grams"] for p in by_ndb["11233"].portions}['cup 1" pieces, loosely packed'] == 16
    assert {p["name"]: p["grams"] for p in by_ndb["20121"].portions}["cup spaghetti not packed"] == 124


async def _catalogue_counts(connection: AsyncConnection) -> tuple[int, int, int]:
    live, sr28, portions = (await connection.execute(sa.text(
        "SELECT count(*), count(ndb_no), coalesce(sum(json_array_length(portions)), 0) "
        "FROM core.food_catalogue WHERE deleted_at IS NULL AND ndb_no IS NOT NULL"))).one()
    return int(live), int(sr28), int(portions)


@pytest.fixture
async def owner(database_url: str) -> AsyncIterator[AsyncConnection]:
    """The schema owner (what migrations and the operator command connect as), autocommitting."""
    engine = create_engine(database_url, "core", pool_size=1)
    try:
        async with engine.connect() as connection:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")
    finally:
        await engine.dispose()


async def test_the_migrated_database_holds_the_whole_catalogue(owner: AsyncConnection) -> None:
    assert await _catalogue_counts(owner) == (SR28_FOODS, SR28_FOODS, SR28_PORTIONS)


def _at(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).replace(microsecond=0).isoformat()


async def test_reimport_restores_the_catalogue_and_changes_no_food_log(
    client: httpx.AsyncClient, auth_headers, owner: AsyncConnection, database_url: str,
) -> None:
    kiwi = str(sr28_id("09148"))  # Kiwifruit, green, raw: 61 kcal per 100 g in SR28
    old_id = catalogue_id("Old hand-typed kiwi")
    try:
        # An older catalogue: the kiwi carried other values, and a food since dropped from the source.
        await owner.execute(sa.text("UPDATE core.food_catalogue SET kcal_per_100g = 100, protein_g = 2 WHERE id = :id"),
                            {"id": kiwi})
        await owner.execute(sa.text(
            "INSERT INTO core.food_catalogue (id, name, kcal_per_100g, protein_g, carbs_g, fat_g, portions, version, "
            "search_text, search_head, search_prior, is_water) VALUES (:id, 'Old hand-typed kiwi', 50, 1, 12, 0, "
            "'[{\"name\": \"fruit\", \"grams\": 70}]', 1, ' old hand typed kiwi ', ' old hand typed kiwi ', 0, "
            "false)"), {"id": str(old_id)})
        logs = []
        for food_id, body in ((kiwi, {"grams": 150}), (str(old_id), {"portion": "fruit", "quantity": 2})):
            created = await client.post("/api/v1/food-logs", headers=auth_headers, json={
                "food_id": food_id, "meal": "snack", "eaten_at": _at(1)} | body)
            assert created.status_code == 201, created.text
            logs.append(created.json())
        assert (logs[0]["kcal"], logs[0]["protein_g"]) == (150.0, 3.0)
        assert (logs[1]["kcal"], logs[1]["grams"]) == (70.0, 140.0)

        report = await build.run(database_url)  # the operator command's import
        assert (report.inserted, report.updated, report.retired) == (0, 1, 1)

        kiwi_now = (await client.get(f"/api/v1/foods/{kiwi}", headers=auth_headers)).json()
        assert (kiwi_now["per_100g"]["kcal"], kiwi_now["per_100g"]["protein_g"]) == (61, 1.14)
        assert (await client.get(f"/api/v1/foods/{old_id}", headers=auth_headers)).status_code == 404
        found = await client.get("/api/v1/foods", params={"q": "hand typed kiwi"}, headers=auth_headers)
        assert found.json()["items"] == []
        for log in logs:  # history: exactly what was logged, values and names
            again = (await client.get(f"/api/v1/food-logs/{log['id']}", headers=auth_headers)).json()
            assert again == log
        # A log of a retired food still measures by that food's portions.
        one = await client.patch(f"/api/v1/food-logs/{logs[1]['id']}", json={"quantity": 1},
                                 headers=auth_headers)
        assert one.status_code == 200, one.text
        assert (one.json()["grams"], one.json()["kcal"]) == (70.0, 35.0)

        assert (await build.run(database_url)).updated == 0, "a second import has nothing to write"
        assert await _catalogue_counts(owner) == (SR28_FOODS, SR28_FOODS, SR28_PORTIONS)
    finally:
        await build.run(database_url)


async def test_water_totals_count_catalogue_water(client: httpx.AsyncClient, auth_headers) -> None:
    water = str(catalogue_id("Water"))
    tap = str(sr28_id("14411"))
    for food_id, body in ((water, {"portion": "glass"}), (tap, {"grams": 300})):
        response = await client.post("/api/v1/food-logs", headers=auth_headers, json={
            "food_id": food_id, "meal": "snack", "eaten_at": _at(2)} | body)
        assert response.status_code == 201, response.text
    day = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    summary = (await client.get("/api/v1/summary/daily", params={"date": day}, headers=auth_headers)).json()
    assert summary["water_ml"] == 550
