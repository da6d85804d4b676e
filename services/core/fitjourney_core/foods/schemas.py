"""Request and response shapes of foods: nutrients always inside `per_100g` (a food log's are absolute)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field, field_validator

from fitjourney_core.schemas import ReadModel, RequestModel, UtcDatetime

PORTIONS_MAX = 20


class PortionIn(RequestModel):
    name: str = Field(min_length=1, max_length=40)
    grams: float = Field(gt=0, le=5000)


class Portion(BaseModel):
    """A household measure of the food: `name` (e.g. "cup, sliced", "0.5 cup") weighs `grams`."""

    name: str
    grams: float


def _unique_portion_names(portions: list[PortionIn] | None) -> list[PortionIn] | None:
    if portions is not None:
        names = [p.name.lower() for p in portions]
        if len(names) != len(set(names)):
            raise ValueError("portion names must be unique")
    return portions


class Per100gIn(RequestModel):
    """Energy and nutrients in 100 g of the food, as on a label's "per 100 g" column."""

    kcal: float = Field(ge=0, le=910)
    protein_g: float = Field(ge=0, le=100)
    carbs_g: float = Field(ge=0, le=100)
    fat_g: float = Field(ge=0, le=100)
    fibre_g: float = Field(default=0, ge=0, le=100)
    sugars_g: float | None = Field(default=None, ge=0, le=100)
    saturated_fat_g: float | None = Field(default=None, ge=0, le=100)
    sodium_mg: float | None = Field(default=None, ge=0, le=40000)


class Per100gPatch(RequestModel):
    """The per-100 g values to change; the others stay."""

    kcal: float | None = Field(default=None, ge=0, le=910)
    protein_g: float | None = Field(default=None, ge=0, le=100)
    carbs_g: float | None = Field(default=None, ge=0, le=100)
    fat_g: float | None = Field(default=None, ge=0, le=100)
    fibre_g: float | None = Field(default=None, ge=0, le=100)
    sugars_g: float | None = Field(default=None, ge=0, le=100)
    saturated_fat_g: float | None = Field(default=None, ge=0, le=100)
    sodium_mg: float | None = Field(default=None, ge=0, le=40000)


class Per100g(BaseModel):
    """Per 100 g edible portion. null: the source has no value (not zero)."""

    kcal: float
    protein_g: float
    carbs_g: float = Field(description="Total carbohydrate by difference (fibre included)")
    fat_g: float
    fibre_g: float | None = None
    sugars_g: float | None = None
    saturated_fat_g: float | None = None
    monounsaturated_fat_g: float | None = None
    polyunsaturated_fat_g: float | None = None
    cholesterol_mg: float | None = None
    sodium_mg: float | None = None
    potassium_mg: float | None = None
    calcium_mg: float | None = None
    iron_mg: float | None = None
    vitamin_c_mg: float | None = None
    water_g: float | None = None


class FoodCreate(RequestModel):
    """A custom food; its nutrients go in `per_100g`, like the catalogue's."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "Granola (homemade)", "category": "breakfast",
        "per_100g": {"kcal": 450, "protein_g": 10, "carbs_g": 60, "fat_g": 18, "fibre_g": 7},
        "portions": [{"name": "bowl", "grams": 60}]}]})

    id: uuid.UUID | None = None
    name: str = Field(min_length=1, max_length=200)
    category: str | None = Field(default=None, min_length=1, max_length=40)
    per_100g: Per100gIn
    portions: list[PortionIn] = Field(default_factory=list, max_length=PORTIONS_MAX)

    _portions = field_validator("portions")(_unique_portion_names)


class FoodUpdate(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"per_100g": {"kcal": 440}}]})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    category: str | None = Field(default=None, min_length=1, max_length=40)
    per_100g: Per100gPatch | None = None
    portions: list[PortionIn] | None = Field(default=None, max_length=PORTIONS_MAX)

    _portions = field_validator("portions")(_unique_portion_names)


class FoodRead(ReadModel):
    id: uuid.UUID
    name: str
    # Catalogue foods: the SR28 food group ("Fruits and Fruit Juices"); custom foods: the user's label.
    category: str | None
    # USDA NDB number of a catalogue food (e.g. "09040"); null for custom and supplement foods.
    ndb_no: str | None
    per_100g: Per100g
    portions: list[Portion]
    # True for the caller's own foods; catalogue foods are read-only.
    custom: bool = Field(validation_alias="is_custom")
    # Where the values come from: "SR28:<NDB number>"; null for custom foods.
    source_id: str | None
    version: int
    created_at: UtcDatetime
    updated_at: UtcDatetime


class FoodPage(BaseModel):
    items: list[FoodRead]
    next_cursor: str | None = None
