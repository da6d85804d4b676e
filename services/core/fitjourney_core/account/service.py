"""Account rules: one export in the making per user, what an export holds, and scheduling the erasure."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_common.db.session import call_after_commit
from fitjourney_common.errors import NotFound
from fitjourney_common.security import mark_account_erased
from fitjourney_common.storage import ObjectStore
from fitjourney_core.account import repository
from fitjourney_core.account.archive import ExportContent
from fitjourney_core.account.models import Export
from fitjourney_core.account.schemas import ExportRead
from fitjourney_core.body_metrics.service import BODY_METRICS_EXPORT
from fitjourney_core.food_logs.photos import PHOTO_JOBS_EXPORT
from fitjourney_core.food_logs.service import FOOD_LOGS_EXPORT
from fitjourney_core.foods.service import CUSTOM_FOODS_EXPORT
from fitjourney_core.habits.service import CHECK_INS_EXPORT, HABITS_EXPORT
from fitjourney_core.journal.service import JOURNAL_EXPORT
from fitjourney_core.notifications.service import notify_user
from fitjourney_core.objects import EXPORTS
from fitjourney_core.portability import Exporter
from fitjourney_core.profile.service import PROFILE_EXPORT
from fitjourney_core.settings import CoreSettings
from fitjourney_core.shared import get_owned_or_404
from fitjourney_core.workouts.service import WORKOUTS_EXPORT
from fitjourney_core.writes.service import publish

log = logging.getLogger(__name__)

# Each domain's part of the export, asked in this order (one JSON file each).
EXPORTERS: tuple[Exporter, ...] = (
    PROFILE_EXPORT, WORKOUTS_EXPORT, BODY_METRICS_EXPORT, CUSTOM_FOODS_EXPORT, FOOD_LOGS_EXPORT, PHOTO_JOBS_EXPORT,
    HABITS_EXPORT, CHECK_INS_EXPORT, JOURNAL_EXPORT,
)
# JSON file of the export (without `.json`) → the table it holds.
EXPORTED: dict[str, type[Any]] = {exporter.name: exporter.model for exporter in EXPORTERS}
# Core tables with a `user_id` that are not in the export, and why (a test holds every such table to one
# of the two lists, so a new table cannot be forgotten silently).
NOT_EXPORTED: dict[str, str] = {
    "changes": "the sync feed: copies of the records above, in the order they were written",
    "exports": "the exports themselves",
    "audit_log": "our record that exports and erasures happened",
    "outbox": "events on their way to other services (purged once published)",
}
# A pending export older than its deadline by this much was lost with the replica running it.
STALE_MARGIN = timedelta(seconds=60)


def export_name(export_id: uuid.UUID) -> str:
    return f"{export_id}.zip"


def export_key(user_id: uuid.UUID, export_id: uuid.UUID) -> str:
    """Under the user's prefix, so erasure removes every export of theirs."""
    return EXPORTS.key(user_id, export_name(export_id))


async def to_read(export: Export, store: ObjectStore, settings: CoreSettings) -> ExportRead:
    url = expires_at = None
    if export.status == "ready" and export.object_key:
        expires_at = utcnow() + timedelta(seconds=settings.presigned_url_seconds)
        url = await store.presigned_url(export.object_key, settings.presigned_url_seconds)
    return ExportRead(export_id=export.id, status=export.status,  # type: ignore[arg-type]
                      url=url, expires_at=expires_at, created_at=export.created_at, finished_at=export.finished_at)


def _finish(export: Export, status: str, object_key: str | None = None) -> None:
    export.status = status
    export.object_key = object_key
    export.finished_at = export.updated_at = utcnow()
    export.version += 1


def _fail_if_stale(session: AsyncSession, export: Export, settings: CoreSettings) -> bool:
    """A pending export past its deadline will never finish (its replica died): it failed."""
    deadline = export.created_at + timedelta(seconds=settings.export_timeout_seconds) + STALE_MARGIN
    if export.status != "pending" or utcnow() < deadline:
        return False
    _finish(export, "failed")
    repository.add_audit_entry(session, export.user_id, "export.failed", export_id=str(export.id),
                               reason="not finished in time")
    return True


async def request_export(
    session: AsyncSession, settings: CoreSettings, user_id: uuid.UUID,
    start: Callable[[uuid.UUID, uuid.UUID], None],
) -> tuple[Export, bool]:
    """The user's export in the making and whether this call created it (False: one was pending already).

    A new export is started by `start(user_id, export_id)` once this transaction committed, so the job
    never looks for a row that is not there yet (nor runs for a request that rolled back).
    """
    pending = await repository.pending_export(session, user_id, for_update=True)
    if pending is not None:
        if not _fail_if_stale(session, pending, settings):
            return pending, False
        await session.flush()
    export = Export(id=uuid.uuid4(), user_id=user_id, status="pending", version=1)
    try:
        async with session.begin_nested():
            session.add(export)
            await session.flush()
    except IntegrityError:
        # A concurrent request of the same user inserted its pending export first: answer that one.
        winner = await repository.pending_export(session, user_id)
        if winner is None:
            raise
        return winner, False
    repository.add_audit_entry(session, user_id, "export.requested", export_id=str(export.id))
    # Every service holding the user's data answers with its part (`fitjourney_common.gdpr`).
    publish(session, "user.export_requested", {"export_id": export.id, "user_id": user_id}, user_id)

    async def start_after_commit() -> None:
        start(user_id, export.id)

    call_after_commit(session, start_after_commit)
    return export, True


async def get_export(
    session: AsyncSession, store: ObjectStore, settings: CoreSettings, user_id: uuid.UUID, export_id: uuid.UUID,
) -> ExportRead:
    export = await get_owned_or_404(session, Export, export_id, user_id)
    if _fail_if_stale(session, export, settings):
        await session.flush()
    return await to_read(export, store, settings)


async def read_user_data(
    session: AsyncSession, settings: CoreSettings, user_id: uuid.UUID, export_id: uuid.UUID, exported_at: datetime,
) -> ExportContent:
    """Every domain's part of the user's export (deleted records included: we still hold them), and which
    stored pictures belong in `media/`."""
    content = ExportContent(user_id=user_id, export_id=export_id, exported_at=exported_at)
    for exporter in EXPORTERS:
        part = await exporter.read(session, user_id, settings)
        content.resources[exporter.name] = part.records
        content.media_files += part.media
    return content


async def fetch_media(store: ObjectStore, content: ExportContent) -> None:
    """Download the pictures the records point at; ones already gone are listed, not fatal."""
    for media in content.media_files:
        try:
            content.media[media.path] = await store.get(media.key)
        except NotFound:
            content.missing_media.append(media.path)
            # The record keeps pointing at it: say so there too rather than leave a dangling file name.
            media.record[media.field] = None


async def complete_export(
    session: AsyncSession, redis: Redis, user_id: uuid.UUID, export_id: uuid.UUID, object_key: str,
) -> bool:
    """Mark the export ready and announce it; False when it is no longer pending (erased meanwhile)."""
    export = await repository.find_export(session, user_id, export_id, for_update=True)
    if export is None or export.status != "pending":
        return False
    _finish(export, "ready", object_key)
    await session.flush()
    publish(session, "export.ready", {"user_id": user_id, "object_key": object_key}, user_id)
    repository.add_audit_entry(session, user_id, "export.ready", export_id=str(export_id))

    async def announce() -> None:
        await notify_user(redis, user_id, {"type": "export.ready", "export_id": str(export_id)})

    call_after_commit(session, announce)
    return True


async def fail_export(session: AsyncSession, user_id: uuid.UUID, export_id: uuid.UUID, reason: str) -> None:
    export = await repository.find_export(session, user_id, export_id, for_update=True)
    if export is None or export.status != "pending":
        return
    _finish(export, "failed")
    repository.add_audit_entry(session, user_id, "export.failed", export_id=str(export_id), reason=reason[:200])


def schedule_erasure(session: AsyncSession, redis: Redis, user_id: uuid.UUID) -> None:
    """Publish `user.deleted` with this transaction: every service (core too, through its own consumer)
    erases the user when it consumes it, auth deleting the credentials. Once committed, the account's
    access tokens are refused everywhere, so an offline client replaying its queue recreates nothing."""
    publish(session, "user.deleted", {"user_id": user_id}, user_id)
    repository.add_audit_entry(session, user_id, "erasure.requested")
    call_after_commit(session, partial(mark_account_erased, redis, user_id))
