"""Publishing a notification to every replica that holds one of the user's WebSockets."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from redis.asyncio import Redis

from fitjourney_common.cache import REDIS_OUTAGE_ERRORS

log = logging.getLogger(__name__)


def channel_for(user_id: uuid.UUID) -> str:
    return f"notifications:{user_id}"


async def notify_user(redis: Redis, user_id: uuid.UUID, message: dict[str, Any]) -> int:
    """Publish `message` (JSON-ready) on the user's channel; returns how many replicas got it.

    Notifications are best effort: the data is already in Postgres and the sync feed, so a Redis
    outage is logged and swallowed instead of failing the write that caused it.
    """
    try:
        return int(await redis.publish(channel_for(user_id), json.dumps(message, default=str)))
    except REDIS_OUTAGE_ERRORS as exc:
        log.warning("notification to %s not published: %s", user_id, exc)
        return 0
