"""Refresh tokens in Redis for quick lookups; Postgres stays the record (a miss or an outage falls back to it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis

from fitjourney_common.cache import JsonCache
from fitjourney_common.db.base import utcnow
from fitjourney_common.events.envelope import as_utc

NAMESPACE = "auth:refresh"


@dataclass(frozen=True)
class CachedToken:
    """An unused refresh token: which session and user it belongs to, and until when it is valid."""

    session_id: uuid.UUID
    user_id: uuid.UUID
    expires_at: datetime


class RefreshTokenCache:
    """Only unused tokens are cached: rotation and revocation delete entries, so a stale entry can at
    worst send a request to Postgres, which decides (single use, revocation) on its own."""

    def __init__(self, redis: Redis, service: str = "auth"):
        self.cache = JsonCache(redis, NAMESPACE, service)

    async def put(self, token_hash: str, token: CachedToken) -> None:
        ttl = int((as_utc(token.expires_at) - utcnow()).total_seconds())
        if ttl > 0:
            await self.cache.set(token_hash, token, ttl)

    async def get(self, token_hash: str) -> CachedToken | None:
        raw = await self.cache.get(token_hash)
        if not isinstance(raw, dict):
            return None
        try:
            return CachedToken(session_id=uuid.UUID(raw["session_id"]), user_id=uuid.UUID(raw["user_id"]),
                               expires_at=as_utc(datetime.fromisoformat(raw["expires_at"])))
        except (KeyError, TypeError, ValueError):
            return None

    async def forget(self, token_hashes: Iterable[str]) -> None:
        await self.cache.delete(*token_hashes)
