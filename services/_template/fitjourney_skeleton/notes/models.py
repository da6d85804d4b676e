"""The `notes` table: one short text per row, owned by a user."""

from __future__ import annotations

import uuid

from sqlalchemy import String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_common.db.base import TimestampMixin
from fitjourney_skeleton.db import Base


class Note(TimestampMixin, Base):
    __tablename__ = "notes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    text: Mapped[str] = mapped_column(String(500), nullable=False)
