"""Shapes of the activity catalogue and of the Compendium's speed tables."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ActivityRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    category: str
    met: float = Field(description="Gross MET of the 2011 Compendium entry (resting = 1)")
    speed_kmh: float | None = None
    compendium_code: str | None = None
    # With a measured speed (distance / duration), the MET comes from this table of `speed_tables`.
    speed_table: str | None = None


class SpeedBand(BaseModel):
    """One Compendium row: its MET applies from `from_kmh` (inclusive) to `to_kmh` (exclusive; null = no
    upper bound); `speed_kmh` is the speed it was measured at (or the middle of its published range)."""

    model_config = ConfigDict(frozen=True)

    compendium_code: str
    met: float
    description: str
    speed_kmh: float
    from_kmh: float
    to_kmh: float | None
    note: str | None = None


class ActivityList(BaseModel):
    items: list[ActivityRead]
    source: str
    # Speed → MET tables (running, walking, cycling, swimming), slowest band first.
    speed_tables: dict[str, list[SpeedBand]] = Field(default_factory=dict)
