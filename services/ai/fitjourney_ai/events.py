"""Publishing from ai: an event joins the caller's transaction through ai's outbox."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_ai.db import OutboxMessage
from fitjourney_common.events.envelope import new_event
from fitjourney_common.events.outbox import insert_event


async def publish(session: AsyncSession, event_type: str, data: BaseModel | dict[str, Any], user_id: uuid.UUID,
                  ) -> None:
    """Validated against the contract now; relayed only if the transaction commits."""
    await insert_event(session, OutboxMessage, new_event(event_type, data, user_id))
