"""The `exports` table (one row per requested data export) and the append-only `audit_log`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_common.db.base import UtcDateTime, UUIDPrimaryKeyMixin, utcnow
from fitjourney_core.db import Base, UserOwnedMixin

EXPORT_STATUSES = ("pending", "ready", "failed")
_ONE_PENDING = "status = 'pending' AND deleted_at IS NULL"


class Export(UUIDPrimaryKeyMixin, UserOwnedMixin, Base):
    """A zip of the user's data at `object_key` once `status` is ready."""

    __tablename__ = "exports"
    __table_args__ = (
        # One export in the making per user: a second request while one is pending answers that one, and
        # two racing requests cannot both insert (the loser re-reads the winner's row).
        Index("ix_exports_user_id_pending", "user_id", unique=True,
              postgresql_where=text(_ONE_PENDING), sqlite_where=text(_ONE_PENDING)),
        CheckConstraint("status IN ('pending', 'ready', 'failed')", name="status"),
    )

    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    object_key: Mapped[str | None] = mapped_column(String(255))
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


# BIGINT identity on PostgreSQL; SQLite only auto-increments an INTEGER PRIMARY KEY.
AUDIT_ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")


class AuditEntry(Base):
    """What happened to a user's data as a whole (exports, erasure). Append-only: on PostgreSQL a
    trigger refuses UPDATE and DELETE, and erasure keeps these rows (they name no one but the user id)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_user_id_occurred_at", "user_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(AUDIT_ID_TYPE, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    action: Mapped[str] = mapped_column(String(50), nullable=False)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
