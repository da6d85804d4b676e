"""GDPR erasure: on `user.deleted`, the account's tokens stop working first, then every core row of the
user goes, and their stored objects are deleted by a job retried until done (`objects.erase_requested`)."""

from __future__ import annotations

import logging
import uuid
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.session import call_after_commit
from fitjourney_common.events.contracts import ObjectsEraseRequested, UserDeleted
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.security import mark_account_erased
from fitjourney_core.account.repository import add_audit_entry, delete_rows_of_user
from fitjourney_core.models import Base
from fitjourney_core.objects import user_prefixes
from fitjourney_core.writes.service import publish
from fitjourney_core.writes.summary_cache import invalidate_all_summaries

if TYPE_CHECKING:
    from fitjourney_core.runtime import CoreRuntime

log = logging.getLogger(__name__)

# Tables that are the service's plumbing, not the user's data (the outbox keeps only event envelopes
# and is purged once published), and the append-only audit log: that an export or the erasure itself
# happened must outlive the erasure (GDPR accountability); its rows hold the user id and nothing personal.
KEPT_ON_ERASURE = frozenset({"outbox", "processed_events", "audit_log"})
# A failed object deletion is retried with backoff (capped at a few seconds) this many times, i.e. for
# hours, before the request is parked on the dead-letter queue for an operator.
OBJECT_ERASURE_ATTEMPTS = 10_000


async def erase_user_rows(session: AsyncSession, user_id: uuid.UUID) -> dict[str, int]:
    """Hard-delete the user's rows from every core table that has a `user_id` (children first)."""
    removed: dict[str, int] = {}
    for table in reversed(Base.metadata.sorted_tables):
        if table.name in KEPT_ON_ERASURE or "user_id" not in table.c:
            continue
        removed[table.name] = await delete_rows_of_user(session, table, user_id)
    return removed


async def handle_user_deleted(session: AsyncSession, envelope: EventEnvelope, runtime: CoreRuntime) -> None:
    user_id = UserDeleted.model_validate(envelope.data).user_id
    # First: from now on no token of the account opens anything, so no write can recreate what goes next.
    await mark_account_erased(runtime.redis, user_id)
    removed = await erase_user_rows(session, user_id)
    log.info("erased user %s from core: %s", user_id, {k: v for k, v in removed.items() if v})
    add_audit_entry(session, user_id, "erasure.completed", event_id=str(envelope.id),
                    rows=sum(removed.values()))
    # With the rows' transaction: the objects' deletion cannot be lost, and is retried until it succeeds.
    publish(session, ObjectsEraseRequested.event_type,
            {"user_id": user_id, "prefixes": user_prefixes(user_id)}, user_id)
    call_after_commit(session, partial(invalidate_all_summaries, runtime.redis, user_id))


async def handle_objects_erase_requested(session: AsyncSession, envelope: EventEnvelope,
                                         runtime: CoreRuntime) -> None:
    """Delete the prefixes; an error fails the delivery, so the broker redelivers it after a backoff."""
    request = ObjectsEraseRequested.model_validate(envelope.data)
    for prefix in request.prefixes:
        if not prefix.endswith(f"/{request.user_id}/"):
            log.error("refusing to erase %r: not a prefix of user %s", prefix, request.user_id)
            continue
        await runtime.store.delete_prefix(prefix)
    log.info("erased the stored objects of user %s", request.user_id)
