"""Report files from a user's days: their frame, the CSV (one row per day) and the PDF's summary rows (the PDF
itself is drawn by `report_pdf`). Only the event worker that builds reports imports this module (and pandas):
pandas would add ~30 MiB to every analytics API process, whose requests compute on numpy arrays."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from fitjourney_analytics.compute.calendar import Window
from fitjourney_analytics.compute.series import none_if_nan

CSV_COLUMNS = ["kcal_in", "kcal_out", "protein_g", "carbs_g", "fat_g", "food_logs", "workouts", "workout_minutes",
               "weight_kg", "weight_ema_kg", "body_fat_pct", "habits_done", "habits_scheduled", "mood", "energy"]


def days_frame(window: Window, columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Per-day `columns` (as `daily_columns` gives them) as a frame indexed by the window's days."""
    return pd.DataFrame(columns, index=pd.Index(window.days, name="day"), columns=list(columns))


def report_csv(daily: pd.DataFrame) -> bytes:
    """`date` plus CSV_COLUMNS, one row per local day (empty days included; missing values empty)."""
    frame = daily.reindex(columns=CSV_COLUMNS).round(2)
    frame.index = [day.isoformat() for day in frame.index]
    return frame.to_csv(index_label="date", lineterminator="\n").encode()


def summary_rows(dashboard: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The summary table of a report, as (label, value) text pairs, from the dashboard's figures."""

    def fmt(value: Any, unit: str = "", digits: int = 1) -> str:
        number = none_if_nan(value, digits) if isinstance(value, int | float) else None
        return "-" if number is None else f"{number:,.{digits}f}{unit}"

    totals, weight, adherence = dashboard["totals"], dashboard["weight"], dashboard["adherence"]
    macros, habits, journal = dashboard["macros_vs_targets"], dashboard["habits"], dashboard["journal"]
    kcal = macros["kcal"]
    ci = weight.get("weekly_rate_ci_kg")
    return [
        ("Period", f"{dashboard['from']} to {dashboard['to']} ({dashboard['time_zone']})"),
        ("Energy in (total)", fmt(totals["kcal_in"], " kcal", 0)),
        ("Energy out, workouts (total)", fmt(totals["kcal_out"], " kcal", 0)),
        ("Average intake per logged day", fmt(kcal["average_per_logged_day"], " kcal", 0)
         + (f" (target {kcal['target']:,.0f})" if kcal["target"] else "")),
        ("Protein / carbs / fat per logged day", " / ".join(
            fmt(macros[key]["average_per_logged_day"], " g", 0) for key in ("protein_g", "carbs_g", "fat_g"))),
        ("Workouts", f"{totals['workouts']} ({fmt(totals['workout_minutes'], ' min', 0)})"),
        ("Weight, latest / 7-day EMA", f"{fmt(weight['latest_kg'], ' kg')} / {fmt(weight['ema_kg'], ' kg')}"),
        ("Weight trend per week", fmt(weight["weekly_rate_kg"], " kg", 2)
         + (f" (95% CI {ci[0]:+.2f} to {ci[1]:+.2f})" if ci else "")),
        ("Habit completion", fmt(None if habits["completion_rate"] is None else 100 * habits["completion_rate"],
                                 " %", 0)),
        ("Mood / energy (1-5)", f"{fmt(journal['mood_average'])} / {fmt(journal['energy_average'])}"),
        ("Days with food logged", f"{adherence['days_with_food']} of {adherence['days']}"),
    ]
