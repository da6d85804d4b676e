"""Daily energy and macro targets: Mifflin-St Jeor BMR x a lifestyle (non-exercise) activity factor,
adjusted for the goal; protein from a reference body weight; macros that add up to the energy target.

Workouts are not in the factor: the daily summary adds each estimated workout's net energy
((MET - 1) x kg x h) to the day's budget, so exercise is counted once (core: summary/service.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

# Daily life without workouts (job, chores, walking about): a desk job is sedentary, a job on one's feet
# light, a walking job moderate, a physical job active, heavy labour very active.
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
KCAL_PER_G = {"protein": 4.0, "carbs": 4.0, "fat": 9.0}

# Protein: 1.8 g per kg of a reference weight (ISSN position stand 2017: 1.4-2.0 g/kg for active adults),
# or 2.2 g per kg of lean mass when body fat is known (the same amount for a lean person, 20 % fat).
PROTEIN_G_PER_KG = 1.8
PROTEIN_G_PER_KG_LEAN_MASS = 2.2
# Above BMI 30 protein per kg of total weight overshoots (fat tissue needs little): the reference weight
# is then the weight at BMI 25 for the user's height.
OBESE_BMI = 30.0
REFERENCE_BMI = 25.0
# Protein never takes more than this share of the energy target (the rest must feed fat and carbs).
PROTEIN_MAX_SHARE = 0.35
# Fat: 25 % of energy, never below 20 % nor below 0.6 g per kg of the reference weight (hormonal health;
# the AMDR for adults is 20-35 % of energy).
FAT_SHARE = 0.25
FAT_MIN_SHARE = 0.20
FAT_MIN_G_PER_KG = 0.6

ProteinBasis = Literal["body_weight", "weight_at_bmi_25", "lean_mass"]


@dataclass(frozen=True)
class Targets:
    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float
    bmr_kcal: float
    protein_basis: ProteinBasis
    protein_reference_kg: float


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)


def bmr_mifflin_st_jeor(weight_kg: float, height_cm: float, age_years: int, sex: str) -> float:
    return 10.0 * weight_kg + 6.25 * height_cm - 5.0 * age_years + SEX_CONSTANT[sex]


def bmi(weight_kg: float, height_cm: float) -> float:
    return round(weight_kg / (height_cm / 100.0) ** 2, 1)


def protein_reference(weight_kg: float, height_cm: float, body_fat_pct: float | None) -> tuple[ProteinBasis, float]:
    """What protein is counted per kg of: lean mass when body fat is known, else the body weight, or the
    weight at BMI 25 when BMI is above 30."""
    if body_fat_pct is not None and 0 < body_fat_pct < 100:
        return "lean_mass", weight_kg * (1 - body_fat_pct / 100)
    if weight_kg / (height_cm / 100.0) ** 2 > OBESE_BMI:
        return "weight_at_bmi_25", REFERENCE_BMI * (height_cm / 100.0) ** 2
    return "body_weight", weight_kg


def daily_targets(
    *, weight_kg: float, height_cm: float, age_years: int, sex: str, activity_level: str, goal: str,
    weekly_rate_kg: float | None, body_fat_pct: float | None = None,
) -> Targets:
    """Energy, then protein (capped at 35 % of it), fat (25 %, with floors), carbs the rest (never negative):
    4 kcal/g protein and carbs, 9 fat, so the rounded macros add up to the rounded kcal within 2 kcal."""
    bmr = bmr_mifflin_st_jeor(weight_kg, height_cm, age_years, sex)
    maintenance = bmr * ACTIVITY_FACTORS[activity_level]
    rate = DEFAULT_WEEKLY_RATE_KG if weekly_rate_kg is None else weekly_rate_kg
    daily_change = rate * KCAL_PER_KG_BODY_FAT / 7.0
    adjustment = {"lose": -daily_change, "gain": daily_change}.get(goal, 0.0)
    kcal = float(round(max(maintenance + adjustment, KCAL_FLOOR[sex])))

    basis, reference_kg = protein_reference(weight_kg, height_cm, body_fat_pct)
    per_kg = PROTEIN_G_PER_KG_LEAN_MASS if basis == "lean_mass" else PROTEIN_G_PER_KG
    protein_g = round(min(per_kg * reference_kg, PROTEIN_MAX_SHARE * kcal / KCAL_PER_G["protein"]), 1)
    fat_floor_g = max(FAT_MIN_SHARE * kcal / KCAL_PER_G["fat"], FAT_MIN_G_PER_KG * reference_kg)
    fat_g = round(max(FAT_SHARE * kcal / KCAL_PER_G["fat"], fat_floor_g), 1)
    carbs_kcal = kcal - protein_g * KCAL_PER_G["protein"] - fat_g * KCAL_PER_G["fat"]
    if carbs_kcal < 0:  # only with extreme floors: fat gives way down to its share floor, then protein
        fat_g = round(max(fat_g + carbs_kcal / KCAL_PER_G["fat"], FAT_MIN_SHARE * kcal / KCAL_PER_G["fat"]), 1)
        carbs_kcal = kcal - protein_g * KCAL_PER_G["protein"] - fat_g * KCAL_PER_G["fat"]
        if carbs_kcal < 0:
            protein_g = round(protein_g + carbs_kcal / KCAL_PER_G["protein"], 1)
            carbs_kcal = max(0.0, kcal - protein_g * KCAL_PER_G["protein"] - fat_g * KCAL_PER_G["fat"])
    return Targets(
        kcal=kcal, protein_g=protein_g, carbs_g=round(carbs_kcal / KCAL_PER_G["carbs"], 1), fat_g=fat_g,
        bmr_kcal=round(bmr), protein_basis=basis, protein_reference_kg=round(reference_kg, 1),
    )
