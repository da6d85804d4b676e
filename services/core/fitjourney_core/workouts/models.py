"""The `workouts` table; exercises and their sets are a JSON list on the workout."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_common.db.base import UtcDateTime, UUIDPrimaryKeyMixin
from fitjourney_core.db import Base, UserOwnedMixin


class Workout(UUIDPrimaryKeyMixin, UserOwnedMixin, Base):
    __tablename__ = "workouts"
    __table_args__ = (
        # Lists and day summaries read one user's live workouts by time.
        Index("ix_workouts_user_id_started_at_live", "user_id", "started_at",
              postgresql_where=text("deleted_at IS NULL"), sqlite_where=text("deleted_at IS NULL")),
    )

    activity: Mapped[str] = mapped_column(String(64), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    duration_min: Mapped[float] = mapped_column(Float, nullable=False)
    distance_km: Mapped[float | None] = mapped_column(Float)
    avg_heart_rate: Mapped[int | None] = mapped_column(Integer)
    perceived_effort: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    # [{name, sets: [{reps, weight_kg}]}]: always read and written whole with the workout.
    exercises: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    calories_burned: Mapped[float | None] = mapped_column(Float)
    calories_status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    calories_method: Mapped[str | None] = mapped_column(String(64))
    calories_met: Mapped[float | None] = mapped_column(Float)
    # Net kcal ((MET - 1) x kg x h: above resting) and why the estimator chose what it did, as ai sent them.
    calories_net: Mapped[float | None] = mapped_column(Float)
    calories_notes: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list,
                                                      server_default=text("'[]'"))
    # Which request for an estimate is current: estimates answering an older one are ignored.
    estimate_revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
