"""ai's declarative base and its outbox and inbox tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fitjourney_common.db.base import make_base
from fitjourney_common.events.inbox import ProcessedEventMixin
from fitjourney_common.events.outbox import OutboxMessageMixin

SCHEMA = "ai"

if TYPE_CHECKING:  # mypy cannot subclass a class a function returns; this is the shape make_base gives
    from sqlalchemy.orm import DeclarativeBase

    class Base(DeclarativeBase):
        pass
else:
    Base = make_base(SCHEMA)


class OutboxMessage(OutboxMessageMixin, Base):
    """Events ai publishes (calorie estimates, photo results), written with the change that caused them."""

    __tablename__ = "outbox"


class ProcessedEvent(ProcessedEventMixin, Base):
    """Inbox: which consumer already handled which event id."""

    __tablename__ = "processed_events"
