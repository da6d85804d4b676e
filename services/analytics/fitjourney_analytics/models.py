"""Analytics' own tables (schema `analytics`): reports, sign-up dates, and its outbox and inbox."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, Index, String, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fitjourney_common.db.base import UtcDateTime, make_base, utcnow
from fitjourney_common.events.inbox import ProcessedEventMixin
from fitjourney_common.events.outbox import OutboxMessageMixin

SCHEMA = "analytics"

if TYPE_CHECKING:  # mypy cannot subclass a class a function returns; this is the shape make_base gives
    class Base(DeclarativeBase):
        pass
else:
    Base = make_base(SCHEMA)


class OutboxMessage(OutboxMessageMixin, Base):
    __tablename__ = "outbox"


class ProcessedEvent(ProcessedEventMixin, Base):
    __tablename__ = "processed_events"


class Report(Base):
    """A report a user asked for: built by the event worker, stored in the object store."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_user_created", "user_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    format: Mapped[str] = mapped_column(String(8), nullable=False)
    from_date: Mapped[date] = mapped_column(Date, nullable=False)
    to_date: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    object_key: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Registration(Base):
    """When each account was created (from `user.registered`): new users and weekly cohorts."""

    __tablename__ = "registrations"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, index=True)
