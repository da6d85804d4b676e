"""The `food_logs` table (range-partitioned by month on `eaten_at` in PostgreSQL) and `photo_jobs`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_common.db.base import UtcDateTime, UUIDPrimaryKeyMixin
from fitjourney_core.db import Base, UserOwnedMixin

MEALS = ("breakfast", "lunch", "dinner", "snack")


class FoodLog(UserOwnedMixin, Base):
    """What was eaten, with its energy and macros computed once and stored (catalogue edits never rewrite
    history)."""

    __tablename__ = "food_logs"
    __table_args__ = (
        Index("ix_food_logs_user_id_eaten_at_live", "user_id", "eaten_at",
              postgresql_where=text("deleted_at IS NULL"), sqlite_where=text("deleted_at IS NULL")),
        {"postgresql_partition_by": "RANGE (eaten_at)"},
    )

    # A partitioned table's primary key must contain the partition key.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    eaten_at: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    # NULL for a log accepted from a photo candidate that matches no catalogue food.
    food_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    food_name: Mapped[str] = mapped_column(String(200), nullable=False)
    grams: Mapped[float] = mapped_column(Float, nullable=False)
    # The food's portion name (SR28's run to 80 characters).
    portion: Mapped[str | None] = mapped_column(String(120))
    quantity: Mapped[float | None] = mapped_column(Float)
    meal: Mapped[str] = mapped_column(String(16), nullable=False)
    kcal: Mapped[float] = mapped_column(Float, nullable=False)
    protein_g: Mapped[float] = mapped_column(Float, nullable=False)
    carbs_g: Mapped[float] = mapped_column(Float, nullable=False)
    fat_g: Mapped[float] = mapped_column(Float, nullable=False)
    fibre_g: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="manual")
    photo_job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class PhotoJob(UUIDPrimaryKeyMixin, UserOwnedMixin, Base):
    """A food photo waiting for (or done with) recognition by the AI service."""

    __tablename__ = "photo_jobs"

    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    object_key: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(32), nullable=False)
    # [{label, confidence, grams, kcal, protein_g, carbs_g, fat_g}] as the recogniser sent them.
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    recognized_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Why there are no candidates (unavailable: no model on the server; failed: an unreadable image).
    reason: Mapped[str | None] = mapped_column(String(500))
