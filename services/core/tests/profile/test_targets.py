"""Targets that hold at the extremes: protein from a reference weight, fat floors, carbs never negative,
macros that add up to the energy target, and ages in the user's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from fitjourney_common.fitness.targets import daily_targets
from fitjourney_core.summary.repository import WorkoutTotals
from fitjourney_core.summary.service import exercise_net_kcal

CASES = {
    # The audit's case: 1,200 kcal with 252 g protein (84 %), 0 g carbs and 1,308 kcal of macros before.
    "140 kg, 160 cm woman losing 1 kg/week": dict(weight_kg=140, height_cm=160, age_years=40, sex="female",
                                                   activity_level="sedentary", goal="lose", weekly_rate_kg=1.0),
    "45 kg, 150 cm woman of 80 losing 1 kg/week": dict(weight_kg=45, height_cm=150, age_years=80, sex="female",
                                                       activity_level="sedentary", goal="lose", weekly_rate_kg=1.0),
    "200 kg, 190 cm man losing 1 kg/week": dict(weight_kg=200, height_cm=190, age_years=35, sex="male",
                                                activity_level="light", goal="lose", weekly_rate_kg=1.0),
    "lean 60 kg man, 12 % body fat, gaining": dict(weight_kg=60, height_cm=178, age_years=22, sex="male",
                                                   activity_level="very_active", goal="gain", weekly_rate_kg=0.5,
                                                   body_fat_pct=12),
    "70 kg woman maintaining": dict(weight_kg=70, height_cm=170, age_years=30, sex="female",
                                    activity_level="moderate", goal="maintain", weekly_rate_kg=None),
    "95 kg, 165 cm man, 35 % body fat, losing": dict(weight_kg=95, height_cm=165, age_years=50, sex="male",
                                                     activity_level="sedentary", goal="lose", weekly_rate_kg=0.75,
                                                     body_fat_pct=35),
}


@pytest.mark.parametrize("case", CASES)
def test_macros_add_up_and_stay_sensible(case: str) -> None:
    t = daily_targets(**CASES[case])  # type: ignore[arg-type]
    macro_kcal = 4 * t.protein_g + 4 * t.carbs_g + 9 * t.fat_g
    assert abs(macro_kcal - t.kcal) <= 2, (case, macro_kcal, t)
    assert t.carbs_g >= 0 and t.protein_g > 0
    assert 4 * t.protein_g <= 0.35 * t.kcal + 0.5, case
    assert 9 * t.fat_g >= 0.20 * t.kcal - 0.5, case
    assert 9 * t.fat_g >= 0.6 * t.protein_reference_kg * 9 - 1, case


def test_the_audits_woman_gets_protein_for_her_weight_at_bmi_25() -> None:
    t = daily_targets(**CASES["140 kg, 160 cm woman losing 1 kg/week"])  # type: ignore[arg-type]
    # BMR 10 x 140 + 6.25 x 160 - 5 x 40 - 161 = 2039; x 1.2 = 2446.8; - 7700 / 7 = 1346.8 kcal.
    assert t.kcal == 1347 and t.bmr_kcal == 2039
    # Weight at BMI 25: 25 x 1.6^2 = 64 kg; x 1.8 g = 115.2 g (34 % of the energy, not 84 %).
    assert (t.protein_basis, t.protein_reference_kg, t.protein_g) == ("weight_at_bmi_25", 64.0, 115.2)
    # Fat: 25 % is 37.4 g, but never below 0.6 g/kg of 64 kg = 38.4 g; carbs the rest: 135.2 g.
    assert (t.fat_g, t.carbs_g) == (38.4, 135.2)


def test_lean_mass_sets_protein_when_body_fat_is_known() -> None:
    t = daily_targets(**CASES["95 kg, 165 cm man, 35 % body fat, losing"])  # type: ignore[arg-type]
    assert (t.protein_basis, t.protein_reference_kg) == ("lean_mass", 61.8)
    assert t.protein_g == round(min(2.2 * 61.75, 0.35 * t.kcal / 4), 1)


def test_the_kcal_floor_still_leaves_room_for_carbs() -> None:
    t = daily_targets(**CASES["45 kg, 150 cm woman of 80 losing 1 kg/week"])  # type: ignore[arg-type]
    assert t.kcal == 1200 and t.carbs_g > 100


def test_exercise_counts_its_net_energy_once() -> None:
    # A run estimated from its MET (343 kcal at 9.8 MET) and a heart-rate estimate without one (500 kcal
    # over 60 min for an 80 kg user: 80 kcal of it is the resting energy BMR already counts).
    workouts = WorkoutTotals(count=2, minutes=100, gross_kcal=843, net_kcal_with_met=343 * 8.8 / 9.8,
                             gross_kcal_without_met=500, minutes_without_met=60, pending=0)
    assert exercise_net_kcal(workouts, 80) == pytest.approx(308.0 + 420.0, abs=0.05)
    assert exercise_net_kcal(workouts, None) == pytest.approx(308.0 + 430.0, abs=0.05)  # 70 kg reference


async def _age_in(client: httpx.AsyncClient, headers, zone: str, birth_date: date) -> int:
    response = await client.put("/api/v1/profile", headers=headers, json={
        "birth_date": birth_date.isoformat(), "time_zone": zone, "sex": "female", "height_cm": 165})
    assert response.status_code == 200, response.text
    return int(response.json()["age"])


async def test_age_turns_over_on_the_users_own_calendar(client: httpx.AsyncClient, auth_headers,
                                                        other_auth_headers) -> None:
    # Kiritimati (UTC+14) is always a day or two ahead of Pago Pago (UTC-11): whoever was born 30 years
    # before Kiritimati's today is 30 there, and still 29 in Pago Pago.
    kiritimati_today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    birthday = kiritimati_today.replace(year=kiritimati_today.year - 30)
    assert await _age_in(client, auth_headers, "Pacific/Kiritimati", birthday) == 30
    assert await _age_in(client, other_auth_headers, "Pacific/Pago_Pago", birthday) == 29
    # And the targets use the same age: a day older is 5 kcal less BMR (Mifflin-St Jeor: -5 per year).
    for headers in (auth_headers, other_auth_headers):
        metric = await client.post("/api/v1/body-metrics", headers=headers, json={
            "measured_at": (datetime.now(ZoneInfo("UTC")) - timedelta(hours=1)).isoformat(), "weight_kg": 60})
        assert metric.status_code == 201, metric.text
    ahead = (await client.get("/api/v1/profile", headers=auth_headers)).json()["targets"]
    behind = (await client.get("/api/v1/profile", headers=other_auth_headers)).json()["targets"]
    assert behind["bmr_kcal"] - ahead["bmr_kcal"] == 5
