"""The activity catalogue and the Compendium's speed tables shipped with the package, loaded once."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from fitjourney_core.activities.schemas import ActivityList, ActivityRead, SpeedBand

# Units of data/activity-speeds.json, in km/h.
KMH_PER_UNIT = {"mph": 1.609344, "yards_per_min": 0.9144 * 60 / 1000}


def _data(name: str) -> dict[str, Any]:
    return json.loads(resources.files("fitjourney_core").joinpath(f"data/{name}").read_text("utf-8"))  # type: ignore[no-any-return]


def _band(row: dict[str, Any]) -> SpeedBand:
    unit = next(unit for unit in KMH_PER_UNIT if unit in row)
    factor = KMH_PER_UNIT[unit]
    return SpeedBand(
        compendium_code=row["compendium_code"], met=row["met"], description=row["description"],
        speed_kmh=round(row[unit] * factor, 2), from_kmh=round(row["from"] * factor, 2),
        to_kmh=None if row["to"] is None else round(row["to"] * factor, 2), note=row.get("note"),
    )


@cache
def speed_tables() -> dict[str, list[SpeedBand]]:
    return {name: [_band(row) for row in rows] for name, rows in _data("activity-speeds.json")["tables"].items()}


@cache
def load_catalogue() -> ActivityList:
    raw = _data("activities.json")
    return ActivityList(items=[ActivityRead(**item) for item in raw["activities"]], source=raw["source"],
                        speed_tables=speed_tables())


@cache
def activities_by_code() -> dict[str, ActivityRead]:
    return {activity.code: activity for activity in load_catalogue().items}


def find_activity(code: str) -> ActivityRead | None:
    return activities_by_code().get(code)


def met_at_speed(table: str, speed_kmh: float) -> SpeedBand:
    """The band of `table` that `speed_kmh` falls in (the first band below it, the last above it)."""
    bands = speed_tables()[table]
    for band in bands:
        if band.to_kmh is None or speed_kmh < band.to_kmh:
            return band
    return bands[-1]
