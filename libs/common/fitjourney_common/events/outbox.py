"""Transactional outbox: events are stored with the change that caused them and relayed to the bus."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import weakref
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Uuid, delete, func, select, text, update
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from fitjourney_common.db.base import UtcDateTime
from fitjourney_common.events._telemetry import EVENTS_PUBLISHED, OUTBOX_PENDING
from fitjourney_common.events.bus import EventBus, PublishError
from fitjourney_common.events.envelope import EventEnvelope

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 10.0
PENDING_GAUGE_SECONDS = 15.0


class OutboxMessageMixin:
    """Columns of a service's outbox table; mix into the service's declarative base.

    `payload` is the envelope's JSON; `trace_headers` keeps the W3C context of the request that
    wrote the event, so the consumer's span joins that trace although the relay publishes it later.
    """

    __tablename__ = "outbox_messages"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)  # the event id
    type: Mapped[str] = mapped_column(String(100), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    trace_headers: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        # The relay only ever reads unpublished rows: a partial index stays tiny however long the history.
        return (
            Index(
                f"ix_{cls.__tablename__}_unpublished", "occurred_at",
                postgresql_where=text("published_at IS NULL"), sqlite_where=text("published_at IS NULL"),
            ),
        )


# Relays wake up right after a commit that added events to their table (low latency without busy polling).
_RELAYS: weakref.WeakSet[OutboxRelay] = weakref.WeakSet()
_PENDING_MODELS_KEY = "fitjourney_outbox_models"


def _wake_relays(session: Session) -> None:
    models = session.info.pop(_PENDING_MODELS_KEY, set())
    for relay in list(_RELAYS):
        if relay.outbox_model in models:
            relay.notify()


def _forget_pending(session: Session, *_: Any) -> None:
    session.info.pop(_PENDING_MODELS_KEY, None)


def outbox_row(envelope: EventEnvelope) -> dict[str, Any]:
    """The outbox columns of an event, for a service that inserts the row itself (Core, in one statement
    with its change); it then calls `note_outbox_write` so the relays wake up after the commit."""
    return {
        "id": envelope.id,
        "type": envelope.type,
        "payload": envelope.model_dump(mode="json"),
        "user_id": envelope.user_id,
        "occurred_at": envelope.occurred_at,
        "attempts": 0,
        "trace_headers": dict(envelope.trace_headers) or None,
    }


def note_outbox_write(session: AsyncSession, outbox_model: type[OutboxMessageMixin]) -> None:
    """The caller's transaction wrote to `outbox_model`: wake this process's relays of it once it commits."""
    sync_session = session.sync_session
    pending = sync_session.info.setdefault(_PENDING_MODELS_KEY, set())
    if not pending and not sa_event.contains(sync_session, "after_commit", _wake_relays):
        sa_event.listen(sync_session, "after_commit", _wake_relays)
        sa_event.listen(sync_session, "after_soft_rollback", _forget_pending)
    pending.add(outbox_model)


def add_event(session: AsyncSession, outbox_model: type[OutboxMessageMixin], envelope: EventEnvelope) -> None:
    """Add the event to the caller's transaction; it is published only if that transaction commits."""
    # The declarative constructor takes column keywords; the mixin alone does not tell mypy so.
    make_row: Callable[..., OutboxMessageMixin] = outbox_model
    session.add(make_row(**outbox_row(envelope)))
    note_outbox_write(session, outbox_model)


class OutboxRelay:
    """Publishes unpublished outbox rows in occurrence order and marks them sent once confirmed.

    Several relays (replicas) may run at once on PostgreSQL: `FOR UPDATE SKIP LOCKED` hands each
    batch to one of them. A row is marked published only after the broker confirmed it, so a crash
    between the two re-publishes it — consumers are idempotent (inbox.py).
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        outbox_model: type[OutboxMessageMixin],
        bus: EventBus,
        *,
        batch_size: int = 500,
        poll_seconds: float = 0.5,
        max_backoff: float = MAX_BACKOFF_SECONDS,
        service: str = "fitjourney",
    ) -> None:
        self.session_factory = session_factory
        self.outbox_model = outbox_model
        self.bus = bus
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.max_backoff = max_backoff
        self.service = service
        self.published_total = 0
        self.consecutive_failures = 0
        self._wake = asyncio.Event()
        _RELAYS.add(self)

    def notify(self) -> None:
        """Wake `run_forever` now instead of at the next poll (called after a commit that added events)."""
        self._wake.set()

    async def run_once(self) -> int:
        """Publish one batch; returns how many events the broker confirmed (0 when it is unreachable)."""
        model = self.outbox_model
        async with self.session_factory() as session, session.begin():
            query = (
                select(model.id, model.payload, model.trace_headers)
                .where(model.published_at.is_(None))
                .order_by(model.occurred_at, model.id)
                .limit(self.batch_size)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).all()
            if not rows:
                self.consecutive_failures = 0
                return 0
            envelopes: list[EventEnvelope] = []
            unconfirmed: list[uuid.UUID] = []
            for row_id, payload, trace_headers in rows:
                try:
                    envelopes.append(EventEnvelope.model_validate({**payload, "trace_headers": trace_headers or {}}))
                except ValueError as exc:
                    # Only a hand-edited row gets here; it must not hold up the events behind it.
                    log.error("outbox relay %s: row %s is not an envelope, left unpublished: %s",
                              self.service, row_id, exc)
                    unconfirmed.append(row_id)
            try:
                await self.bus.publish(envelopes)
                confirmed = [envelope.id for envelope in envelopes]
            except PublishError as exc:
                self.consecutive_failures += 1
                confirmed = [e.id for e in envelopes if e.id in exc.confirmed]
                unconfirmed += [e.id for e in envelopes if e.id not in exc.confirmed]
                log.warning("outbox relay %s: %d of %d event(s) not published, will retry: %s",
                            self.service, len(envelopes) - len(confirmed), len(envelopes), exc)
            else:
                self.consecutive_failures = 0
            # Confirmed events are marked even when others failed, so they are not sent twice.
            if confirmed:
                await session.execute(
                    update(model).where(model.id.in_(confirmed)).values(published_at=datetime.now(UTC))
                    .execution_options(synchronize_session=False)
                )
            if unconfirmed:
                await session.execute(
                    update(model).where(model.id.in_(unconfirmed)).values(attempts=model.attempts + 1)
                    .execution_options(synchronize_session=False)
                )
        self.published_total += len(confirmed)
        confirmed_ids = set(confirmed)
        for event_type, count in Counter(e.type for e in envelopes if e.id in confirmed_ids).items():
            EVENTS_PUBLISHED.labels(service=self.service, type=event_type).inc(count)
        return len(confirmed)

    async def flush(self, seconds: float = 10.0) -> int:
        """Publish every pending event now (at shutdown); stops early when the broker does not confirm.

        Returns how many were published; what is left waits in the outbox for the next relay."""
        published = 0
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    count = await self.run_once()
                    published += count
                    if count == 0 or self.consecutive_failures:
                        break
        return published

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set; never raises: a broker or database outage only slows it down."""
        loop = asyncio.get_running_loop()
        next_gauge_update = loop.time()
        while not stop.is_set():
            try:
                if loop.time() >= next_gauge_update:  # a count(*) now and then, not on every poll
                    next_gauge_update = loop.time() + PENDING_GAUGE_SECONDS
                    await self.pending_count()
                published = await self.run_once()
            except Exception:
                self.consecutive_failures += 1
                published = 0
                log.exception("outbox relay %s failed", self.service)
            if self.consecutive_failures:
                # Exponent capped: hours of outage must not overflow the float.
                delay = min(self.max_backoff, self.poll_seconds * 2 ** min(self.consecutive_failures, 20))
            elif published >= self.batch_size:
                continue  # more rows are waiting
            else:
                delay = self.poll_seconds
            await self._sleep(delay, stop, wake_early=not self.consecutive_failures)

    async def _sleep(self, seconds: float, stop: asyncio.Event, *, wake_early: bool) -> None:
        waiters = {asyncio.ensure_future(stop.wait())}
        if wake_early:
            waiters.add(asyncio.ensure_future(self._wake.wait()))
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            self._wake.clear()

    async def pending_count(self) -> int:
        model = self.outbox_model
        async with self.session_factory() as session:
            count = int(await session.scalar(
                select(func.count()).select_from(model).where(model.published_at.is_(None))
            ) or 0)
        OUTBOX_PENDING.labels(service=self.service).set(count)
        return count

    async def purge_published(self, older_than: timedelta) -> int:
        """Delete rows published before now - `older_than` (the outbox is not an event store)."""
        model = self.outbox_model
        cutoff = datetime.now(UTC) - older_than
        async with self.session_factory() as session, session.begin():
            result = await session.execute(
                delete(model).where(model.published_at.is_not(None), model.published_at < cutoff)
                .execution_options(synchronize_session=False)
            )
        return int(getattr(result, "rowcount", 0) or 0)
