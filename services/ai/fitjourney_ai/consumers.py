"""ai's event subscriptions: the read model, calorie estimates and its part of the one export and erasure on
`ai.events`; food photos on their own queue `ai.photos` with a small prefetch, so a backlog of images never
holds up a workout's calories."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_ai.calories.service import answer_workout
from fitjourney_ai.db import ProcessedEvent
from fitjourney_ai.gdpr import handle_export_requested, handle_user_deleted
from fitjourney_ai.readmodel.consumers import MIRROR_HANDLERS
from fitjourney_ai.recognition.service import recognize_stored_photo, record_result
from fitjourney_ai.runtime import AiRuntime
from fitjourney_common.events.contracts import FoodPhotoUploaded, WorkoutCreated, WorkoutUpdated
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.events.inbox import idempotent
from fitjourney_common.events.worker import Subscription
from fitjourney_common.security import account_erased

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, EventEnvelope], Awaitable[None]]
GdprHandler = Callable[[AsyncSession, EventEnvelope, AiRuntime], Awaitable[None]]


async def _estimate_workout(session: AsyncSession, envelope: EventEnvelope) -> None:
    contract = WorkoutCreated if envelope.type == "workout.created" else WorkoutUpdated
    workout = contract.model_validate(envelope.data)
    # An edit that changed nothing the estimate depends on (or core recording our own answer) asks nothing.
    if workout.estimate_needed:
        await answer_workout(session, workout)


def _handlers() -> dict[str, list[Handler]]:
    """Every data event ai consumes on `ai.events` → what it does with it, in order, in one transaction."""
    handlers: dict[str, list[Handler]] = {event_type: [h] for event_type, h in MIRROR_HANDLERS.items()}
    for event_type in ("workout.created", "workout.updated"):
        handlers[event_type].append(_estimate_workout)
    return handlers


HANDLERS = _handlers()
GDPR_HANDLERS: dict[str, GdprHandler] = {
    "user.deleted": handle_user_deleted,
    "user.export_requested": handle_export_requested,
}
PHOTO_EVENT = "food.photo_uploaded"


async def _of_erased_account(runtime: AiRuntime, envelope: EventEnvelope) -> bool:
    """A data event that reaches ai after (or while) its user was erased would write their data again:
    it is dropped. Deliveries run concurrently, so order alone does not keep it out."""
    if envelope.user_id is None or not await account_erased(runtime.redis, envelope.user_id):
        return False
    log.info("%s %s of an erased account dropped", envelope.type, envelope.id)
    return True


def build_subscriptions(runtime: AiRuntime) -> list[Subscription]:
    settings = runtime.settings

    async def dispatch(envelope: EventEnvelope) -> None:
        gdpr = GDPR_HANDLERS.get(envelope.type)
        if gdpr is not None:
            async def with_runtime(session: AsyncSession, event: EventEnvelope) -> None:
                await gdpr(session, event, runtime)

            await idempotent(runtime.session_factory, ProcessedEvent, f"ai:{envelope.type}", with_runtime)(envelope)
            return
        steps = HANDLERS.get(envelope.type)
        if steps is None:
            log.warning("no ai handler for %s, dropped", envelope.type)
            return

        async def in_transaction(session: AsyncSession, event: EventEnvelope) -> None:
            # Checked in the transaction (the event is then recorded as processed, so a redelivery is cheap).
            if await _of_erased_account(runtime, event):
                return
            for step in steps:
                await step(session, event)

        await idempotent(runtime.session_factory, ProcessedEvent, f"ai:{envelope.type}", in_transaction)(envelope)

    async def on_photo(envelope: EventEnvelope) -> None:
        photo = FoodPhotoUploaded.model_validate(envelope.data)
        # Inference first, outside any transaction (no connection held while torch works); a redelivery
        # after the result committed is then skipped by the inbox, at the cost of one repeated inference.
        result = None if await _of_erased_account(runtime, envelope) else await recognize_stored_photo(runtime, photo)

        async def in_transaction(session: AsyncSession, event: EventEnvelope) -> None:
            if result is not None and not await _of_erased_account(runtime, event):
                await record_result(session, photo, result)

        await idempotent(runtime.session_factory, ProcessedEvent, f"ai:{PHOTO_EVENT}", in_transaction)(envelope)

    return [
        Subscription(queue=settings.events_queue, patterns=sorted([*HANDLERS, *GDPR_HANDLERS]), handler=dispatch),
        # Two batches in flight: one being classified, one filling up.
        Subscription(queue=settings.queue_name("ai.photos"), patterns=[PHOTO_EVENT], handler=on_photo,
                     prefetch=2 * settings.food_batch_size),
    ]
