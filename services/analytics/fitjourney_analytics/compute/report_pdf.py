"""The report PDF (summary table and charts) from a user's daily frame.

matplotlib runs with the Agg backend (no display) and embeds TrueType fonts (`pdf.fonttype` 42), so
the PDF's text can be selected, searched and extracted, not only seen. Only the event worker that renders
reports imports this module: matplotlib would add 27 MB to every analytics API process.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages

RC = {"pdf.fonttype": 42, "font.family": "DejaVu Sans", "font.size": 9}


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
