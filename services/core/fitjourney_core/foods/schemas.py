"""Request and response shapes of foods (nutrients per 100 g)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field, field_validator

from fitjourney_core.schemas import ReadModel, RequestModel, UtcDatetime

PORTIONS_MAX = 20


class PortionIn(RequestModel):
    name: str = Field(min_length=1, max_length=40)
    grams: float = Field(gt=0, le=5000)


class Portion(BaseModel):
    name: str
    grams: float


def _unique_portion_names(portions: list[PortionIn] | None) -> list[PortionIn] | None:
    if portions is not None:
        names = [p.name.lower() for p in portions]
        if len(names) != len(set(names)):
            raise ValueError("portion names must be unique")
    return portions


class FoodCreate(RequestModel):
    """A custom food. Energy and macros are per 100 g, like the catalogue."""

    id: uuid.UUID | None = None
    name: str = Field(min_length=1, max_length=200)
    category: str | None = Field(default=None, min_length=1, max_length=40)
    kcal_per_100g: float = Field(ge=0, le=910)
    protein_g: float = Field(ge=0, le=100)
    carbs_g: float = Field(ge=0, le=100)
    fat_g: float = Field(ge=0, le=100)
    fibre_g: float = Field(default=0, ge=0, le=100)
    portions: list[PortionIn] = Field(default_factory=list, max_length=PORTIONS_MAX)

    _portions = field_validator("portions")(_unique_portion_names)


class FoodUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    category: str | None = Field(default=None, min_length=1, max_length=40)
    kcal_per_100g: float | None = Field(default=None, ge=0, le=910)
    protein_g: float | None = Field(default=None, ge=0, le=100)
    carbs_g: float | None = Field(default=None, ge=0, le=100)
    fat_g: float | None = Field(default=None, ge=0, le=100)
    fibre_g: float | None = Field(default=None, ge=0, le=100)
    portions: list[PortionIn] | None = Field(default=None, max_length=PORTIONS_MAX)

    _portions = field_validator("portions")(_unique_portion_names)


class FoodRead(ReadModel):
    id: uuid.UUID
    name: str
    category: str | None
    kcal_per_100g: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fibre_g: float
    portions: list[Portion]
    # True for the caller's own foods; catalogue foods are read-only.
    custom: bool = Field(validation_alias="is_custom")
    source_id: str | None
    version: int
    created_at: UtcDatetime
    updated_at: UtcDatetime


class FoodPage(BaseModel):
    items: list[FoodRead]
    next_cursor: str | None = None
