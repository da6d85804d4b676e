"""Events of other services that only need to reach the user's WebSocket (e.g. analytics' `report.ready`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.session import call_after_commit
from fitjourney_common.events.contracts import ReportReady
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_core.notifications.service import notify_user


async def handle_report_ready(session: AsyncSession, envelope: EventEnvelope, runtime: Any) -> None:
    ready = ReportReady.model_validate(envelope.data)

    async def announce() -> None:
        # The client fetches GET /api/v1/analytics/reports/{id} for a fresh download URL.
        await notify_user(runtime.redis, ready.user_id, {
            "type": "report.ready", "report_id": str(ready.report_id), "format": ready.format})

    call_after_commit(session, announce)
