"""GDPR erasure: on `user.deleted`, every core row and object of that user goes."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.session import call_after_commit
from fitjourney_common.events.envelope import EventEnvelope
from fitjourney_common.security import mark_account_erased
from fitjourney_core.account.repository import add_audit_entry
from fitjourney_core.models import Base
from fitjourney_core.writes.summary_cache import invalidate_all_summaries

if TYPE_CHECKING:
    from fitjourney_core.runtime import CoreRuntime

log = logging.getLogger(__name__)

# Tables that are the service's plumbing, not the user's data (the outbox keeps only event envelopes
# and is purged once published), and the append-only audit log: that an export or the erasure itself
# happened must outlive the erasure (GDPR accountability); its rows hold the user id and nothing personal.
KEPT_ON_ERASURE = frozenset({"outbox", "processed_events", "audit_log"})
# Object-store prefixes holding a user's files; each ends with the user's id and a slash.
OBJECT_PREFIXES = ("avatars/{user_id}/", "food-photos/{user_id}/", "exports/{user_id}/")


async def erase_user_rows(session: AsyncSession, user_id: uuid.UUID) -> dict[str, int]:
    """Hard-delete the user's rows from every core table that has a `user_id` (children first)."""
    removed: dict[str, int] = {}
    for table in reversed(Base.metadata.sorted_tables):
        if table.name in KEPT_ON_ERASURE or "user_id" not in table.c:
            continue
        result = await session.execute(delete(table).where(table.c.user_id == user_id))
        removed[table.name] = int(getattr(result, "rowcount", 0) or 0)
    return removed


async def handle_user_deleted(session: AsyncSession, envelope: EventEnvelope, runtime: CoreRuntime) -> None:
    user_id = uuid.UUID(str(envelope.data["user_id"]))
    removed = await erase_user_rows(session, user_id)
    log.info("erased user %s from core: %s", user_id, {k: v for k, v in removed.items() if v})
    add_audit_entry(session, user_id, "erasure.completed", event_id=str(envelope.id),
                    rows=sum(removed.values()))

    async def erase_objects_and_caches() -> None:
        store = runtime.object_store
        if store is not None:
            for prefix in OBJECT_PREFIXES:
                await store.delete_prefix(prefix.format(user_id=user_id))
        await invalidate_all_summaries(runtime.redis, user_id)
        await mark_account_erased(runtime.redis, user_id)

    call_after_commit(session, erase_objects_and_caches)
