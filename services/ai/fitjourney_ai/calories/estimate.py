"""Energy a workout burned: Compendium METs (by speed where it matters) or Keytel et al. (2005) from heart rate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from fitjourney_ai.calories.compendium import activities, met_at_speed, speed_category

KJ_PER_KCAL = 4.184
# Keytel LR, Goedecke JH, Noakes TD, et al. Prediction of energy expenditure from heart rate monitoring
# during submaximal exercise. J Sports Sci. 2005;23(3):289-297, the equations without VO2max. The
# study fitted them on adults aged 18-45 at heart rates of 90-150 beats/min, where heart rate rises
# linearly with oxygen uptake; outside that they are not used.
KEYTEL_HR_RANGE = (90, 150)
KEYTEL_AGE_RANGE = (18, 45)
KEYTEL = {
    # kJ/min = intercept + hr * HR + weight * kg + age * years
    "male": (-55.0969, 0.6309, 0.1988, 0.2017),
    "female": (-20.4022, 0.4472, -0.1263, 0.074),
}
# Used only when no weight is known at all; the answer says so (`weight_source`).
REFERENCE_WEIGHT_KG = 70.0
FALLBACK_ACTIVITY = "other"

Method = Literal["compendium_met", "compendium_met_speed", "keytel_2005_hr"]
WeightSource = Literal["given", "body_metric", "profile", "workout_event", "reference"]


@dataclass(frozen=True)
class WorkoutInput:
    activity: str
    duration_min: float
    distance_km: float | None = None
    avg_heart_rate: int | None = None
    weight_kg: float | None = None
    weight_source: WeightSource = "given"
    age_years: int | None = None
    sex: str | None = None


@dataclass(frozen=True)
class CalorieEstimate:
    gross_kcal: float
    net_kcal: float
    method: Method
    met: float
    weight_kg: float
    weight_source: WeightSource
    activity: str
    compendium_codes: tuple[str, ...]
    speed_kmh: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def keytel_kcal_per_min(sex: str, heart_rate: float, weight_kg: float, age_years: float) -> float:
    intercept, hr, weight, age = KEYTEL[sex]
    return (intercept + hr * heart_rate + weight * weight_kg + age * age_years) / KJ_PER_KCAL


def _keytel_refusal(data: WorkoutInput) -> str | None:
    """Why Keytel does not apply to this workout, or None when it does."""
    if data.avg_heart_rate is None:
        return "no average heart rate"
    if data.sex not in KEYTEL or data.age_years is None:
        return "heart rate ignored: the profile needs sex (male/female) and birth date"
    low, high = KEYTEL_HR_RANGE
    if not low <= data.avg_heart_rate <= high:
        return f"heart rate ignored: {data.avg_heart_rate} bpm is outside Keytel's valid {low}-{high} bpm"
    low_age, high_age = KEYTEL_AGE_RANGE
    if not low_age <= data.age_years <= high_age:
        return f"heart rate ignored: age {data.age_years} is outside Keytel's valid {low_age}-{high_age} years"
    return None


def estimate(data: WorkoutInput) -> CalorieEstimate:
    """Gross kcal = MET x kg x h (or Keytel's kcal/min x min); net subtracts the resting 1 MET x kg x h."""
    catalogue = activities()
    notes: list[str] = []
    activity = catalogue.get(data.activity)
    if activity is None:
        notes.append(f"unknown activity {data.activity!r}: the catalogue's {FALLBACK_ACTIVITY!r} MET is used")
        activity = catalogue[FALLBACK_ACTIVITY]
    weight, weight_source = data.weight_kg, data.weight_source
    if weight is None:
        weight, weight_source = REFERENCE_WEIGHT_KG, "reference"
        notes.append(f"no weight known: a reference {REFERENCE_WEIGHT_KG:g} kg is used; log your weight")
    hours = data.duration_min / 60.0
    speed = data.distance_km / hours if data.distance_km and hours > 0 else None
    resting_kcal = 1.0 * weight * hours

    refusal = _keytel_refusal(data)
    if data.avg_heart_rate is not None and refusal is None:
        assert data.sex is not None and data.age_years is not None
        gross = max(keytel_kcal_per_min(data.sex, data.avg_heart_rate, weight, data.age_years) * data.duration_min,
                    resting_kcal)
        met = gross / (weight * hours) if hours > 0 else 0.0
        return CalorieEstimate(
            gross_kcal=round(gross, 1), net_kcal=round(max(0.0, gross - resting_kcal), 1), method="keytel_2005_hr",
            met=round(met, 2), weight_kg=weight, weight_source=weight_source, activity=activity.code,
            compendium_codes=(), speed_kmh=_round(speed), notes=tuple(notes),
        )
    if data.avg_heart_rate is not None and refusal is not None:
        notes.append(refusal)

    category = speed_category(activity)
    if category is not None and speed is not None:
        at_speed = met_at_speed(category, speed)
        if at_speed.clamped:
            notes.append(f"{speed:.1f} km/h is outside the Compendium's {category} speeds: the nearest row is used")
        met, method = at_speed.met, "compendium_met_speed"
        codes = tuple(row.compendium_code for row in at_speed.rows)
    else:
        met, method = activity.met, "compendium_met"
        codes = (activity.compendium_code,) if activity.compendium_code else ()
    gross = met * weight * hours
    return CalorieEstimate(
        gross_kcal=round(gross, 1), net_kcal=round(max(0.0, (met - 1.0) * weight * hours), 1),
        method=method,  # type: ignore[arg-type]
        met=round(met, 2), weight_kg=weight, weight_source=weight_source, activity=activity.code,
        compendium_codes=codes, speed_kmh=_round(speed), notes=tuple(notes),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
