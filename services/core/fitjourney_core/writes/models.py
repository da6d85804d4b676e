"""The `changes` table (the sync feed): one row per create, update or delete of a user's resource."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_common.db.base import UtcDateTime, utcnow
from fitjourney_core.db import Base

# BIGINT identity on PostgreSQL; SQLite only auto-increments an INTEGER PRIMARY KEY.
SEQ_TYPE = BigInteger().with_variant(Integer(), "sqlite")


class Change(Base):
    """A resource's state right after a write (`payload`), or a tombstone (`op="delete"`, no payload)."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_user_id_seq", "user_id", "seq"),)

    seq: Mapped[int] = mapped_column(SEQ_TYPE, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    resource: Mapped[str] = mapped_column(String(32), nullable=False)
    resource_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    op: Mapped[str] = mapped_column(String(8), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class RecordId(Base):
    """Every id ever given to a record of a partitioned table (food logs, body metrics, check-ins).

    A partitioned table can only be unique on (id, partition key), so another user's id with another
    timestamp would be accepted there; this unpartitioned table makes ids unique across users and time.
    It names no user: an erased account's ids stay taken, as ids are never reused."""

    __tablename__ = "record_ids"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64), nullable=False)
