"""Report files from a user's daily frame: CSV (one row per day) and a PDF (summary table and charts).

matplotlib runs with the Agg backend (no display) and embeds TrueType fonts (`pdf.fonttype` 42), so
the PDF's text can be selected, searched and extracted, not only seen.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages

from fitjourney_analytics.compute.series import none_if_nan

CSV_COLUMNS = ["kcal_in", "kcal_out", "protein_g", "carbs_g", "fat_g", "food_logs", "workouts", "workout_minutes",
               "weight_kg", "weight_ema_kg", "body_fat_pct", "habits_done", "habits_scheduled", "mood", "energy"]
RC = {"pdf.fonttype": 42, "font.family": "DejaVu Sans", "font.size": 9}


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


def report_pdf(title: str, rows: Sequence[tuple[str, str]], daily: pd.DataFrame) -> bytes:
    """Page 1: title and summary table; page 2: weight with its EMA, energy in and out, workout minutes."""
    buffer = io.BytesIO()
    days = list(daily.index)
    rc: Any = RC
    with plt.rc_context(rc), PdfPages(buffer, metadata={"Title": title, "Creator": "FitJourney analytics"}) as pdf:
        figure = plt.figure(figsize=(8.27, 11.69))  # A4 portrait
        figure.text(0.08, 0.93, title, fontsize=16, weight="bold")
        axis = figure.add_axes((0.08, 0.35, 0.84, 0.55))
        axis.axis("off")
        table = axis.table(cellText=[list(row) for row in rows], colLabels=["Figure", "Value"],
                           colWidths=[0.45, 0.55], loc="upper left", cellLoc="left")
        table.auto_set_font_size(False)
        table.set_fontsize(10)
        table.scale(1, 1.6)
        pdf.savefig(figure)
        plt.close(figure)

        figure, (weight_axis, energy_axis, workout_axis) = plt.subplots(3, 1, figsize=(8.27, 11.69), sharex=True)
        weights = daily["weight_kg"].dropna()
        if weights.empty:
            weight_axis.text(0.5, 0.5, "No weighings in this period", ha="center", transform=weight_axis.transAxes)
        else:
            weight_axis.plot(list(weights.index), weights.to_numpy(), "o", markersize=3, label="weight")
            ema = daily["weight_ema_kg"].dropna()
            weight_axis.plot(list(ema.index), ema.to_numpy(), "-", label="7-day EMA")
            weight_axis.legend(loc="best")
        weight_axis.set_title("Weight (kg)")
        energy_axis.bar(days, daily["kcal_in"].to_numpy(), label="energy in", color="#4c72b0")
        energy_axis.bar(days, -daily["kcal_out"].to_numpy(), label="energy out (workouts)", color="#dd8452")
        energy_axis.axhline(0, color="black", linewidth=0.5)
        energy_axis.set_title("Energy per day (kcal)")
        energy_axis.legend(loc="best")
        workout_axis.bar(days, daily["workout_minutes"].to_numpy(), color="#55a868")
        workout_axis.set_title("Workout minutes per day")
        figure.autofmt_xdate()
        figure.tight_layout()
        pdf.savefig(figure)
        plt.close(figure)
    return buffer.getvalue()
