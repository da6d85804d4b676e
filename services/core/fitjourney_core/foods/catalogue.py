"""The food catalogue shipped as `data/foods.csv`: parsing it, and seeding it into `core.foods`."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

# Catalogue ids are derived from the name, so every deployment (and every client cache) agrees on them.
CATALOGUE_NAMESPACE = uuid.UUID("5b0f2f8e-3c55-4a3e-9d1e-0f1e2d3c4b5a")
NUMERIC_COLUMNS = ("kcal_per_100g", "protein_g", "carbs_g", "fat_g", "fibre_g", "alcohol_g")


def catalogue_id(name: str) -> uuid.UUID:
    return uuid.uuid5(CATALOGUE_NAMESPACE, name.strip().lower())


@dataclass(frozen=True)
class CatalogueFood:
    id: uuid.UUID
    name: str
    category: str
    kcal_per_100g: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fibre_g: float
    alcohol_g: float
    portions: list[dict[str, Any]] = field(default_factory=list)
    source_id: str | None = None

    def as_row(self) -> dict[str, Any]:
        return {
            "id": self.id, "user_id": None, "name": self.name, "category": self.category,
            "kcal_per_100g": self.kcal_per_100g, "protein_g": self.protein_g, "carbs_g": self.carbs_g,
            "fat_g": self.fat_g, "fibre_g": self.fibre_g, "alcohol_g": self.alcohol_g,
            "portions": self.portions, "source_id": self.source_id, "version": 1,
        }


def parse_portions(raw: str) -> list[dict[str, Any]]:
    """`medium:118|cup:240` → `[{"name": "medium", "grams": 118.0}, {"name": "cup", "grams": 240.0}]`."""
    portions = []
    for part in filter(None, (p.strip() for p in raw.split("|"))):
        name, _, grams = part.rpartition(":")
        if not name or float(grams) <= 0:
            raise ValueError(f"bad portion {part!r}")
        portions.append({"name": name.strip(), "grams": float(grams)})
    return portions


def parse_catalogue(text: str) -> list[CatalogueFood]:
    """Rows of the CSV; lines starting with `#` are comments (the source and licence note)."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    foods = []
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        numbers = {column: float(row[column]) for column in NUMERIC_COLUMNS}
        foods.append(CatalogueFood(
            id=catalogue_id(row["name"]), name=row["name"].strip(), category=row["category"].strip(),
            portions=parse_portions(row["portions"]), source_id=(row.get("source_id") or "").strip() or None,
            **numbers,
        ))
    return foods


@cache
def load_catalogue() -> tuple[CatalogueFood, ...]:
    text = resources.files("fitjourney_core").joinpath("data/foods.csv").read_text(encoding="utf-8")
    return tuple(parse_catalogue(text))


def seed_catalogue(connection: Connection, foods_table: sa.Table) -> int:
    """Insert catalogue foods that are missing and refresh the ones already there (by id); idempotent.

    Runs in migrations (as the schema owner), so a later catalogue edit ships as a migration calling
    this again. Returns how many rows were inserted.
    """
    rows = [food.as_row() for food in load_catalogue()]
    existing = set(connection.execute(
        sa.select(foods_table.c.id).where(foods_table.c.user_id.is_(None))).scalars())
    new_rows = [row for row in rows if row["id"] not in existing]
    if new_rows:
        connection.execute(foods_table.insert(), new_rows)
    for row in rows:
        if row["id"] in existing:
            values = {k: v for k, v in row.items() if k not in ("id", "user_id", "version")}
            connection.execute(foods_table.update().where(foods_table.c.id == row["id"]).values(**values))
    return len(new_rows)
