"""The food catalogue built from USDA SR28 (plus a tiny supplement), and its bulk import into
`core.food_catalogue`.

`build_catalogue()` turns the shipped source files into rows; `import_catalogue(connection)` makes the
table match them (insert, update what changed, retire what is gone). Migrations and the operator command
`python -m fitjourney_core.foods.build` both call it. Food logs keep their own copy of the nutrients, so
an import never changes a user's history.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from fitjourney_core.foods.search_terms import search_head, search_text
from fitjourney_core.foods.sr28 import SrFood, SrPortion, read_release

# Catalogue ids are derived from the source, so every deployment (and every client cache) agrees on them.
CATALOGUE_NAMESPACE = uuid.UUID("5b0f2f8e-3c55-4a3e-9d1e-0f1e2d3c4b5a")
SR28_SOURCE_PREFIX = "SR28:"
SUPPLEMENT_FILE = "data/foods-supplement.json"
COMMON_FILE = "data/foods-common.txt"

# Per-100 g nutrient columns of `core.food_catalogue` beyond kcal_per_100g, protein_g, carbs_g, fat_g.
EXTRA_NUTRIENTS = (
    "fibre_g", "sugars_g", "saturated_fat_g", "monounsaturated_fat_g", "polyunsaturated_fat_g",
    "cholesterol_mg", "sodium_mg", "potassium_mg", "calcium_mg", "iron_mg", "vitamin_c_mg", "water_g",
)

# Lower sorts first among equally good name matches: everyday single foods before baby food, branded
# products, fast food and restaurant dishes (which people search for by their own words anyway).
GROUP_PRIOR = {
    "Baby Foods": 4, "American Indian/Alaska Native Foods": 4, "Restaurant Foods": 3, "Fast Foods": 3,
    "Meals, Entrees, and Side Dishes": 3, "Soups, Sauces, and Gravies": 2, "Snacks": 2, "Sweets": 2,
    "Baked Products": 1, "Breakfast Cereals": 1, "Sausages and Luncheon Meats": 1, "Spices and Herbs": 1,
}
BRANDED_PRIOR = 2
# Foods in data/foods-common.txt (what people log most often) come first among equally good name matches.
COMMON_PRIOR = -4
# A brand or trade name is spelled in capitals in SR28 ("Cereals ready-to-eat, KELLOGG'S ...").
_BRAND_WORD = re.compile(r"\b[A-Z][A-Z'&]{2,}\b")
_WATER_NAME = re.compile(r"\bwater, (tap|bottled)\b", re.IGNORECASE)


def catalogue_id(name: str) -> uuid.UUID:
    """Id of a supplement food (and of the hand-typed catalogue before SR28): a UUIDv5 of its name."""
    return uuid.uuid5(CATALOGUE_NAMESPACE, name.strip().lower())


def sr28_id(ndb_no: str) -> uuid.UUID:
    """Id of the SR28 food with this NDB number, e.g. `sr28_id("09040")` (Bananas, raw)."""
    return uuid.uuid5(CATALOGUE_NAMESPACE, SR28_SOURCE_PREFIX + ndb_no)


@dataclass(frozen=True)
class CatalogueFood:
    id: uuid.UUID
    name: str
    food_group: str | None
    ndb_no: str | None
    source_id: str
    # kcal, protein_g, carbs_g, fat_g and EXTRA_NUTRIENTS per 100 g; None = not in the source.
    per_100g: dict[str, float | None]
    portions: list[dict[str, Any]]
    search_prior: int
    is_water: bool

    def as_row(self) -> dict[str, Any]:
        values = dict(self.per_100g)
        return {
            "id": self.id, "name": self.name, "category": self.food_group,
            "ndb_no": self.ndb_no, "source_id": self.source_id,
            "kcal_per_100g": values.pop("kcal"), **values,
            "portions": self.portions, "search_text": search_text(self.name), "search_head": search_head(self.name),
            "search_prior": self.search_prior, "is_water": self.is_water,
        }


def portion_name(portion: SrPortion) -> str:
    """"cup, sliced" for one cup; "0.5 cup" or "3 oz" when the measure is another amount."""
    if portion.amount == 1:
        return portion.description
    return f"{portion.amount:g} {portion.description}"


def portions_of(sr_portions: tuple[SrPortion, ...]) -> list[dict[str, Any]]:
    """Every WEIGHT.txt row of the food, in its Seq order; a repeated name gets " (2)" (logs name a portion)."""
    portions: list[dict[str, Any]] = []
    seen: set[str] = set()
    for portion in sr_portions:
        name = portion_name(portion)
        candidate, n = name, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{name} ({n})"
        seen.add(candidate.lower())
        portions.append({"name": candidate, "grams": portion.grams})
    return portions


@cache
def common_foods() -> frozenset[str]:
    text = resources.files("fitjourney_core").joinpath(COMMON_FILE).read_text("utf-8")
    return frozenset(line.split()[0] for line in text.splitlines() if line.strip() and not line.startswith("#"))


def search_prior(food: SrFood) -> int:
    prior = GROUP_PRIOR.get(food.food_group or "", 0)
    if food.ndb_no in common_foods():
        prior += COMMON_PRIOR
    if food.manufacturer or _BRAND_WORD.search(food.long_description):
        prior += BRANDED_PRIOR
    # The plain raw food is what people most often mean ("banana", "broccoli").
    if "raw" in (part.strip().lower() for part in food.long_description.split(",")[1:]):
        prior -= 1
    return prior


def _is_water(food: SrFood) -> bool:
    return (food.food_group == "Beverages" and food.nutrients["kcal"] == 0
            and bool(_WATER_NAME.search(food.long_description)))


def _from_sr28(food: SrFood) -> CatalogueFood:
    return CatalogueFood(
        id=sr28_id(food.ndb_no), name=food.long_description, food_group=food.food_group, ndb_no=food.ndb_no,
        source_id=SR28_SOURCE_PREFIX + food.ndb_no, per_100g=dict(food.nutrients),
        portions=portions_of(food.portions), search_prior=search_prior(food), is_water=_is_water(food),
    )


def _supplement(by_ndb: dict[str, SrFood]) -> list[CatalogueFood]:
    """Friendly names kept from the old catalogue; each takes its values from the SR28 food it names."""
    raw = json.loads(resources.files("fitjourney_core").joinpath(SUPPLEMENT_FILE).read_text("utf-8"))
    foods = []
    for entry in raw["foods"]:
        source = by_ndb[entry["same_as_ndb"]]
        portions = portions_of(source.portions)
        known = {p["name"].lower() for p in portions}
        portions += [p for p in entry.get("extra_portions", []) if p["name"].lower() not in known]
        foods.append(CatalogueFood(
            id=catalogue_id(entry["name"]), name=entry["name"], food_group=source.food_group, ndb_no=None,
            source_id=SR28_SOURCE_PREFIX + source.ndb_no, per_100g=dict(source.nutrients), portions=portions,
            # Sorted before the SR28 entry it copies: it is the name people type.
            search_prior=search_prior(source) - 1, is_water=bool(entry.get("is_water", False)),
        ))
    return foods


@cache
def build_catalogue() -> tuple[CatalogueFood, ...]:
    """Every SR28 food (8,790), then the supplement."""
    release = read_release()
    by_ndb = {food.ndb_no: food for food in release}
    return tuple([_from_sr28(food) for food in release] + _supplement(by_ndb))


# The columns an import writes: defined here, not taken from the ORM model, so an old migration that calls
# import_catalogue keeps working when the model grows.
_VALUE_COLUMNS = (
    "name", "category", "ndb_no", "source_id", "kcal_per_100g", "protein_g", "carbs_g", "fat_g",
    *EXTRA_NUTRIENTS, "portions", "search_text", "search_head", "search_prior", "is_water",
)
CATALOGUE_TABLE = "food_catalogue"
# Before revision 0013 the catalogue shared `foods` with users' own foods, as the rows without an owner
# (revision 0006 imports into it).
SHARED_TABLE = "foods"


def _table(name: str) -> sa.TableClause:
    owner = [sa.column("user_id", sa.Uuid())] if name == SHARED_TABLE else []
    return sa.table(
        name,
        sa.column("id", sa.Uuid()), sa.column("version", sa.Integer()),
        sa.column("deleted_at", sa.DateTime(timezone=True)), sa.column("updated_at", sa.DateTime(timezone=True)),
        *(sa.column(column, sa.JSON() if column == "portions" else None) for column in _VALUE_COLUMNS), *owner,
        schema="core",
    )


@dataclass(frozen=True)
class ImportReport:
    inserted: int
    updated: int
    unchanged: int
    retired: int


def _same(stored: Any, new: dict[str, Any]) -> bool:
    return stored.deleted_at is None and all(getattr(stored, name) == new[name] for name in _VALUE_COLUMNS)


def import_catalogue(connection: Connection, table_name: str = CATALOGUE_TABLE) -> ImportReport:
    """Make the rows of `core.food_catalogue` equal to `build_catalogue()`; idempotent.

    Ids are stable, so a food's row is updated in place (its version moves when a value changed); catalogue
    rows no longer in the source are retired (soft-deleted): old food logs that name them keep their own
    stored values and stay readable. Must run as the table owner: on PostgreSQL the table FORCEs row-level
    security (whose policies let nobody write), which is lifted for this transaction only (ALTER TABLE is
    transactional and locks the table, so no other session ever sees it lifted).
    """
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.execute(sa.text(f"ALTER TABLE core.{table_name} NO FORCE ROW LEVEL SECURITY"))
    table = _table(table_name)
    rows = [food.as_row() for food in build_catalogue()]
    stored = {row.id: row for row in connection.execute(
        sa.select(table.c.id, table.c.version, table.c.deleted_at, *(table.c[name] for name in _VALUE_COLUMNS))
        .where(table.c.user_id.is_(None) if "user_id" in table.c else sa.true()))}
    inserts = [dict(row, version=1) for row in rows if row["id"] not in stored]
    updates = [
        {**{f"v_{name}": row[name] for name in _VALUE_COLUMNS}, "v_id": row["id"],
         "v_version": stored[row["id"]].version + 1}
        for row in rows if row["id"] in stored and not _same(stored[row["id"]], row)
    ]
    if inserts:
        connection.execute(table.insert(), inserts)
    if updates:
        connection.execute(
            table.update().where(table.c.id == sa.bindparam("v_id")).values(
                {**{name: sa.bindparam(f"v_{name}") for name in _VALUE_COLUMNS},
                 "version": sa.bindparam("v_version"), "deleted_at": None, "updated_at": sa.func.now()}),
            updates,
        )
    current = {row["id"] for row in rows}
    gone = [food_id for food_id, row in stored.items() if food_id not in current and row.deleted_at is None]
    for start in range(0, len(gone), 500):
        connection.execute(
            table.update().where(table.c.id.in_(gone[start:start + 500]))
            .values(deleted_at=sa.func.now(), updated_at=sa.func.now(), version=table.c.version + 1))
    if postgres:
        connection.execute(sa.text(f"ALTER TABLE core.{table_name} FORCE ROW LEVEL SECURITY"))
    return ImportReport(inserted=len(inserts), updated=len(updates),
                        unchanged=len(rows) - len(inserts) - len(updates), retired=len(gone))
