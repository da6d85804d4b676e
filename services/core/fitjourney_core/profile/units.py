"""Imperial ↔ metric conversions (the profile stores metric, shows the user's units)."""

from __future__ import annotations

CM_PER_INCH = 2.54
KG_PER_LB = 0.45359237


def inches_to_cm(inches: float) -> float:
    return round(inches * CM_PER_INCH, 1)


def cm_to_inches(cm: float) -> float:
    return round(cm / CM_PER_INCH, 1)


def lb_to_kg(lb: float) -> float:
    return round(lb * KG_PER_LB, 2)


def kg_to_lb(kg: float) -> float:
    return round(kg / KG_PER_LB, 1)
