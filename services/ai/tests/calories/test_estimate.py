"""Workout calories against values worked out by hand from the published tables and equations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fitjourney_ai.calories.compendium import activities, met_at_speed
from fitjourney_ai.calories.estimate import WorkoutInput, estimate

REPO = Path(__file__).resolve().parents[4]


def test_ai_activity_catalogue_is_a_copy_of_cores() -> None:
    """ai never imports core; it ships a copy of core's catalogue that must stay identical.

    When core's data/activities.json changes, copy it to services/ai/fitjourney_ai/data/activities.json.
    """
    core = json.loads((REPO / "services/core/fitjourney_core/data/activities.json").read_text())
    ai = json.loads((REPO / "services/ai/fitjourney_ai/data/activities.json").read_text())
    assert ai == core


def test_ai_speed_tables_are_a_copy_of_cores() -> None:
    """Likewise core's data/activity-speeds.json (also served by core's GET /api/v1/activities)."""
    core = json.loads((REPO / "services/core/fitjourney_core/data/activity-speeds.json").read_text())
    ai = json.loads((REPO / "services/ai/fitjourney_ai/data/compendium_speeds.json").read_text())
    assert ai == core


def test_an_hour_at_10_kmh_for_70_kg() -> None:
    # 10 km/h = 6.2137 mph lies between the 2011 Compendium's 6 mph (12050, 9.8 MET) and 6.7 mph
    # (12060, 10.5 MET): 9.8 + (6.2137 - 6) / (6.7 - 6) * 0.7 = 10.0137 MET; x 70 kg x 1 h = 700.96 kcal.
    result = estimate(WorkoutInput("running", duration_min=60, distance_km=10, weight_kg=70))
    assert result.method == "compendium_met_speed"
    assert result.compendium_codes == ("12050", "12060")
    assert result.met == pytest.approx(10.01, abs=0.005)
    assert result.gross_kcal == pytest.approx(701.0, abs=0.1)
    # net leaves out the resting 1 MET: (10.0137 - 1) x 70 x 1 = 630.96
    assert result.net_kcal == pytest.approx(631.0, abs=0.1)


def test_a_three_hour_walk() -> None:
    # 15 km in 3 h = 5 km/h = 3.1069 mph, between 17190 (2.8-3.2 mph, taken at 3.0, 3.5 MET) and 17200
    # (3.5 mph, 4.3 MET): 3.5 + 0.1069 / 0.5 * 0.8 = 3.6710 MET; x 70 kg x 3 h = 770.9 kcal.
    result = estimate(WorkoutInput("walking", duration_min=180, distance_km=15, weight_kg=70))
    assert result.gross_kcal == pytest.approx(770.9, abs=0.1)
    assert result.net_kcal == pytest.approx(560.9, abs=0.1)


def test_a_swim_between_the_crawl_rows() -> None:
    # 1,500 m in 30 min = 50 m/min = 54.68 yd/min, between the 2011 Compendium's crawl rows 18290 (~50 yd/min,
    # 8.3 MET) and 18280 (~75 yd/min, 10.0 MET): 8.3 + (54.68 - 50) / 25 x 1.7 = 8.6182 MET;
    # x 70 kg x 0.5 h = 301.6 kcal.
    result = estimate(WorkoutInput("swimming", duration_min=30, distance_km=1.5, weight_kg=70))
    assert result.method == "compendium_met_speed"
    assert result.compendium_codes == ("18290", "18280")
    assert result.met == pytest.approx(8.62, abs=0.005)
    assert result.gross_kcal == pytest.approx(301.6, abs=0.1)


def test_a_slow_swim_between_18240_and_18290() -> None:
    # 1,000 m in 30 min = 36.45 yd/min, between 18240 (slow freestyle, 5.8 MET; no speed published, placed at
    # 25 yd/min) and 18290 (~50 yd/min, 8.3 MET): 5.8 + 11.45 / 25 x 2.5 = 6.945 MET; x 60 kg x 0.5 h = 208.3 kcal.
    result = estimate(WorkoutInput("swimming", duration_min=30, distance_km=1.0, weight_kg=60))
    assert result.compendium_codes == ("18240", "18290")
    assert result.gross_kcal == pytest.approx(208.3, abs=0.1)


def test_stroke_specific_swims_keep_their_own_met() -> None:
    # 18265 breaststroke, recreational, 5.3 MET; 18270 butterfly, general, 13.8 MET (2011 Compendium):
    # the crawl speed rows do not describe them.
    breaststroke = estimate(WorkoutInput("swimming_breaststroke", duration_min=60, distance_km=2, weight_kg=70))
    assert (breaststroke.method, breaststroke.gross_kcal) == ("compendium_met", pytest.approx(5.3 * 70, abs=0.1))
    butterfly = estimate(WorkoutInput("swimming_butterfly", duration_min=30, distance_km=1, weight_kg=70))
    assert butterfly.gross_kcal == pytest.approx(13.8 * 70 * 0.5, abs=0.1)


def test_without_distance_the_activitys_own_met() -> None:
    met = activities()["walking"].met
    result = estimate(WorkoutInput("walking", duration_min=180, weight_kg=70))
    assert result.method == "compendium_met"
    assert result.gross_kcal == pytest.approx(met * 70 * 3, abs=0.1)


def test_terrain_specific_activities_ignore_the_flat_speed_table() -> None:
    result = estimate(WorkoutInput("hiking", duration_min=60, distance_km=4, weight_kg=80))
    assert result.method == "compendium_met"
    assert result.gross_kcal == pytest.approx(activities()["hiking"].met * 80, abs=0.1)


def test_speeds_outside_the_table_use_its_end_and_say_so() -> None:
    result = estimate(WorkoutInput("running", duration_min=60, distance_km=40, weight_kg=70))
    assert result.met == 23.0
    assert any("outside" in note for note in result.notes)
    assert met_at_speed("cycling", 3.0).met == 3.5


def test_keytel_for_a_man() -> None:
    # (-55.0969 + 0.6309 x 140 + 0.1988 x 70 + 0.2017 x 30) / 4.184 = 12.714 kcal/min; x 60 = 762.9 kcal
    result = estimate(WorkoutInput("running", duration_min=60, distance_km=10, avg_heart_rate=140,
                                   weight_kg=70, age_years=30, sex="male"))
    assert result.method == "keytel_2005_hr"
    assert result.gross_kcal == pytest.approx(762.9, abs=0.1)
    assert result.net_kcal == pytest.approx(762.9 - 70, abs=0.1)


def test_keytel_for_a_woman() -> None:
    # (-20.4022 + 0.4472 x 130 - 0.1263 x 60 + 0.074 x 40) / 4.184 = 33.1158 / 4.184 = 7.9149 kcal/min; x 45 = 356.2
    result = estimate(WorkoutInput("cycling", duration_min=45, avg_heart_rate=130, weight_kg=60,
                                   age_years=40, sex="female"))
    assert result.method == "keytel_2005_hr"
    assert result.gross_kcal == pytest.approx(356.2, abs=0.1)


@pytest.mark.parametrize(("heart_rate", "age", "sex", "reason"), [
    (170, 30, "male", "outside Keytel"),
    (80, 30, "female", "outside Keytel"),
    (130, 60, "female", "age 60"),
    (130, 30, None, "needs sex"),
    (130, None, "male", "needs sex"),
])
def test_keytel_only_in_its_valid_range(heart_rate: int, age: int | None, sex: str | None, reason: str) -> None:
    result = estimate(WorkoutInput("running", duration_min=60, distance_km=10, avg_heart_rate=heart_rate,
                                   weight_kg=70, age_years=age, sex=sex))
    assert result.method == "compendium_met_speed"
    assert result.gross_kcal == pytest.approx(701.0, abs=0.1)
    assert any(reason in note for note in result.notes)


def test_unknown_weight_uses_a_reference_and_says_so() -> None:
    result = estimate(WorkoutInput("yoga", duration_min=60))
    assert result.weight_source == "reference"
    assert result.gross_kcal == pytest.approx(activities()["yoga"].met * 70, abs=0.1)
    assert any("log your weight" in note for note in result.notes)


def test_unknown_activity_falls_back_to_other() -> None:
    result = estimate(WorkoutInput("underwater_hockey", duration_min=30, weight_kg=80))
    assert result.activity == "other"
    assert result.gross_kcal == pytest.approx(activities()["other"].met * 80 * 0.5, abs=0.1)
