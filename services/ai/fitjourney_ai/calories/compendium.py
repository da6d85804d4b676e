"""The 2011 Compendium of Physical Activities as ai reads it: MET per activity, and MET by speed."""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

MPH_TO_KMH = 1.609344
YARDS_PER_MIN_TO_KMH = 0.9144 * 60 / 1000
# Activities whose MET follows the speed table of their category when a distance is known. Terrain- or
# stroke-specific entries (trail running, hiking, mountain biking, breaststroke ...) keep their own MET:
# the flat-ground speed rows do not describe them.
GENERIC_SPEED_CODES = frozenset({"running", "jogging", "walking", "cycling", "swimming", "swimming_vigorous"})


@dataclass(frozen=True)
class Activity:
    code: str
    name: str
    category: str
    met: float
    speed_kmh: float | None
    compendium_code: str | None


@dataclass(frozen=True)
class SpeedRow:
    speed_kmh: float
    met: float
    compendium_code: str


@dataclass(frozen=True)
class SpeedMet:
    """The MET at a speed, with the table rows it came from (one row when clamped to the table's end)."""

    met: float
    rows: tuple[SpeedRow, ...]
    clamped: bool


def _read_json(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads(resources.files("fitjourney_ai").joinpath(f"data/{name}").read_text("utf-8"))  # type: ignore[no-any-return]


@cache
def activities() -> dict[str, Activity]:
    """ai's copy of core's activity catalogue (`data/activities.json`, held equal to core's by a test)."""
    raw = _read_json("activities.json")
    return {
        item["code"]: Activity(code=item["code"], name=item["name"], category=item["category"], met=item["met"],
                               speed_kmh=item.get("speed_kmh"), compendium_code=item.get("compendium_code"))
        for item in raw["activities"]
    }


@cache
def speed_tables() -> dict[str, tuple[SpeedRow, ...]]:
    """Per category (running, walking, cycling, swimming) the speed rows, slowest first."""
    raw = _read_json("compendium_speeds.json")
    tables: dict[str, tuple[SpeedRow, ...]] = {}
    for category, rows in raw["tables"].items():
        parsed = [
            SpeedRow(
                speed_kmh=row["mph"] * MPH_TO_KMH if "mph" in row else row["yards_per_min"] * YARDS_PER_MIN_TO_KMH,
                met=row["met"], compendium_code=row["compendium_code"],
            )
            for row in rows
        ]
        tables[category] = tuple(sorted(parsed, key=lambda r: r.speed_kmh))
    return tables


def speed_category(activity: Activity) -> str | None:
    """The speed table an activity follows, or None when its MET does not depend on speed."""
    if activity.category not in speed_tables():
        return None
    if activity.speed_kmh is None and activity.code not in GENERIC_SPEED_CODES:
        return None
    return activity.category


def met_at_speed(category: str, speed_kmh: float) -> SpeedMet:
    """Linear interpolation between the two table rows around `speed_kmh`; clamped outside the table."""
    rows = speed_tables()[category]
    speeds = [row.speed_kmh for row in rows]
    if speed_kmh <= speeds[0]:
        return SpeedMet(met=rows[0].met, rows=(rows[0],), clamped=speed_kmh < speeds[0])
    if speed_kmh >= speeds[-1]:
        return SpeedMet(met=rows[-1].met, rows=(rows[-1],), clamped=speed_kmh > speeds[-1])
    upper = bisect.bisect_left(speeds, speed_kmh)
    high = rows[upper]
    if high.speed_kmh == speed_kmh:
        return SpeedMet(met=high.met, rows=(high,), clamped=False)
    low = rows[upper - 1]
    share = (speed_kmh - low.speed_kmh) / (high.speed_kmh - low.speed_kmh)
    return SpeedMet(met=low.met + share * (high.met - low.met), rows=(low, high), clamped=False)
