"""Shapes of the activity catalogue."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ActivityRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    category: str
    met: float
    speed_kmh: float | None = None
    compendium_code: str | None = None


class ActivityList(BaseModel):
    items: list[ActivityRead]
    source: str
