"""The `journal_entries` table: one entry per user per date, its text encrypted (see journal/crypto.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, Integer, LargeBinary, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_common.db.base import UUIDPrimaryKeyMixin
from fitjourney_core.db import Base, UserOwnedMixin


class JournalEntry(UUIDPrimaryKeyMixin, UserOwnedMixin, Base):
    __tablename__ = "journal_entries"
    __table_args__ = (UniqueConstraint("user_id", "date", name="uq_journal_entries_user_id_date"),)

    date: Mapped[date] = mapped_column(Date, nullable=False)
    mood: Mapped[int | None] = mapped_column(Integer)
    energy: Mapped[int | None] = mapped_column(Integer)
    # key id (1 byte) || nonce (12 bytes) || AES-256-GCM ciphertext and tag; never the plain text.
    text_encrypted: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    tags: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
