"""The profile's formula targets as core defines them (Mifflin-St Jeor x activity factor ± the goal's rate)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ACTIVITY_FACTORS = {"sedentary": 1.2, "light": 1.375, "moderate": 1.55, "active": 1.725, "very_active": 1.9}
SEX_CONSTANT = {"male": 5.0, "female": -161.0}
KCAL_FLOOR = {"male": 1500.0, "female": 1200.0}
KCAL_PER_KG = 7700.0
DEFAULT_WEEKLY_RATE_KG = 0.5
# Protein reference: 1.6 g per kg of a reference weight (the weight at BMI 25 when BMI is above it),
# the middle of the ISSN's 1.4-2.0 g/kg for people who train.
PROTEIN_G_PER_KG = 1.6


@dataclass(frozen=True)
class Profile:
    """What ai knows of a user's profile (its read model, fed by core's profile events)."""

    birth_date: dt.date | None = None
    sex: str | None = None
    height_cm: float | None = None
    activity_level: str = "sedentary"
    goal: str = "maintain"
    target_weight_kg: float | None = None
    weekly_rate_kg: float | None = None
    time_zone: str = "UTC"


@dataclass(frozen=True)
class FormulaTargets:
    bmr_kcal: float
    maintenance_kcal: float
    target_kcal: float
    protein_g: float


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - int((day.month, day.day) < (birth_date.month, birth_date.day))


def formula_targets(profile: Profile, weight_kg: float, day: dt.date) -> FormulaTargets | None:
    """None when the profile lacks sex, birth date or height."""
    if profile.sex not in SEX_CONSTANT or profile.birth_date is None or profile.height_cm is None:
        return None
    age = age_on(profile.birth_date, day)
    bmr = 10.0 * weight_kg + 6.25 * profile.height_cm - 5.0 * age + SEX_CONSTANT[profile.sex]
    maintenance = bmr * ACTIVITY_FACTORS.get(profile.activity_level, 1.2)
    rate = DEFAULT_WEEKLY_RATE_KG if profile.weekly_rate_kg is None else profile.weekly_rate_kg
    change = rate * KCAL_PER_KG / 7.0
    adjustment = {"lose": -change, "gain": change}.get(profile.goal, 0.0)
    target = max(maintenance + adjustment, KCAL_FLOOR[profile.sex])
    reference_weight = min(weight_kg, 25.0 * (profile.height_cm / 100.0) ** 2)
    return FormulaTargets(bmr_kcal=bmr, maintenance_kcal=maintenance, target_kcal=target,
                          protein_g=PROTEIN_G_PER_KG * reference_weight)
