"""Every table of the service, imported so `Base.metadata` (Alembic, erasure) knows them all."""

from fitjourney_skeleton.db import Base, OutboxMessage, ProcessedEvent
from fitjourney_skeleton.notes.models import Note

__all__ = ["Base", "Note", "OutboxMessage", "ProcessedEvent"]
