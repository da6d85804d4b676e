"""Auth's tables in schema `auth`: accounts, sessions, tokens, audit log, outbox and inbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from fitjourney_common.db.base import TimestampMixin, UtcDateTime, UUIDPrimaryKeyMixin, make_base, utcnow
from fitjourney_common.events.inbox import ProcessedEventMixin
from fitjourney_common.events.outbox import OutboxMessageMixin

SCHEMA = "auth"

if TYPE_CHECKING:  # mypy cannot subclass a class a function returns; this is the shape make_base gives
    class Base(DeclarativeBase):
        pass
else:
    Base = make_base(SCHEMA)

ROLE_USER, ROLE_COACH, ROLE_ADMIN = "user", "coach", "admin"


class User(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """An account: its sign-in email, password hash (none for OAuth-only accounts) and roles."""

    __tablename__ = "users"
    __table_args__ = (Index("ix_users_created_at_id", "created_at", "id"),)

    # As the user typed it; `email_normalized` (trimmed, lower case) is what uniqueness and sign-in use.
    email: Mapped[str | None] = mapped_column(String(320))
    email_normalized: Mapped[str | None] = mapped_column(String(320), unique=True)
    email_verified: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # When the owner first proved the email (its verification link, a reset link, a provider's verified
    # email). Password sign-in needs it, so registering someone else's address gives the registrant nothing.
    # `email_verified` is about the current address (it turns false on an email change); this stays.
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    password_hash: Mapped[str | None] = mapped_column(String(100))
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    display_name: Mapped[str] = mapped_column(String(100), nullable=False)
    roles: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=lambda: [ROLE_USER])


class Identity(UUIDPrimaryKeyMixin, Base):
    """A provider account (Google, Apple, Facebook subject) linked to a user."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True,
                                               nullable=False)
    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow)


class RefreshSession(UUIDPrimaryKeyMixin, Base):
    """One sign-in on one device: the family of refresh tokens that rotate from it."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_user_id_created_at", "user_id", "created_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    ip: Mapped[str | None] = mapped_column(String(64))
    # When a credential (password, provider sign-in) was last checked for this session: the access
    # tokens' `auth_time`. None for sessions from before it was kept: their sign-in, `created_at`.
    authenticated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    @property
    def auth_time(self) -> datetime:
        return self.authenticated_at or self.created_at


class RefreshToken(Base):
    """One refresh token of a session, kept only as its SHA-256; `used_at` is set when it rotates,
    so presenting it again is recognised as reuse."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True,
                                                  nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True,
                                               nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class MailedTokenMixin:
    """A single-use token sent by mail, kept only as its SHA-256 (fitjourney_auth.mailed_tokens)."""

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True,
                                               nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class PasswordResetToken(MailedTokenMixin, Base):
    """A password reset token."""

    __tablename__ = "password_reset_tokens"


class EmailVerificationToken(MailedTokenMixin, Base):
    """A token that proves the account's current email."""

    __tablename__ = "email_verification_tokens"


class AuditLogEntry(Base):
    """Append-only record of security-relevant actions; `user_id` has no foreign key so the record
    outlives the account (on PostgreSQL a trigger refuses UPDATE and DELETE)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_user_id_occurred_at", "user_id", "occurred_at"),
                      Index("ix_audit_log_email_occurred_at", "email", "occurred_at"))

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, default=utcnow)
    user_id: Mapped[uuid.UUID | None] = mapped_column()
    email: Mapped[str | None] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(50), nullable=False)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)


class OutboxMessage(OutboxMessageMixin, Base):
    """Events written with the change that caused them, relayed to RabbitMQ."""


class ProcessedEvent(ProcessedEventMixin, Base):
    """Ids of events a consumer already handled (redeliveries are skipped)."""
