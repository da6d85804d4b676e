"""The template summary and the prompt use the same aggregated numbers, and nothing personal."""

from __future__ import annotations

import datetime as dt
import json

from fitjourney_ai.insights.summary import PeriodNumbers, messages, template_summary

NUMBERS = PeriodNumbers(
    period="week", start=dt.date(2026, 11, 24), end=dt.date(2026, 11, 30), days=7, days_with_food_logged=6,
    mean_intake_kcal=1850.4, kcal_target=1900, mean_protein_g=70, protein_target_g=110, workouts=3,
    workout_minutes=135, workout_kcal=980, workout_categories={"running": 2, "strength": 1},
    weight_start_kg=71.2, weight_end_kg=70.6, habit_check_ins=5, habit_due=6,
)


def test_template_states_the_numbers() -> None:
    text = template_summary(NUMBERS)
    for fragment in ("6 of 7 days", "1850 kcal", "3 workouts (2 running, 1 strength)", "71.2 to 70.6 kg",
                     "5 of 6", "70 g of your 110 g"):
        assert fragment in text


def test_prompt_carries_only_the_aggregates() -> None:
    sent = messages(NUMBERS)
    payload = json.loads(sent[1]["content"].split(": ", 1)[1])
    assert payload["workouts"] == 3 and payload["start"] == "2026-11-24"
    assert set(payload) == set(NUMBERS.__dataclass_fields__)
