"""Request and response shapes of food logs, day views and food-photo jobs."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from fitjourney_common.text import refers_to
from fitjourney_core.schemas import PastMoment, ReadModel, RequestModel, UtcDatetime

Meal = Literal["breakfast", "lunch", "dinner", "snack"]
MAX_GRAMS = 5000
PortionName = Annotated[str, refers_to("the food's portions (portions[].name)")]


class FoodLogCreate(RequestModel):
    """Send exactly one of `grams` or `portion` (a portion name of the food, times `quantity`). The log's
    nutrients are absolute (for the amount eaten), computed from the food's `per_100g` once and kept."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "food_id": "3999b180-e93b-536e-9492-1ba52d73d6b6", "portion": "medium", "meal": "breakfast",
        "eaten_at": "2026-11-25T08:00:00Z"}]})
    id: uuid.UUID | None = None
    food_id: uuid.UUID
    grams: float | None = Field(default=None, gt=0, le=MAX_GRAMS)
    portion: PortionName | None = Field(default=None, min_length=1, max_length=120)
    quantity: float | None = Field(default=None, gt=0, le=50, description="How many portions (default 1)")
    meal: Meal
    eaten_at: PastMoment


class FoodLogUpdate(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"grams": 150}]})

    food_id: uuid.UUID | None = None
    grams: float | None = Field(default=None, gt=0, le=MAX_GRAMS)
    portion: PortionName | None = Field(default=None, min_length=1, max_length=120)
    quantity: float | None = Field(default=None, gt=0, le=50)
    meal: Meal | None = None
    eaten_at: PastMoment | None = None


class FoodLogRead(ReadModel):
    id: uuid.UUID
    food_id: uuid.UUID | None
    food_name: str
    grams: float
    portion: str | None
    quantity: float | None
    meal: Meal
    eaten_at: UtcDatetime
    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fibre_g: float
    source: Literal["manual", "photo"]
    photo_job_id: uuid.UUID | None
    version: int
    created_at: UtcDatetime
    updated_at: UtcDatetime


class Totals(BaseModel):
    kcal: float = 0.0
    protein_g: float = 0.0
    carbs_g: float = 0.0
    fat_g: float = 0.0
    fibre_g: float = 0.0


class FoodLogDay(BaseModel):
    """One local calendar day of the user (their profile's time zone)."""

    date: date
    time_zone: str
    items: list[FoodLogRead]
    totals_by_meal: dict[Meal, Totals]
    totals: Totals


class FoodLogPage(BaseModel):
    items: list[FoodLogRead]
    next_cursor: str | None = None


class PhotoCandidate(BaseModel):
    label: str
    confidence: float
    grams: float
    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float


class PhotoJobRead(ReadModel):
    job_id: uuid.UUID = Field(validation_alias="id")
    status: Literal["pending", "done", "unavailable", "failed"]
    candidates: list[PhotoCandidate]
    content_type: str = Field(description=(
        "Type of the stored picture. Uploads are re-encoded without metadata: opaque images as JPEG (so a PNG "
        "without transparency comes back `image/jpeg`), images with transparency as PNG"))
    created_at: UtcDatetime
    updated_at: UtcDatetime
    recognized_at: UtcDatetime | None
    reason: str | None = Field(default=None, description=(
        "Why there are no candidates: `unavailable` (no food model on the server, e.g. torch not installed) "
        "or `failed` (the image could not be read); null while pending and when done"))
    version: int


class PhotoAccept(RequestModel):
    """Turn candidate `candidate_index` into a food log; `grams` rescales its estimate."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"candidate_index": 0, "meal": "lunch"}]})
    id: uuid.UUID | None = None
    candidate_index: int = Field(ge=0, le=99)
    meal: Meal
    eaten_at: PastMoment | None = None
    grams: float | None = Field(default=None, gt=0, le=MAX_GRAMS)
