"""The `profiles` table: one row per user, created on first read."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, Float, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_core.db import Base, UserOwnedMixin


class Profile(UserOwnedMixin, Base):
    """Stored metric whatever the user's display units (`units` only changes how values are shown)."""

    __tablename__ = "profiles"

    # One profile per user: the owner is the key (no separate id, no user_id index needed).
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(8))
    height_cm: Mapped[float | None] = mapped_column(Float)
    activity_level: Mapped[str] = mapped_column(String(16), nullable=False, default="sedentary")
    goal: Mapped[str] = mapped_column(String(16), nullable=False, default="maintain")
    target_weight_kg: Mapped[float | None] = mapped_column(Float)
    weekly_rate_kg: Mapped[float | None] = mapped_column(Float)
    units: Mapped[str] = mapped_column(String(8), nullable=False, default="metric")
    time_zone: Mapped[str] = mapped_column(String(64), nullable=False, default="UTC")
    avatar_key: Mapped[str | None] = mapped_column(String(255))
