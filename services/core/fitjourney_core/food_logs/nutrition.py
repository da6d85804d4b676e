"""Energy and macros of an amount of food: per-100 g values scaled, rounded to one decimal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from fitjourney_common.errors import ValidationFailed
from fitjourney_core.food_logs.schemas import MAX_GRAMS

NUTRIENTS = ("kcal", "protein_g", "carbs_g", "fat_g", "fibre_g")


@dataclass(frozen=True)
class Nutrients:
    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fibre_g: float

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in NUTRIENTS}


def scaled(value: float | None, numerator: float, denominator: float) -> float:
    """value * numerator / denominator, rounded half up to 0.1 in decimal (1.65 gives 1.7, as on a label)."""
    exact = Decimal(str(value or 0.0)) * Decimal(str(numerator)) / Decimal(str(denominator))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def per_100g(food: Any, grams: float) -> Nutrients:
    """`food` has kcal_per_100g, protein_g, carbs_g, fat_g, fibre_g (a catalogue or custom food)."""
    return Nutrients(
        kcal=scaled(food.kcal_per_100g, grams, 100), protein_g=scaled(food.protein_g, grams, 100),
        carbs_g=scaled(food.carbs_g, grams, 100), fat_g=scaled(food.fat_g, grams, 100),
        fibre_g=scaled(food.fibre_g, grams, 100),
    )


def rescaled(values: Any, from_grams: float, to_grams: float) -> Nutrients:
    """Nutrients stored for `from_grams` (a log or a photo candidate), rescaled to `to_grams`."""
    return Nutrients(**{name: scaled(getattr(values, name, 0.0), to_grams, from_grams) for name in NUTRIENTS})


def portion_grams(portions: list[dict[str, Any]], portion: str, quantity: float | None) -> float:
    """Grams of `quantity` times the named portion (names match case-insensitively, and by their first
    words when those are unique); 422 naming the field."""
    wanted = portion.strip().lower()
    exact = [p for p in portions if str(p["name"]).lower() == wanted]
    # SR28 spells out a measure ('medium (7" to 7-7/8" long)'): its first words alone name it when they
    # name no other portion of the food.
    short = [p for p in portions if re.split(r" \(|,", str(p["name"]).lower(), maxsplit=1)[0] == wanted]
    found = exact or (short if len(short) == 1 else [])
    if found:
        grams = float(found[0]["grams"]) * (quantity or 1.0)
        if grams > MAX_GRAMS:
            raise ValidationFailed("quantity", f"that is {grams:.0f} g; at most {MAX_GRAMS} g per log")
        if round(grams, 1) <= 0:
            # A log of 0 g has no amount to rescale from when it is edited later.
            raise ValidationFailed("quantity", f"that is {grams:.3g} g; a log needs at least 0.1 g")
        return round(grams, 1)
    known = "; ".join(str(p["name"]) for p in portions) or "none; send grams"
    raise ValidationFailed("portion", f"unknown portion {portion!r} for this food (known: {known})")
