"""Account rules: one export in the making per user, what an export holds, and scheduling the erasure."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import inspect as sa_inspect
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
from fitjourney_core.body_metrics.models import BodyMetric
from fitjourney_core.food_logs.models import FoodLog, PhotoJob
from fitjourney_core.foods.models import Food
from fitjourney_core.habits.models import Habit, HabitCheckIn
from fitjourney_core.journal.crypto import JournalCipher, JournalDecryptionError
from fitjourney_core.journal.models import JournalEntry
from fitjourney_core.notifications.service import notify_user
from fitjourney_core.objects import EXPORTS
from fitjourney_core.profile.models import Profile
from fitjourney_core.settings import CoreSettings
from fitjourney_core.shared import get_owned_or_404
from fitjourney_core.workouts.models import Workout
from fitjourney_core.writes.service import publish

log = logging.getLogger(__name__)

# JSON file of the export (without `.json`) → the table it holds. Custom foods only: the catalogue's
# rows have no owner, so "the user's rows" of `foods` are exactly their own foods.
EXPORTED: dict[str, type[Any]] = {
    "profile": Profile, "workouts": Workout, "body_metrics": BodyMetric, "foods": Food, "food_logs": FoodLog,
    "photo_jobs": PhotoJob, "habits": Habit, "check_ins": HabitCheckIn, "journal": JournalEntry,
}
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


def _columns(row: Any, *, leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A row as stored, column by column (a new column reaches the export without anyone remembering),
    its id first; without the owner, which is the same on every row (the README names it)."""
    keys = sorted((attr.key for attr in sa_inspect(type(row)).column_attrs), key=lambda key: key != "id")
    return {key: getattr(row, key) for key in keys if key not in leave_out and key != "user_id"}


def _journal_record(entry: JournalEntry, cipher: JournalCipher) -> dict[str, Any]:
    record = _columns(entry, leave_out=frozenset({"text_encrypted"}))
    if entry.deleted_at is not None:
        record["text"] = None  # its text was overwritten when it was deleted
        return record
    try:
        record["text"] = cipher.decrypt(entry.text_encrypted, entry.user_id, entry.date)
    except JournalDecryptionError as exc:
        # One unreadable entry must not cost the user the rest of their export; it is said, not hidden.
        log.error("journal entry %s cannot be decrypted for an export: %s", entry.id, exc)
        record["text"] = None
        record["text_unreadable"] = True
    return record


def _extension(key: str) -> str:
    return PurePosixPath(key).suffix or ".bin"


async def read_user_data(
    session: AsyncSession, cipher: JournalCipher, user_id: uuid.UUID, export_id: uuid.UUID, exported_at: datetime,
) -> ExportContent:
    """Every exported row of the user (deleted ones included: we still hold them), and which stored
    pictures belong in `media/`."""
    content = ExportContent(user_id=user_id, export_id=export_id, exported_at=exported_at)
    for name, model in EXPORTED.items():
        rows = await repository.all_rows_of_user(session, model, user_id)
        if model is Profile:
            profile = rows[0] if rows else None
            record = None
            if profile is not None:
                record = _columns(profile, leave_out=frozenset({"avatar_key"}))
                record["avatar_file"] = None
                if profile.avatar_key:
                    record["avatar_file"] = f"media/avatar{_extension(profile.avatar_key)}"
                    content.media_keys[record["avatar_file"]] = profile.avatar_key
            content.resources[name] = record
        elif model is JournalEntry:
            content.resources[name] = [_journal_record(entry, cipher) for entry in rows]
        elif model is PhotoJob:
            records = []
            for job in rows:
                record = _columns(job, leave_out=frozenset({"object_key"}))
                record["photo_file"] = f"media/food-photos/{job.id}{_extension(job.object_key)}"
                content.media_keys[record["photo_file"]] = job.object_key
                records.append(record)
            content.resources[name] = records
        else:
            content.resources[name] = [_columns(row) for row in rows]
    return content


async def fetch_media(store: ObjectStore, content: ExportContent) -> None:
    """Download the pictures the records point at; ones already gone are listed, not fatal."""
    for path, key in content.media_keys.items():
        try:
            content.media[path] = await store.get(key)
        except NotFound:
            content.missing_media.append(path)
    if content.missing_media:
        # The records keep pointing at them: say so there too rather than leave a dangling file name.
        missing = set(content.missing_media)
        profile = content.resources.get("profile")
        if isinstance(profile, dict) and profile.get("avatar_file") in missing:
            profile["avatar_file"] = None
        for job in content.resources.get("photo_jobs", []):
            if job.get("photo_file") in missing:
                job["photo_file"] = None


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
