"""The service's event handlers: one durable queue (`<service>.events`), one idempotent handler per type.

Every service honours `user.deleted` (GDPR erasure), so the template starts with that one.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.engine import bind_user
from fitjourney_common.events.contracts import UserDeleted
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.events.inbox import idempotent
from fitjourney_common.events.worker import Subscription
from fitjourney_skeleton.db import ProcessedEvent
from fitjourney_skeleton.notes import service as notes

if TYPE_CHECKING:
    from fitjourney_skeleton.runtime import SkeletonRuntime

log = logging.getLogger(__name__)


async def handle_user_deleted(session: AsyncSession, envelope: EventEnvelope, runtime: SkeletonRuntime) -> None:
    user_id: uuid.UUID = UserDeleted.model_validate(envelope.data).user_id
    await bind_user(session, user_id)
    removed = await notes.erase_user(session, user_id)
    log.info("erased user %s from %s: %d note(s)", user_id, runtime.settings.service_name, removed)


# handler(session, envelope, runtime): runs in the event's transaction, once per event id.
Handler = Callable[[AsyncSession, EventEnvelope, "SkeletonRuntime"], Awaitable[None]]
HANDLERS: dict[str, Handler] = {
    "user.deleted": handle_user_deleted,
}


def subscriptions(runtime: SkeletonRuntime) -> list[Subscription]:
    async def dispatch(envelope: EventEnvelope) -> None:
        handler = HANDLERS[envelope.type]

        async def in_transaction(session: AsyncSession, event: EventEnvelope) -> None:
            await handler(session, event, runtime)

        await idempotent(runtime.session_factory, ProcessedEvent, f"{runtime.settings.service_name}:{envelope.type}",
                         in_transaction)(envelope)

    return [Subscription(queue=runtime.settings.events_queue, patterns=list(HANDLERS), handler=dispatch)]
