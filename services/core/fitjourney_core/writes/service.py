"""The write path: each user-owned resource declares its side effects once (`ResourceKind`), and every
create, update and delete of it goes through `created`, `updated` or `deleted` here, which

- append the change to the sync feed (same transaction),
- put `<resource>.created|updated|deleted` in the outbox (same transaction), with the user, the record's
  version, the local dates it touches and its figures before/after,
- drop the summaries of those days (or of every day) from the cache once the transaction committed
  (earlier, a concurrent read could cache the old numbers again).

A session is bound to the write path (`bind`) by whoever opened it: the request dependency, the event
consumer, the export job. The user's time zone comes through the binding, from the profile domain,
so this shared layer depends on no domain.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any, Literal

from pydantic import BaseModel
from redis.asyncio import Redis
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_common.db.session import call_after_commit
from fitjourney_common.events.contracts import EventData, ResourceState
from fitjourney_common.events.envelope import EventEnvelope, new_event
from fitjourney_common.events.outbox import add_event, note_outbox_write, outbox_row
from fitjourney_core.db import OutboxMessage
from fitjourney_core.local_time import local_date, zone_or_utc
from fitjourney_core.writes import repository
from fitjourney_core.writes.summary_cache import invalidate_all_summaries, invalidate_daily_summary

Op = Literal["created", "updated", "deleted"]
OPS: tuple[Op, ...] = ("created", "updated", "deleted")
# What a change does to the cached daily summaries.
Invalidates = Literal["days", "every_day", "nothing"]
TimeZoneOf = Callable[[AsyncSession, uuid.UUID], Awaitable[str | None]]
_BINDING = "fitjourney_core.writes"


@dataclass(frozen=True)
class ResourceKind:
    """A user-owned resource and the side effects of changing it, declared once."""

    name: str  # in the sync feed
    model: type[Any]  # its table
    id_field: str  # the record's id in its events, e.g. "food_log_id"
    state: type[ResourceState]  # the figures its events carry before/after
    events: Mapping[Op, type[EventData]]  # the contract of each operation it has
    day_field: str | None = None  # the attribute (date, or moment in UTC) placing a record on the calendar
    invalidates: Invalidates = "days"
    # Its writes may change the user's time zone (the profile's): "every_day" then drops the cached zone too.
    moves_time_zone: bool = False
    record_id: Callable[[Any], uuid.UUID] = field(default=lambda record: record.id)

    def snapshot(self, record: Any) -> ResourceState:
        """The record's figures now (take it before changing a record, for the event's `before`)."""
        return self.state.model_validate(record)

    def event_type(self, op: Op) -> str:
        return self.events[op].event_type


@dataclass(frozen=True)
class WriteContext:
    """What the write path needs beyond the session: the summary cache and the user's time zone."""

    redis: Redis
    time_zone_of: TimeZoneOf
    # The same as a one-row query bound as `zone_user_id`, for a create to run in its insert's round trip.
    time_zone_row: Select[Any] | None = None


def bind(session: AsyncSession, context: WriteContext) -> None:
    session.info[_BINDING] = context


def _context(session: AsyncSession) -> WriteContext:
    context = session.info.get(_BINDING)
    if context is None:
        raise RuntimeError("this session is not bound to the write path (fitjourney_core.writes.service.bind)")
    return context  # type: ignore[no-any-return]


def time_zone_row(session: AsyncSession) -> Select[Any] | None:
    return _context(session).time_zone_row


def remember_time_zone(session: AsyncSession, user_id: uuid.UUID, zone: str | None) -> None:
    """The caller read the user's time zone along with something else: the write path need not ask again."""
    session.info.setdefault(f"{_BINDING}.zones", {})[user_id] = zone


async def _zone_name(session: AsyncSession, user_id: uuid.UUID) -> str | None:
    # Asked once per transaction and user: a request writing several records looks it up once.
    zones: dict[uuid.UUID, str | None] = session.info.setdefault(f"{_BINDING}.zones", {})
    if user_id not in zones:
        zones[user_id] = await _context(session).time_zone_of(session, user_id)
    return zones[user_id]


async def _dates(session: AsyncSession, kind: ResourceKind, user_id: uuid.UUID,
                 states: list[ResourceState]) -> list[date]:
    if kind.day_field is None:
        return []
    days: set[date] = set()
    for state in states:
        value = getattr(state, kind.day_field)
        if isinstance(value, datetime):
            value = local_date(value, zone_or_utc(await _zone_name(session, user_id)))
        days.add(value)
    return sorted(days)


def lifecycle_event(
    kind: ResourceKind, op: Op, record: Any, *, dates: list[date], before: ResourceState | None = None,
    extra: Mapping[str, Any] | None = None,
) -> EventEnvelope:
    """`<resource>.<op>` of `record` as it is now, checked against its contract: what `_write` puts in the
    outbox, and what the demo seeder writes in bulk for the history it inserts."""
    user_id: uuid.UUID = record.user_id
    after = kind.snapshot(record) if op != "deleted" else None
    data: dict[str, Any] = {"user_id": user_id, "version": record.version, "dates": dates, **(extra or {})}
    if kind.id_field in kind.events[op].model_fields:
        data[kind.id_field] = kind.record_id(record)
    if before is not None:
        data["before"] = before
    if after is not None:
        data["after"] = after
    return new_event(kind.event_type(op), data, user_id)


async def _write(
    session: AsyncSession, kind: ResourceKind, op: Op, record: Any, before: ResourceState | None,
    payload: dict[str, Any] | None, extra: Mapping[str, Any] | None,
) -> None:
    context = _context(session)
    user_id: uuid.UUID = record.user_id
    record_id = kind.record_id(record)
    after = kind.snapshot(record) if op != "deleted" else None
    states = [state for state in (before, after) if state is not None]
    dates = await _dates(session, kind, user_id, states)

    change = {"user_id": user_id, "resource": kind.name, "resource_id": record_id,
              "op": "delete" if op == "deleted" else "upsert", "version": record.version, "changed_at": utcnow(),
              "payload": None if op == "deleted" else payload}
    event = lifecycle_event(kind, op, record, dates=dates, before=before, extra=extra)
    await repository.record_change_and_event(session, change, OutboxMessage, outbox_row(event))
    note_outbox_write(session, OutboxMessage)

    if kind.invalidates == "every_day":
        call_after_commit(session, partial(invalidate_all_summaries, context.redis, user_id,
                                           keep_zone=not kind.moves_time_zone))
    elif kind.invalidates == "days" and dates:
        call_after_commit(session, partial(invalidate_daily_summary, context.redis, user_id, dates))


async def created(session: AsyncSession, kind: ResourceKind, record: Any, *, payload: dict[str, Any],
                  extra: Mapping[str, Any] | None = None) -> None:
    """`record` was inserted (or brought back after a delete); `payload` is its read shape for the sync feed."""
    await _write(session, kind, "created", record, None, payload, extra)


async def updated(session: AsyncSession, kind: ResourceKind, record: Any, before: ResourceState, *,
                  payload: dict[str, Any], extra: Mapping[str, Any] | None = None) -> None:
    """`record` changed (its version already moved); `before` is `kind.snapshot(record)` from before."""
    await _write(session, kind, "updated", record, before, payload, extra)


async def deleted(session: AsyncSession, kind: ResourceKind, record: Any, before: ResourceState | None = None,
                  *, extra: Mapping[str, Any] | None = None) -> None:
    """`record` was soft-deleted (a tombstone in the feed); `before` defaults to its figures now."""
    await _write(session, kind, "deleted", record, before or kind.snapshot(record), None, extra)


def publish(session: AsyncSession, type_: str, data: BaseModel | dict[str, Any], user_id: uuid.UUID) -> None:
    """Put an event that is no resource's lifecycle (e.g. `export.ready`, `user.deleted`) in the outbox,
    in the caller's transaction (validated against its contract)."""
    add_event(session, OutboxMessage, new_event(type_, data, user_id))
