"""Migration 0003 on PostgreSQL: every account that existed before it is activated, so nobody who could sign
in is locked out by email verification."""

from __future__ import annotations

import asyncio
import uuid

from auth_helpers import SERVICE_DIR, fetch
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from fitjourney_common.db.migrations import alembic_config
from fitjourney_common.testing.postgres import temporary_database


def _upgrade(database_url: str, revision: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(SERVICE_DIR, database_url), revision)


async def test_accounts_from_before_verification_are_activated_at_their_creation():
    async with temporary_database("fj_auth_0003") as url:
        await asyncio.to_thread(_upgrade, url, "0002")
        engine = create_async_engine(url)
        try:
            user_id = uuid.uuid4()
            async with engine.begin() as connection:
                await connection.execute(text(
                    "insert into auth.users (id, email, email_normalized, email_verified, password_hash, display_name, "
                    "roles, created_at, updated_at) values (:id, 'old@example.com', 'old@example.com', false, "
                    "'$2b$04$x', 'Old', '[\"user\"]', '2026-01-02T03:04:05Z', now())"), {"id": user_id})
            await asyncio.to_thread(_upgrade, url, "head")
            rows = await fetch(engine, "select activated_at = created_at as at_creation, email_verified "
                                       "from auth.users where id = :id", id=user_id)
            assert rows == [{"at_creation": True, "email_verified": False}]
            assert await fetch(engine, "select * from auth.email_verification_tokens") == []
        finally:
            await engine.dispose()
