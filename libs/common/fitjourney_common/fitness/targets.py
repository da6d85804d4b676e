"""Daily energy and macro targets: Mifflin-St Jeor BMR x activity factor, adjusted for the goal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ACTIVITY_FACTORS = {
    "sedentary": 1.2,
    "light": 1.375,
    "moderate": 1.55,
    "active": 1.725,
    "very_active": 1.9,
}
SEX_CONSTANT = {"male": 5.0, "female": -161.0}
# Below these a diet needs medical supervision; the targets never suggest one.
KCAL_FLOOR = {"male": 1500.0, "female": 1200.0}
KCAL_PER_KG_BODY_FAT = 7700.0
DEFAULT_WEEKLY_RATE_KG = 0.5
PROTEIN_G_PER_KG = 1.8
FAT_SHARE_OF_KCAL = 0.25
KCAL_PER_G = {"protein": 4.0, "carbs": 4.0, "fat": 9.0}


@dataclass(frozen=True)
class Targets:
    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)


def bmr_mifflin_st_jeor(weight_kg: float, height_cm: float, age_years: int, sex: str) -> float:
    return 10.0 * weight_kg + 6.25 * height_cm - 5.0 * age_years + SEX_CONSTANT[sex]


def daily_targets(
    *, weight_kg: float, height_cm: float, age_years: int, sex: str, activity_level: str, goal: str,
    weekly_rate_kg: float | None,
) -> Targets:
    maintenance = bmr_mifflin_st_jeor(weight_kg, height_cm, age_years, sex) * ACTIVITY_FACTORS[activity_level]
    rate = DEFAULT_WEEKLY_RATE_KG if weekly_rate_kg is None else weekly_rate_kg
    daily_change = rate * KCAL_PER_KG_BODY_FAT / 7.0
    adjustment = {"lose": -daily_change, "gain": daily_change}.get(goal, 0.0)
    kcal = max(maintenance + adjustment, KCAL_FLOOR[sex])
    protein_g = PROTEIN_G_PER_KG * weight_kg
    fat_g = FAT_SHARE_OF_KCAL * kcal / KCAL_PER_G["fat"]
    carbs_kcal = kcal - protein_g * KCAL_PER_G["protein"] - fat_g * KCAL_PER_G["fat"]
    return Targets(
        kcal=round(kcal),
        protein_g=round(protein_g, 1),
        carbs_g=round(max(0.0, carbs_kcal / KCAL_PER_G["carbs"]), 1),
        fat_g=round(fat_g, 1),
    )


def bmi(weight_kg: float, height_cm: float) -> float:
    return round(weight_kg / (height_cm / 100.0) ** 2, 1)
