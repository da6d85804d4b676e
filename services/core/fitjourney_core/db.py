"""Core's declarative base, its outbox and inbox tables, and the columns every user-owned table has."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fitjourney_common.db.base import TimestampMixin, UtcDateTime, VersionMixin, make_base
from fitjourney_common.events.inbox import ProcessedEventMixin
from fitjourney_common.events.outbox import OutboxMessageMixin

SCHEMA = "core"

if TYPE_CHECKING:  # mypy cannot subclass a class a function returns; this is the shape make_base gives
    class Base(DeclarativeBase):
        pass
else:
    Base = make_base(SCHEMA)


class OutboxMessage(OutboxMessageMixin, Base):
    """Events written with the change that caused them; the relay publishes them (no RLS: no user)."""

    __tablename__ = "outbox"


class ProcessedEvent(ProcessedEventMixin, Base):
    """Inbox: which consumer already handled which event id (no RLS: written before any user is known)."""

    __tablename__ = "processed_events"


class UserOwnedMixin(TimestampMixin, VersionMixin):
    """Owner, soft delete and optimistic-concurrency version: every user-owned table has these.

    On PostgreSQL each such table has an RLS policy on `user_id`; queries still filter by owner so
    SQLite (no RLS) is just as safe. A soft-deleted row (`deleted_at` set) is a tombstone for sync.
    """

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
