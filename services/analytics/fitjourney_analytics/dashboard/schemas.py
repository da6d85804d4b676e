"""Request and response models of the dashboard."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

PeriodParam = Literal["week", "month", "quarter", "year"]


class DashboardRead(BaseModel):
    """Per-day (`days`, every local day of the period, empty ones included) and per-week (`weeks`,
    Monday-based) series, and the period's figures. Sums are 0 on an empty day; measurements
    (weight, body fat, mood, energy) are null."""

    period: PeriodParam
    from_: str = Field(alias="from")
    to: str
    time_zone: str
    targets: dict[str, float] | None
    days: list[dict[str, Any]]
    weeks: list[dict[str, Any]]
    totals: dict[str, Any]
    macros_vs_targets: dict[str, Any]
    weight: dict[str, Any]
    body_fat: dict[str, Any]
    habits: dict[str, Any]
    journal: dict[str, Any]
    adherence: dict[str, Any]
    cached: bool = False

    model_config = {"populate_by_name": True}
