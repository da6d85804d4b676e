"""Activity codes and METs equal the 2011 Compendium of Physical Activities, and the speed tables are
well-formed bands the calorie estimator can pick from.

Source of the rows below, transcribed by hand: Ainsworth BE, Haskell WL, Herrmann SD, et al. 2011
Compendium of Physical Activities: a second update of codes and MET values. Med Sci Sports Exerc.
2011;43(8):1575-1581, table "2011 Compendium" (code, MET, description), as published on the Compendium's
tracking-guide site (Arizona State University, Healthy Lifestyles Research Center).
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import httpx
import pytest

from fitjourney_core.activities.catalogue import load_catalogue, met_at_speed, speed_tables

DATA = Path(__file__).resolve().parents[2] / "fitjourney_core/data"

# activity code → (Compendium code, MET, the Compendium's description)
PUBLISHED_2011 = {
    "strength_training": ("02054", 3.5, "resistance (weight) training, multiple exercises, 8-15 repetitions at "
                                        "varied resistance"),
    "strength_training_vigorous": ("02050", 6.0, "resistance training (weight lifting - free weight, nautilus or "
                                                 "universal-type), power lifting or body building, vigorous effort"),
    "cycling_leisure": ("01010", 4.0, "bicycling, <10 mph, leisure, to work or for pleasure"),
    "cycling_moderate": ("01030", 8.0, "bicycling, 12-13.9 mph, leisure, moderate effort"),
    "cycling_vigorous": ("01040", 10.0, "bicycling, 14-15.9 mph, racing or leisure, fast, vigorous effort"),
    "cycling_mountain": ("01009", 8.5, "bicycling, mountain, general"),
    "cycling_stationary": ("02010", 7.0, "bicycling, stationary, general"),
    "walking_slow": ("17152", 2.8, "walking, 2.0 mph, level, slow pace, firm surface"),
    "walking": ("17190", 3.5, "walking, 2.8 to 3.2 mph, level, moderate pace, firm surface"),
    "walking_brisk": ("17200", 4.3, "walking, 3.5 mph, level, brisk, firm surface, walking for exercise"),
    "walking_very_brisk": ("17220", 5.0, "walking, 4.0 mph, level, firm surface, very brisk pace"),
    "running_8kmh": ("12030", 8.3, "running, 5 mph (12 min/mile)"),
    "running_12kmh": ("12080", 11.5, "running, 7.5 mph (8 min/mile)"),
    "swimming": ("18240", 5.8, "swimming laps, freestyle, front crawl, slow, light or moderate effort"),
    "swimming_vigorous": ("18290", 8.3, "swimming, crawl, medium speed, ~50 yards/minute, vigorous effort"),
    "swimming_breaststroke": ("18265", 5.3, "swimming, breaststroke, recreational"),
    "swimming_backstroke": ("18255", 4.8, "swimming, backstroke, recreational"),
    "swimming_butterfly": ("18270", 13.8, "swimming, butterfly, general"),
    "swimming_leisure": ("18310", 6.0, "swimming, leisurely, not lap swimming, general"),
    "yoga": ("02150", 2.5, "yoga, Hatha"),
    "yoga_power": ("02160", 4.0, "yoga, Power"),
    "dancing": ("03031", 7.8, "general dancing (e.g., disco, folk, Irish step dancing, line dancing, polka, contra, "
                              "country)"),
    "basketball_game": ("15040", 8.0, "basketball, game"),
    "volleyball": ("15720", 3.0, "volleyball, non-competitive, 6 - 9 member team, general"),
    "golf": ("15265", 4.3, "golf, walking, carrying clubs"),
    "boxing_bag": ("15110", 5.5, "boxing, punching bag"),
    "skiing_downhill": ("19160", 5.3, "skiing, downhill, alpine or snowboarding, moderate effort, general, active "
                                      "time only"),
    "rowing": ("02072", 7.0, "rowing, stationary, 100 watts, moderate effort"),
    "jump_rope": ("15551", 11.8, "rope jumping, moderate pace, 100-120 skips/min, general, 2 foot skip, plain bounce"),
}


@pytest.mark.parametrize(("code", "published"), PUBLISHED_2011.items())
def test_activity_has_the_2011_code_and_met(code: str, published: tuple[str, float, str]) -> None:
    activity = next(a for a in load_catalogue().items if a.code == code)
    assert (activity.compendium_code, activity.met) == published[:2], published[2]


def test_no_two_activities_claim_one_code_with_different_mets() -> None:
    by_code: dict[str, set[float]] = {}
    for activity in load_catalogue().items:
        if activity.compendium_code:
            by_code.setdefault(activity.compendium_code, set()).add(activity.met)
    assert {code: mets for code, mets in by_code.items() if len(mets) > 1} == {}


def test_speed_tables_are_contiguous_bands_slowest_first() -> None:
    tables = speed_tables()
    assert set(tables) == {"running", "walking", "cycling", "swimming"}
    for name, bands in tables.items():
        assert bands[0].from_kmh == 0 and bands[-1].to_kmh is None, name
        for slower, faster in pairwise(bands):
            assert slower.to_kmh == faster.from_kmh, (name, slower.compendium_code)
            assert slower.from_kmh <= slower.speed_kmh < faster.speed_kmh, (name, slower.compendium_code)
            assert slower.met <= faster.met, (name, slower.compendium_code)
    for activity in load_catalogue().items:
        assert activity.speed_table in (None, *tables), activity.code


# The swimming speed table's rows: (Compendium code, MET, description) of the 2011 Compendium, water
# activities (18xxx). 18240 publishes no speed; the table places it at 25 yd/min (its `note` says so).
PUBLISHED_2011_SWIMMING_ROWS = [
    ("18240", 5.8, "swimming laps, freestyle, front crawl, slow, light or moderate effort", None),
    ("18290", 8.3, "swimming, crawl, medium speed, ~50 yards/minute, vigorous effort", 50.0),
    ("18280", 10.0, "swimming, crawl, fast speed, ~75 yards/minute, vigorous effort", 75.0),
]


def test_swimming_rows_are_the_2011_compendium_s() -> None:
    rows = json.loads((DATA / "activity-speeds.json").read_text("utf-8"))["tables"]["swimming"]
    assert [(r["compendium_code"], r["met"], r["description"]) for r in rows] == [
        published[:3] for published in PUBLISHED_2011_SWIMMING_ROWS]
    for row, (_code, _met, _description, yards_per_min) in zip(rows, PUBLISHED_2011_SWIMMING_ROWS, strict=True):
        if yards_per_min is not None:
            assert row["yards_per_min"] == yards_per_min
        else:
            assert "no speed given" in row["note"]


@pytest.mark.parametrize(("table", "speed_kmh", "code", "met"), [
    ("running", 10.0, "12050", 9.8),     # 6.2 mph: the 6 mph row's band (5.6-6.35 mph)
    ("running", 16.1, "12120", 14.5),    # 10 mph
    ("walking", 5.0, "17190", 3.5),      # 3.1 mph, inside 2.8-3.2 mph
    ("walking", 5.6, "17200", 4.3),      # 3.5 mph
    ("cycling", 20.0, "01030", 8.0),     # 12.4 mph, inside 12-13.9 mph
    ("cycling", 40.0, "01060", 15.8),    # beyond 20 mph
    ("swimming", 2.74, "18290", 8.3),    # 50 yd/min
])
def test_a_speed_picks_its_band(table: str, speed_kmh: float, code: str, met: float) -> None:
    band = met_at_speed(table, speed_kmh)
    assert (band.compendium_code, band.met) == (code, met)


async def test_the_api_serves_the_speed_tables(client: httpx.AsyncClient, auth_headers) -> None:
    body = (await client.get("/api/v1/activities", headers=auth_headers)).json()
    assert "2011 Compendium" in body["source"]
    running = body["speed_tables"]["running"]
    assert running[0] == {"compendium_code": "12029", "met": 6.0, "description": "running, 4 mph (15 min/mile)",
                          "speed_kmh": 6.44, "from_kmh": 0.0, "to_kmh": 7.24, "note": None}
    items = {a["code"]: a for a in body["items"]}
    assert items["running"]["speed_table"] == "running" and items["running_trail"]["speed_table"] is None
    filtered = (await client.get("/api/v1/activities", params={"category": "swimming"}, headers=auth_headers)).json()
    assert set(filtered["speed_tables"]) == set(body["speed_tables"])
