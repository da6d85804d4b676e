"""Fixtures for the events tests: a throwaway PostgreSQL database and uniquely named RabbitMQ objects."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import aio_pika
import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy import String, Uuid, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_common.db.base import make_base
from fitjourney_common.db.engine import create_engine, create_session_factory
from fitjourney_common.events import InMemoryBus, OutboxMessageMixin, ProcessedEventMixin
from fitjourney_common.events.rabbitmq import RabbitMQBus, dead_letter_exchange_name, dead_letter_queue_name

AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
PG_ADMIN_DSN = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SCHEMA = "events_test"

# mypy cannot subclass a base class returned by a function, hence Any.
Base: Any = make_base(SCHEMA)


class Outbox(OutboxMessageMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class Workout(Base):
    """Stands in for a service's own table: the change an event is written with, or a consumer's write."""

    __tablename__ = "workouts"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    activity: Mapped[str] = mapped_column(String(50))
    started_at: Mapped[datetime]


@pytest.fixture(scope="session")
def tables() -> SimpleNamespace:
    return SimpleNamespace(Base=Base, Outbox=Outbox, ProcessedEvent=ProcessedEvent, Workout=Workout)


@pytest_asyncio.fixture(scope="session")
async def pg_url() -> AsyncIterator[str]:
    """A database of its own for this test session, dropped afterwards even when tests failed."""
    name = f"fj_events_test_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _, _ = PG_ADMIN_DSN.rpartition("/")
    try:
        yield f"{base.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{name}"
    finally:
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest_asyncio.fixture(scope="session")
async def pg_engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(pg_url, SCHEMA, pool_size=5)
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
        await conn.run_sync(Base.metadata.create_all)
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture
async def pg_sessions(pg_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory on empty tables (relays read every unpublished row, so tests must not share)."""
    async with pg_engine.begin() as conn:
        names = ", ".join(f'"{SCHEMA}"."{t.name}"' for t in Base.metadata.sorted_tables)
        await conn.execute(text(f"TRUNCATE {names}"))
    return create_session_factory(pg_engine)


@pytest_asyncio.fixture
async def sqlite_sessions(tmp_path: Any) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/events.db", SCHEMA)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield create_session_factory(engine)
    await engine.dispose()


@pytest.fixture
def wait_for() -> Callable[..., Awaitable[None]]:
    """`await wait_for(lambda: cond)`: poll until true, fail after `within` seconds."""

    async def wait(predicate: Callable[[], bool], within: float = 10.0, message: str = "") -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not predicate():
            if loop.time() > deadline:
                pytest.fail(f"condition not met within {within}s {message}")
            await asyncio.sleep(0.01)

    return wait


class RabbitNames:
    """Unique exchange and queue names for one test, deleted with their dead-letter companions afterwards."""

    def __init__(self) -> None:
        self.prefix = f"fj.test.{uuid.uuid4().hex[:10]}"
        self.exchange = f"{self.prefix}.events"
        self.queues: list[str] = []

    def queue(self, name: str) -> str:
        full = f"{self.prefix}.{name}"
        self.queues.append(full)
        return full

    async def delete_all(self) -> None:
        connection = await aio_pika.connect(AMQP_URL)
        try:
            for name in [*self.queues, *map(dead_letter_queue_name, self.queues)]:
                async with connection.channel() as channel:
                    await channel.queue_delete(name)
            for name in (self.exchange, dead_letter_exchange_name(self.exchange)):
                async with connection.channel() as channel:
                    await channel.exchange_delete(name)
        finally:
            await connection.close()


@pytest_asyncio.fixture
async def rabbit() -> AsyncIterator[RabbitNames]:
    names = RabbitNames()
    yield names
    await names.delete_all()


@pytest_asyncio.fixture
async def amqp_channel() -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A plain aio-pika channel, to look at the wire the way an operator would."""
    connection = await aio_pika.connect(AMQP_URL)
    channel = await connection.channel()
    yield channel
    await connection.close()


@pytest_asyncio.fixture
async def make_rabbit_bus(rabbit: RabbitNames) -> AsyncIterator[Callable[..., Awaitable[RabbitMQBus]]]:
    """Started RabbitMQBus instances on this test's exchange, with test-sized backoffs; closed afterwards."""
    buses: list[RabbitMQBus] = []

    async def make(url: str = AMQP_URL, *, start: bool = True, **kwargs: Any) -> RabbitMQBus:
        options: dict[str, Any] = {"retry_base": 0.01, "retry_cap": 0.05, "close_timeout": 1.0, **kwargs}
        bus = RabbitMQBus(url, rabbit.exchange, service_name="events-test", **options)
        buses.append(bus)
        if start:
            await bus.start()
        return bus

    yield make
    for bus in buses:
        await bus.close()


@pytest.fixture
def memory_bus_url() -> str:
    return f"memory://events-test-{uuid.uuid4().hex[:8]}"


@pytest_asyncio.fixture
async def memory_bus(memory_bus_url: str) -> AsyncIterator[InMemoryBus]:
    bus = InMemoryBus(memory_bus_url, retry_base=0.001, retry_cap=0.01)
    await bus.start()
    yield bus
    await bus.close()
    InMemoryBus.reset_shared_state(memory_bus_url)
