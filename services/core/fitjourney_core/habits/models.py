"""The `habits` table and `habit_check_ins` (range-partitioned by month on `date` in PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, Index, Integer, String, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_common.db.base import UUIDPrimaryKeyMixin
from fitjourney_core.db import Base, UserOwnedMixin


class Habit(UUIDPrimaryKeyMixin, UserOwnedMixin, Base):
    __tablename__ = "habits"

    name: Mapped[str] = mapped_column(String(100), nullable=False)
    # "daily", or the scheduled weekdays as "mon,wed,fri" (always in week order).
    schedule: Mapped[str] = mapped_column(String(32), nullable=False, default="daily")
    target_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class HabitCheckIn(UserOwnedMixin, Base):
    """One row per habit per local date; deleting one soft-deletes it and a new check-in revives it."""

    __tablename__ = "habit_check_ins"
    __table_args__ = (
        # A unique constraint on a partitioned table must contain the partition key (`date` does).
        UniqueConstraint("habit_id", "date", name="uq_habit_check_ins_habit_id_date"),
        Index("ix_habit_check_ins_user_id_date_live", "user_id", "date",
              postgresql_where=text("deleted_at IS NULL"), sqlite_where=text("deleted_at IS NULL")),
        {"postgresql_partition_by": "RANGE (date)"},
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    habit_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
