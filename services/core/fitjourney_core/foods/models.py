"""Foods: the shared catalogue built from USDA SR28 (`food_catalogue`, nobody's, read by everyone) and
users' custom foods (`foods`, each row its owner's under row-level security), with the same columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_common.db.base import TimestampMixin, UtcDateTime, UUIDPrimaryKeyMixin, VersionMixin
from fitjourney_core.db import Base, UserOwnedMixin

# Every nutrient column, as the API names it inside `per_100g` (the column of energy is kcal_per_100g).
PER_100G_FIELDS = (
    "kcal", "protein_g", "carbs_g", "fat_g", "fibre_g", "sugars_g", "saturated_fat_g", "monounsaturated_fat_g",
    "polyunsaturated_fat_g", "cholesterol_mg", "sodium_mg", "potassium_mg", "calcium_mg", "iron_mg",
    "vitamin_c_mg", "water_g",
)


class FoodValues:
    """Nutrients per 100 g edible portion (NULL: not known); `portions` is `[{name, grams}]`."""

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # The SR28 food group for catalogue foods; the user's own label for custom foods.
    category: Mapped[str | None] = mapped_column(String(40))
    ndb_no: Mapped[str | None] = mapped_column(String(5))
    kcal_per_100g: Mapped[float] = mapped_column(Float, nullable=False)
    protein_g: Mapped[float] = mapped_column(Float, nullable=False)
    carbs_g: Mapped[float] = mapped_column(Float, nullable=False)
    fat_g: Mapped[float] = mapped_column(Float, nullable=False)
    fibre_g: Mapped[float | None] = mapped_column(Float)
    sugars_g: Mapped[float | None] = mapped_column(Float)
    saturated_fat_g: Mapped[float | None] = mapped_column(Float)
    monounsaturated_fat_g: Mapped[float | None] = mapped_column(Float)
    polyunsaturated_fat_g: Mapped[float | None] = mapped_column(Float)
    cholesterol_mg: Mapped[float | None] = mapped_column(Float)
    sodium_mg: Mapped[float | None] = mapped_column(Float)
    potassium_mg: Mapped[float | None] = mapped_column(Float)
    calcium_mg: Mapped[float | None] = mapped_column(Float)
    iron_mg: Mapped[float | None] = mapped_column(Float)
    vitamin_c_mg: Mapped[float | None] = mapped_column(Float)
    water_g: Mapped[float | None] = mapped_column(Float)
    # Not in SR28's abbreviated table; kept for custom foods of the first catalogue's era.
    alcohol_g: Mapped[float | None] = mapped_column(Float)
    portions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    # Where catalogue values come from: "SR28:09040" (USDA SR28, NDB number 09040).
    source_id: Mapped[str | None] = mapped_column(String(40))
    # Search (foods/search_terms.py): the name's words between spaces, the words of its first part, and
    # a prior that orders equally good matches (common foods and your own first, baby food last).
    search_text: Mapped[str] = mapped_column(String(400), nullable=False, default=" ")
    search_head: Mapped[str] = mapped_column(String(200), nullable=False, default=" ")
    search_prior: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Logged amounts count towards the day's water (ml = g).
    is_water: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    @property
    def per_100g(self) -> dict[str, float | None]:
        return {field: getattr(self, "kcal_per_100g" if field == "kcal" else field) for field in PER_100G_FIELDS}


class CatalogueEntry(UUIDPrimaryKeyMixin, TimestampMixin, VersionMixin, FoodValues, Base):
    """A food of the shared catalogue, written only by its import (`catalogue.py`); a food no longer in the
    source is retired (`deleted_at` set). A table of its own, without per-user rows, so that its search
    index serves every user (migration 0013)."""

    __tablename__ = "food_catalogue"
    __table_args__ = (Index("uq_food_catalogue_ndb_no", "ndb_no", unique=True),)

    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    is_custom = False


class Food(UUIDPrimaryKeyMixin, UserOwnedMixin, FoodValues, Base):
    """A user's own (custom) food: visible to and written by its owner only."""

    __tablename__ = "foods"

    is_custom = True


# A food a search, a log or a photo may name: the catalogue's or the user's own.
AnyFood = CatalogueEntry | Food
