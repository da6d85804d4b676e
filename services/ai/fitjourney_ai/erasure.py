"""GDPR for ai: erase a user's data on `user.deleted`, and hand out all of it for the export."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_ai.readmodel import repository
from fitjourney_common.events.contracts import UserDeleted
from fitjourney_common.events.envelope import EventEnvelope

log = logging.getLogger(__name__)


async def handle_user_deleted(session: AsyncSession, envelope: EventEnvelope) -> None:
    """Every row ai holds about the user (read model, estimates, recognitions) goes; ai stores no objects."""
    user_id = UserDeleted.model_validate(envelope.data).user_id
    removed = await repository.erase_user(session, user_id)
    log.info("erased %d ai rows of user %s", removed, user_id)


async def export_user_data(session: AsyncSession, user_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """A user's ai data per table, JSON-ready after `model_dump`-style conversion by the caller."""
    return await repository.rows_of_user(session, user_id)
