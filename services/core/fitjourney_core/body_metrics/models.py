"""The `body_metrics` table, range-partitioned by month on `measured_at` in PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Float, Index, Integer, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_common.db.base import UtcDateTime
from fitjourney_core.db import Base, UserOwnedMixin


class BodyMetric(UserOwnedMixin, Base):
    __tablename__ = "body_metrics"
    __table_args__ = (
        Index("ix_body_metrics_user_id_measured_at_live", "user_id", "measured_at",
              postgresql_where=text("deleted_at IS NULL"), sqlite_where=text("deleted_at IS NULL")),
        {"postgresql_partition_by": "RANGE (measured_at)"},
    )

    # A partitioned table's primary key must contain the partition key.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    measured_at: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    body_fat_pct: Mapped[float | None] = mapped_column(Float)
    waist_cm: Mapped[float | None] = mapped_column(Float)
    hip_cm: Mapped[float | None] = mapped_column(Float)
    chest_cm: Mapped[float | None] = mapped_column(Float)
    resting_hr: Mapped[int | None] = mapped_column(Integer)
