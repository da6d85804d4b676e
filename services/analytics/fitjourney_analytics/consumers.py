"""The analytics service's event subscriptions: one durable queue, handlers by event type.

Any write of a user's data in core (its `<resource>.*` events) drops that user's cached dashboards;
`user.registered` records the sign-up date; `report.requested` builds a report; `user.export_requested`
and `user.deleted` are analytics' part of the one export and erasure (gdpr.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_analytics.gdpr import handle_export_requested, handle_user_deleted
from fitjourney_analytics.models import ProcessedEvent
from fitjourney_analytics.registrations import handle_user_registered
from fitjourney_analytics.reports.job import handle_report_requested
from fitjourney_common.events.contracts import EVENT_CONTRACTS
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.events.inbox import idempotent
from fitjourney_common.events.worker import Subscription

if TYPE_CHECKING:
    from fitjourney_analytics.runtime import AnalyticsRuntime

log = logging.getLogger(__name__)

# handler(session, envelope, runtime): runs in the event's transaction (analytics' own database).
Handler = Callable[[AsyncSession, EventEnvelope, "AnalyticsRuntime"], Awaitable[None]]
HANDLERS: dict[str, Handler] = {
    "report.requested": handle_report_requested,
    "user.registered": handle_user_registered,
    "user.deleted": handle_user_deleted,
    "user.export_requested": handle_export_requested,
}
# Core's lifecycle events (`<resource>.created|updated|deleted`): any of them means the user's cached figures
# are stale. Only these: `workout.*` also matched ai's `workout.calories_estimated`, a message per workout that
# changes nothing here (core stores the estimate and says so with a `workout.updated`).
DATA_CHANGE_PATTERNS = sorted(
    event_type for event_type in EVENT_CONTRACTS
    if event_type.partition(".")[0] in ("workout", "food_log", "body_metric", "habit", "check_in", "journal",
                                        "profile")
    and event_type.rpartition(".")[2] in ("created", "updated", "deleted"))


def build_subscriptions(runtime: AnalyticsRuntime) -> list[Subscription]:
    """Analytics' one queue; every handler receives the runtime the worker runs in."""

    async def dispatch(envelope: EventEnvelope) -> None:
        handler = HANDLERS.get(envelope.type)
        if handler is None:
            # A change of the user's data: bumping the cache generation twice is harmless, no inbox needed.
            if envelope.user_id is not None:
                await runtime.dashboard_cache.invalidate(envelope.user_id)
            return

        async def in_transaction(session: AsyncSession, event: EventEnvelope) -> None:
            await handler(session, event, runtime)

        await idempotent(runtime.session_factory, ProcessedEvent, f"analytics:{envelope.type}",
                         in_transaction)(envelope)

    return [Subscription(queue=runtime.settings.events_queue, patterns=[*HANDLERS, *DATA_CHANGE_PATTERNS],
                         handler=dispatch)]
