"""A period's aggregated numbers, the prompt that carries only them, and the template summary (pure)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any, Literal

Period = Literal["week", "month"]
PERIOD_DAYS: dict[str, int] = {"week": 7, "month": 30}

SYSTEM_PROMPT = (
    "You are the coach inside a fitness app. Write a short, friendly summary (at most 4 sentences, "
    "no lists, no headings) of the user's period from the numbers given as JSON. Mention one thing that "
    "went well and one concrete thing to try next. Use only these numbers; do not invent any. "
    "Do not give medical advice."
)


@dataclass(frozen=True)
class PeriodNumbers:
    """Aggregates only: never a name, an email, a note or a journal text."""

    period: str
    start: dt.date
    end: dt.date
    days: int
    days_with_food_logged: int
    mean_intake_kcal: float | None
    kcal_target: float | None
    mean_protein_g: float | None
    protein_target_g: float | None
    workouts: int
    workout_minutes: float
    workout_kcal: float
    workout_categories: dict[str, int]
    weight_start_kg: float | None
    weight_end_kg: float | None
    habit_check_ins: int
    habit_due: int

    def as_prompt_json(self) -> str:
        data: dict[str, Any] = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return json.dumps(data, sort_keys=True)


def messages(numbers: PeriodNumbers) -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"My {numbers.period} in numbers: {numbers.as_prompt_json()}"}]


def template_summary(n: PeriodNumbers) -> str:
    """The same numbers in fixed sentences: what the user gets without an OpenAI key or when the call fails."""
    parts: list[str] = []
    label = "week" if n.period == "week" else "month"
    if n.days_with_food_logged:
        sentence = f"You logged food on {n.days_with_food_logged} of {n.days} days"
        if n.mean_intake_kcal is not None:
            sentence += f", averaging {n.mean_intake_kcal:.0f} kcal"
            if n.kcal_target:
                sentence += f" against a {n.kcal_target:.0f} kcal target"
        parts.append(sentence + ".")
    else:
        parts.append(f"No food was logged this {label}.")
    if n.workouts:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(n.workout_categories.items(),
                                                                       key=lambda kv: (-kv[1], kv[0])))
        parts.append(f"You did {n.workouts} workout{'s' if n.workouts != 1 else ''} ({kinds}), "
                     f"{n.workout_minutes:.0f} minutes and about {n.workout_kcal:.0f} kcal in all.")
    else:
        parts.append(f"No workout was logged this {label}; a 30-minute walk is an easy start.")
    if n.weight_start_kg is not None and n.weight_end_kg is not None:
        change = n.weight_end_kg - n.weight_start_kg
        parts.append(f"Your weight went from {n.weight_start_kg:.1f} to {n.weight_end_kg:.1f} kg ({change:+.1f} kg).")
    if n.habit_due:
        parts.append(f"You kept {n.habit_check_ins} of {n.habit_due} scheduled habit check-ins "
                     f"({n.habit_check_ins / n.habit_due:.0%}).")
    if n.mean_protein_g is not None and n.protein_target_g and n.mean_protein_g < 0.85 * n.protein_target_g:
        parts.append(f"Protein averaged {n.mean_protein_g:.0f} g of your {n.protein_target_g:.0f} g target: "
                     "add a protein source to one more meal a day.")
    return " ".join(parts)
