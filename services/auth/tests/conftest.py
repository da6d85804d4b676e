"""Fixtures of the auth suite: real PostgreSQL, Redis and RabbitMQ, a local OAuth provider, the app.

A migrated throwaway database, Redis db 1, an exchange of its own per session, a local OAuth provider
over HTTP, and the app over ASGI with a mailbox collecting its mail.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

# pytest runs with --import-mode=importlib: make the suite's helper modules importable by name
# (named auth_* so they never clash with another service's helpers).
sys.path.insert(0, str(Path(__file__).resolve().parent))

import aio_pika
import auth_helpers
import httpx
import pytest
import redis.asyncio as aioredis
from auth_helpers import (
    APPLE_CLIENT_ID,
    BROKER_URL,
    FACEBOOK_APP_ID,
    FACEBOOK_APP_SECRET,
    GOOGLE_CLIENT_ID,
    REDIS_URL,
    SERVICE_DIR,
    Mailbox,
    asgi_client,
    running_app,
)
from auth_oauth_provider import LocalProvider, run_local_provider
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from fitjourney_auth.settings import AuthSettings
from fitjourney_common.testing.postgres import migrate, temporary_database
from fitjourney_common.testing.rabbitmq import delete_broker_objects

# --- backends -------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    async with temporary_database("fj_auth_test") as url:
        await migrate(SERVICE_DIR, url)
        yield url


@pytest.fixture(scope="session")
async def db(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A direct connection for asserting rows (audit log, sessions) the way an operator would see them."""
    engine = create_async_engine(database_url)
    auth_helpers.operator_db = engine
    yield engine
    auth_helpers.operator_db = None
    await engine.dispose()


@pytest.fixture(scope="session")
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def session_tag() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def exchange(session_tag: str) -> str:
    return f"fj.auth-test.{session_tag}"


@pytest.fixture(scope="session")
async def broker(exchange: str) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
    """A channel of our own on the session's exchange; durable objects are deleted at the end."""
    connection = await aio_pika.connect(BROKER_URL)
    channel = await connection.channel()
    await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
    yield channel
    await connection.close()
    await delete_broker_objects([f"{exchange}.auth.events", f"{exchange}.auth.events.dlq"],
                                [exchange, f"{exchange}.dlx"], BROKER_URL, prefix=f"{exchange}.")


class EventTap:
    """Every event published on the session's exchange, as RabbitMQ delivered it to our own queue."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._arrived = asyncio.Condition()

    async def on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            event = json.loads(message.body)
            event["_routing_key"] = message.routing_key
            async with self._arrived:
                self.events.append(event)
                self._arrived.notify_all()

    async def wait_for(self, predicate: Callable[[dict[str, Any]], bool], within: float = 15.0) -> dict[str, Any]:
        async def found() -> dict[str, Any]:
            async with self._arrived:
                while True:
                    for event in self.events:
                        if predicate(event):
                            return event
                    await self._arrived.wait()

        return await asyncio.wait_for(found(), within)


@pytest.fixture(scope="session")
async def event_tap(broker: aio_pika.abc.AbstractChannel, exchange: str) -> EventTap:
    tap = EventTap()
    queue = await broker.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(exchange, routing_key="#")
    await queue.consume(tap.on_message)
    return tap


@pytest.fixture(scope="session")
def oauth_provider() -> Iterator[LocalProvider]:
    with run_local_provider(FACEBOOK_APP_ID, FACEBOOK_APP_SECRET) as provider:
        yield provider


# --- settings and app -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def make_settings(database_url: str, db: AsyncEngine, redis: aioredis.Redis, exchange: str, broker: Any,
                  oauth_provider: LocalProvider, tmp_path_factory: pytest.TempPathFactory,
                  ) -> Callable[..., AuthSettings]:
    data_dir = tmp_path_factory.mktemp("data")

    def _make(**overrides: Any) -> AuthSettings:
        values: dict[str, Any] = dict(
            environment="test",
            data_dir=data_dir,
            database_url=database_url,
            redis_url=REDIS_URL,
            broker_url=BROKER_URL,
            events_exchange=exchange,
            events_queue_prefix=f"{exchange}.",
            bcrypt_rounds=4,  # cost 12 is asserted by its own test; the rest stays fast
            password_hash_threads=8,  # the burst tests hold 8 sign-ins inside bcrypt at once
            key_reload_seconds=0,
            outbox_poll_seconds=0.1,
            rate_limit_api="100000/minute",
            log_json=False,
            log_level="WARNING",
            google_client_id=GOOGLE_CLIENT_ID,
            google_jwks_url=f"{oauth_provider.url}/google/jwks",
            google_issuers=["https://accounts.google.com", "accounts.google.com"],
            apple_client_id=APPLE_CLIENT_ID,
            apple_jwks_url=f"{oauth_provider.url}/apple/jwks",
            facebook_app_id=FACEBOOK_APP_ID,
            facebook_app_secret=FACEBOOK_APP_SECRET,
            facebook_debug_token_url=f"{oauth_provider.url}/facebook/debug_token",
            facebook_me_url=f"{oauth_provider.url}/facebook/me",
        )
        values.update(overrides)
        return AuthSettings(**values)

    return _make


@pytest.fixture(scope="session")
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture(scope="session")
async def app(make_settings: Callable[..., AuthSettings], mailbox: Mailbox) -> AsyncIterator[FastAPI]:
    async with running_app(make_settings(), mailbox) as running:
        yield running


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as http:
        yield http


