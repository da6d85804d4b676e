"""ai's part of the one export and the one erasure (`fitjourney_common.gdpr`): every row ai keeps about a
user (read model, calorie estimates, photo recognitions) and the written insights it caches in Redis.

ai stores no objects of its own: the food photos it classifies are core's (core erases them), and an
uploaded image of `POST /food-recognition` is never kept.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_ai.events import publish
from fitjourney_ai.insights.cache import cached_insights, forget_insights
from fitjourney_ai.readmodel import repository
from fitjourney_common.events.contracts import UserDeleted, UserExportPartReady, UserExportRequested
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.gdpr import erasure_completed, export_part, record

if TYPE_CHECKING:
    from fitjourney_ai.runtime import AiRuntime

log = logging.getLogger(__name__)
SERVICE = "ai"
OWNER = frozenset({"user_id"})
# The file of the export (`ai/<name>.json`) holding the cached insights.
INSIGHTS = "insights"


async def handle_export_requested(session: AsyncSession, envelope: EventEnvelope, runtime: AiRuntime) -> None:
    """`ai/<table>.json` per table of schema `ai` with the user's rows (tombstones included: we hold them),
    and `ai/insights.json` with the summaries cached for them."""
    request = UserExportRequested.model_validate(envelope.data)
    tables = {name: [record(row, leave_out=OWNER) for row in rows]
              for name, rows in (await repository.rows_of_user(session, request.user_id)).items()}
    # Redis down: the part would be incomplete, so the event is retried instead.
    tables[INSIGHTS] = await cached_insights(runtime.redis, request.user_id)
    await publish(session, UserExportPartReady.event_type, export_part(SERVICE, request, tables), request.user_id)


async def handle_user_deleted(session: AsyncSession, envelope: EventEnvelope, runtime: AiRuntime) -> None:
    """Every row and cached insight of the user goes, then `user.erasure_completed` (same transaction).

    A replay finds nothing left and reports 0 rows; a Redis outage fails the event, which is retried, so
    the completion is never announced while something remains.
    """
    user_id = UserDeleted.model_validate(envelope.data).user_id
    cached = await forget_insights(runtime.redis, user_id)
    rows = await repository.erase_user(session, user_id)
    await publish(session, "user.erasure_completed", erasure_completed(SERVICE, user_id, rows), user_id)
    log.info("erased ai data of %s: %d rows, %d cached insights", user_id, rows, cached)
