"""Journal rules: one entry per user and local date, written by PUT (replace) or PATCH (merge), text encrypted.

The sync feed carries entries without their text (a feed row is stored in plain JSON): a client
that sees a journal change fetches `GET /journal/{date}` for the text.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_common.db.pagination import ListParams
from fitjourney_common.errors import AppError, NotFound, ValidationFailed
from fitjourney_common.events.contracts import JournalCreated, JournalDeleted, JournalState, JournalUpdated
from fitjourney_core.journal import repository
from fitjourney_core.journal.crypto import JournalCipher, JournalDecryptionError
from fitjourney_core.journal.models import JournalEntry
from fitjourney_core.journal.schemas import JournalPage, JournalPatch, JournalRead, JournalWrite
from fitjourney_core.local_time import local_today, surely_not_future
from fitjourney_core.pagination import next_cursor
from fitjourney_core.portability import Exporter, ExportPart, columns
from fitjourney_core.profile.service import user_time_zone
from fitjourney_core.settings import CoreSettings
from fitjourney_core.shared import check_if_match, flush_new, tombstone
from fitjourney_core.writes import service as writes
from fitjourney_core.writes.repository import all_rows_of_user
from fitjourney_core.writes.service import ResourceKind

log = logging.getLogger(__name__)
# Not in the daily summary: a change drops no cached day (its events still name the date).
JOURNAL = ResourceKind(
    name="journal", model=JournalEntry, id_field="entry_id", state=JournalState,
    events={"created": JournalCreated, "updated": JournalUpdated, "deleted": JournalDeleted},
    day_field="date", invalidates="nothing",
)


class JournalUnreadable(AppError):
    status, type_, title = 500, "journal-unreadable", "This journal entry cannot be decrypted"


def cipher_from(settings: CoreSettings) -> JournalCipher:
    return JournalCipher(settings.journal_key_ring, current_key_id=settings.journal_key_id)


def to_read(entry: JournalEntry, cipher: JournalCipher) -> JournalRead:
    try:
        text = cipher.decrypt(entry.text_encrypted, entry.user_id, entry.date)
    except JournalDecryptionError as exc:
        log.error("journal entry %s cannot be decrypted: %s", entry.id, exc)
        raise JournalUnreadable() from exc
    return JournalRead(id=entry.id, date=entry.date, mood=entry.mood, energy=entry.energy, text=text,
                       tags=list(entry.tags), version=entry.version, created_at=entry.created_at,
                       updated_at=entry.updated_at)


async def _check_date(session: AsyncSession, user_id: uuid.UUID, day: date) -> None:
    if not surely_not_future(day):  # only a day near today needs the user's zone (a round trip)
        today = local_today(await user_time_zone(session, user_id))
        if day > today:
            raise ValidationFailed("date", f"is after today ({today.isoformat()}) in your time zone")
    if day.year < 1970:
        raise ValidationFailed("date", "is too far in the past")


def _payload(read: JournalRead) -> dict[str, object]:
    # Without the text: a feed row is plain JSON, so the text would sit there unencrypted.
    return read.model_dump(mode="json", exclude={"text"})


async def write_entry(
    session: AsyncSession, cipher: JournalCipher, user_id: uuid.UUID, day: date, data: JournalWrite,
    if_match: str | None,
) -> tuple[JournalRead, bool]:
    """Create the date's entry (True) or replace it (False); an identical replay changes nothing."""
    await _check_date(session, user_id, day)
    entry = await repository.entry_on(session, user_id, day, for_update=True, include_deleted=True)
    if entry is not None and entry.deleted_at is None:
        current = to_read(entry, cipher)
        # A replayed write (same content) is answered as is, even with the If-Match it was first sent with.
        if (current.mood, current.energy, current.text, current.tags) == (data.mood, data.energy, data.text,
                                                                          data.tags):
            return current, False
        check_if_match(if_match, entry.version)
    created = entry is None or entry.deleted_at is not None
    before = None if entry is None or created else JOURNAL.snapshot(entry)
    sealed = cipher.encrypt(data.text, user_id, day)  # a fresh nonce on every write
    if entry is None:
        entry = JournalEntry(id=data.id or uuid.uuid4(), user_id=user_id, date=day, mood=data.mood,
                             energy=data.energy, text_encrypted=sealed, tags=list(data.tags), version=1)
        await flush_new(session, entry)
    else:
        entry.mood, entry.energy, entry.tags, entry.text_encrypted = data.mood, data.energy, list(data.tags), sealed
        entry.deleted_at = None
        entry.version += 1
        entry.updated_at = utcnow()
        await session.flush()
    read = to_read(entry, cipher)
    if before is None:
        await writes.created(session, JOURNAL, entry, payload=_payload(read))
    else:
        await writes.updated(session, JOURNAL, entry, before, payload=_payload(read))
    return read, created


async def patch_entry(
    session: AsyncSession, cipher: JournalCipher, user_id: uuid.UUID, day: date, patch: JournalPatch,
    if_match: str | None,
) -> JournalRead:
    """Merge `patch` into the date's entry (404 without one); the rest is a replacing write."""
    current = await get_entry(session, cipher, user_id, day)
    read, _ = await write_entry(session, cipher, user_id, day, patch.merged_into(current), if_match)
    return read


async def get_entry(session: AsyncSession, cipher: JournalCipher, user_id: uuid.UUID, day: date) -> JournalRead:
    entry = await repository.entry_on(session, user_id, day)
    if entry is None:
        raise NotFound("No journal entry on that date")
    return to_read(entry, cipher)


async def list_entries(
    session: AsyncSession, cipher: JournalCipher, user_id: uuid.UUID, params: ListParams,
) -> JournalPage:
    rows, cursor = next_cursor(list(await repository.list_entries(session, user_id, params)), params.limit, "date")
    return JournalPage(items=[to_read(row, cipher) for row in rows], next_cursor=cursor)


async def delete_entry(session: AsyncSession, user_id: uuid.UUID, day: date, if_match: str | None) -> None:
    entry = await repository.entry_on(session, user_id, day, for_update=True)
    if entry is None:
        raise NotFound("No journal entry on that date")
    check_if_match(if_match, entry.version)
    before = JOURNAL.snapshot(entry)
    # Nothing of the text is kept readable, even for the owner, once deleted.
    entry.text_encrypted = b"\x00" * 29
    entry.tags = []
    await tombstone(session, JOURNAL, entry, before=before)


def _export_record(entry: JournalEntry, cipher: JournalCipher) -> dict[str, object]:
    record: dict[str, object] = columns(entry, leave_out=frozenset({"text_encrypted"}))
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


async def _export(session: AsyncSession, user_id: uuid.UUID, settings: CoreSettings) -> ExportPart:
    """The user's entries with their text decrypted (the export is theirs to read)."""
    cipher = cipher_from(settings)
    entries = await all_rows_of_user(session, JournalEntry, user_id)
    return ExportPart([_export_record(entry, cipher) for entry in entries])


JOURNAL_EXPORT = Exporter("journal", JournalEntry, _export)
