"""Shapes of the food-recognition endpoint."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CandidateRead(BaseModel):
    label: str = Field(description="the catalogue food (USDA SR28 description)")
    source_id: str | None = Field(default=None, description="SR28:<NDB number>")
    confidence: float
    grams: float = Field(description="a typical portion of the dish")
    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float


class RecognitionRead(BaseModel):
    status: str = Field(description="done, or failed (the image could not be read)")
    candidates: list[CandidateRead]
    model_version: str | None = None
    reason: str | None = None
