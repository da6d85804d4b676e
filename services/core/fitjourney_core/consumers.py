"""The core service's event subscriptions: one durable queue, one idempotent handler per event type."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.events.inbox import idempotent
from fitjourney_common.events.worker import Subscription
from fitjourney_core.db import ProcessedEvent
from fitjourney_core.erasure import handle_user_deleted
from fitjourney_core.food_logs.consumers import handle_photo_recognized
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
}


def build_subscriptions(runtime: CoreRuntime) -> list[Subscription]:
    """Core's one queue; every handler receives the runtime the worker runs in."""

    async def dispatch(envelope: EventEnvelope) -> None:
        handler = HANDLERS.get(envelope.type)
        if handler is None:
            log.warning("no core handler for %s, dropped", envelope.type)
            return

        async def in_transaction(session: AsyncSession, event: EventEnvelope) -> None:
            writes.bind(session, runtime.writes)
            await handler(session, event, runtime)

        run_once = idempotent(runtime.session_factory, ProcessedEvent, f"core:{envelope.type}", in_transaction)
        # Side effects registered with call_after_commit run once the handler's transaction committed.
        await run_once(envelope)

    return [Subscription(queue=runtime.settings.events_queue, patterns=list(HANDLERS), handler=dispatch)]
