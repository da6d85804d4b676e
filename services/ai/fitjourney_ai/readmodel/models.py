"""ai's read model of a user's data (fed by core's lifecycle events) and what ai itself produced."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_ai.db import Base
from fitjourney_common.db.base import TimestampMixin


class MirroredMixin(TimestampMixin):
    """A row mirrored from core: owner, core's record version (older events are ignored), tombstone."""

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Profile(MirroredMixin, Base):
    __tablename__ = "profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(16))
    height_cm: Mapped[float | None] = mapped_column(Float)
    activity_level: Mapped[str] = mapped_column(String(16), nullable=False, default="sedentary")
    goal: Mapped[str] = mapped_column(String(16), nullable=False, default="maintain")
    target_weight_kg: Mapped[float | None] = mapped_column(Float)
    weekly_rate_kg: Mapped[float | None] = mapped_column(Float)
    time_zone: Mapped[str] = mapped_column(String(64), nullable=False, default="UTC")


class BodyWeight(MirroredMixin, Base):
    __tablename__ = "body_weights"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    measured_at: Mapped[datetime] = mapped_column(nullable=False)
    local_date: Mapped[date | None] = mapped_column(Date)
    weight_kg: Mapped[float | None] = mapped_column(Float)


class FoodEntry(MirroredMixin, Base):
    __tablename__ = "food_entries"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    eaten_at: Mapped[datetime] = mapped_column(nullable=False)
    local_date: Mapped[date | None] = mapped_column(Date)
    kcal: Mapped[float] = mapped_column(Float, nullable=False)
    protein_g: Mapped[float] = mapped_column(Float, nullable=False)
    carbs_g: Mapped[float] = mapped_column(Float, nullable=False)
    fat_g: Mapped[float] = mapped_column(Float, nullable=False)


class WorkoutEntry(MirroredMixin, Base):
    __tablename__ = "workout_entries"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(nullable=False)
    local_date: Mapped[date | None] = mapped_column(Date)
    activity: Mapped[str] = mapped_column(String(64), nullable=False)
    duration_min: Mapped[float] = mapped_column(Float, nullable=False)
    distance_km: Mapped[float | None] = mapped_column(Float)
    calories_burned: Mapped[float | None] = mapped_column(Float)


class HabitEntry(MirroredMixin, Base):
    __tablename__ = "habit_entries"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    schedule: Mapped[str] = mapped_column(String(64), nullable=False)
    target_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class CheckInEntry(MirroredMixin, Base):
    __tablename__ = "check_in_entries"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    habit_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    date: Mapped[date] = mapped_column(Date, nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)


class CalorieEstimateRecord(TimestampMixin, Base):
    """The last estimate ai published for a workout (and what it was based on)."""

    __tablename__ = "calorie_estimates"

    workout_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    estimate_revision: Mapped[int] = mapped_column(Integer, nullable=False)
    gross_kcal: Mapped[float] = mapped_column(Float, nullable=False)
    net_kcal: Mapped[float] = mapped_column(Float, nullable=False)
    method: Mapped[str] = mapped_column(String(32), nullable=False)
    met: Mapped[float] = mapped_column(Float, nullable=False)
    weight_kg: Mapped[float] = mapped_column(Float, nullable=False)
    weight_source: Mapped[str] = mapped_column(String(16), nullable=False)


class PhotoRecognition(TimestampMixin, Base):
    """What ai answered for a food photo (the photo itself stays in core's store)."""

    __tablename__ = "photo_recognitions"

    job_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(500))
    model_version: Mapped[str | None] = mapped_column(String(100))
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
