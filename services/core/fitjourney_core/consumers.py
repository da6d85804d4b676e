"""The core service's event subscriptions: its events queue, and a queue of its own jobs retried until done;
one idempotent handler per event type."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.events.inbox import idempotent
from fitjourney_common.events.worker import Subscription
from fitjourney_core.account.parts import handle_erasure_completed, handle_export_part_ready
from fitjourney_core.db import ProcessedEvent
from fitjourney_core.erasure import OBJECT_ERASURE_ATTEMPTS, handle_objects_erase_requested, handle_user_deleted
from fitjourney_core.food_logs.consumers import handle_photo_recognized
from fitjourney_core.notifications.consumers import handle_report_ready
from fitjourney_core.profile.consumers import handle_user_registered
from fitjourney_core.workouts.consumers import handle_calories_estimated
from fitjourney_core.writes import service as writes

if TYPE_CHECKING:
    from fitjourney_core.runtime import CoreRuntime

log = logging.getLogger(__name__)

# handler(session, envelope, runtime): runs in the event's transaction, bound to the event's user.
CoreHandler = Callable[[AsyncSession, EventEnvelope, "CoreRuntime"], Awaitable[None]]
HANDLERS: dict[str, CoreHandler] = {
    "workout.calories_estimated": handle_calories_estimated,
    "food.photo_recognized": handle_photo_recognized,
    "user.deleted": handle_user_deleted,
    "user.registered": handle_user_registered,
    "report.ready": handle_report_ready,
    "user.export_part_ready": handle_export_part_ready,
    "user.erasure_completed": handle_erasure_completed,
}
# Jobs core gives itself through its outbox (so they survive a crash), on a queue of their own that
# retries them far longer than an event from another service.
JOBS: dict[str, CoreHandler] = {
    "objects.erase_requested": handle_objects_erase_requested,
}


def jobs_queue(events_queue: str) -> str:
    return f"{events_queue}.jobs"


def build_subscriptions(runtime: CoreRuntime) -> list[Subscription]:
    """Core's queues; every handler receives the runtime the worker runs in."""
    queue = runtime.settings.events_queue
    return [
        Subscription(queue=queue, patterns=list(HANDLERS), handler=_dispatcher(runtime, HANDLERS)),
        Subscription(queue=jobs_queue(queue), patterns=list(JOBS), handler=_dispatcher(runtime, JOBS),
                     max_attempts=OBJECT_ERASURE_ATTEMPTS),
    ]


def _dispatcher(runtime: CoreRuntime, handlers: dict[str, CoreHandler]) -> Callable[[EventEnvelope], Awaitable[None]]:
    async def dispatch(envelope: EventEnvelope) -> None:
        handler = handlers.get(envelope.type)
        if handler is None:
            log.warning("no core handler for %s, dropped", envelope.type)
            return

        async def in_transaction(session: AsyncSession, event: EventEnvelope) -> None:
            writes.bind(session, runtime.writes)
            await handler(session, event, runtime)

        run_once = idempotent(runtime.session_factory, ProcessedEvent, f"core:{envelope.type}", in_transaction)
        # Side effects registered with call_after_commit run once the handler's transaction committed.
        await run_once(envelope)

    return dispatch
