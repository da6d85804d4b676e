"""Fixtures of the ai suite: a migrated PostgreSQL database used through a non-owner role (so RLS applies),
real Redis and RabbitMQ, moto's S3 server, test signing keys, and the app over ASGI."""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
import redis.asyncio as aioredis
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from jose import jwk, jwt

from fitjourney_ai.main import create_app
from fitjourney_ai.settings import AiSettings
from fitjourney_common.testing.postgres import create_app_role, migrate, temporary_database
from fitjourney_common.testing.redis import redis_url_for_tests

sys.path.insert(0, str(Path(__file__).resolve().parent))
# Test modules import this file's helpers as `ai_conftest`: a plain `import conftest` would find whichever
# suite's conftest.py comes first on sys.path (every suite has one), and only the first is ever imported.
sys.modules.setdefault("ai_conftest", sys.modules[__name__])

SERVICE_DIR = Path(__file__).resolve().parents[1]
APP_ROLE = "fitjourney_ai_app"
REDIS_URL = redis_url_for_tests(3)
BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"
ISSUER = "https://auth.fitjourney.local"
AUDIENCE = "fitjourney"
KID = "ai-test-key"


class AuthHeaders(dict[str, str]):
    user_id: uuid.UUID


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    async with temporary_database("fj_ai_test") as url:
        await migrate(SERVICE_DIR, url)
        yield url


@pytest.fixture(scope="session")
async def app_database_url(database_url: str) -> str:
    return await create_app_role(database_url, APP_ROLE, "ai")


@pytest.fixture(scope="session")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    public_jwk = jwk.construct(public_pem, "RS256").to_dict()
    public_jwk.update({"kid": KID, "use": "sig", "alg": "RS256"})
    public_jwk = {k: v.decode() if isinstance(v, bytes) else v for k, v in public_jwk.items()}
    path = tmp_path_factory.mktemp("keys") / "jwks.json"
    path.write_text(json.dumps({"keys": [public_jwk]}))
    return private_pem, path


@pytest.fixture(scope="session")
def make_headers(signing_key: tuple[str, Path]) -> Callable[[uuid.UUID | None], AuthHeaders]:
    private_pem, _ = signing_key

    def _make(user_id: uuid.UUID | None = None) -> AuthHeaders:
        user_id = user_id or uuid.uuid4()
        now = int(time.time())
        claims = {"sub": str(user_id), "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 900,
                  "jti": uuid.uuid4().hex, "roles": ["user"], "typ": "access"}
        headers = AuthHeaders(Authorization=f"Bearer {jwt.encode(claims, private_pem, 'RS256', headers={'kid': KID})}")
        headers.user_id = user_id
        return headers

    return _make


@pytest.fixture
def auth_headers(make_headers: Callable[[uuid.UUID | None], AuthHeaders]) -> AuthHeaders:
    return make_headers(None)


@pytest.fixture(scope="session")
async def _clean_redis() -> None:
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def session_tag() -> str:
    return uuid.uuid4().hex[:10]


def make_settings(**overrides: Any) -> AiSettings:
    base: dict[str, Any] = dict(environment="test", redis_url=REDIS_URL, broker_url=BROKER_URL, jwt_issuer=ISSUER,
                                jwt_audience=AUDIENCE, rate_limit_api="100000/minute", outbox_poll_seconds=0.1,
                                log_json=False, log_level="WARNING", db_pool_size=5)
    base.update(overrides)
    return AiSettings(**base)


@pytest.fixture(scope="session")
async def settings(app_database_url: str, s3_endpoint: str, signing_key: tuple[str, Path], session_tag: str,
                   _clean_redis: None, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AiSettings]:
    settings = make_settings(
        database_url=app_database_url, events_exchange=f"fj.test.{session_tag}",
        events_queue_prefix=f"{session_tag}.", object_store_url=f"s3://fj-ai-test-{session_tag}",
        s3_endpoint_url=s3_endpoint, jwks_url=f"file://{signing_key[1]}",
        food_model_uri=f"file://{tmp_path_factory.mktemp('no-model')}",
    )
    yield settings
    await delete_broker_objects(settings)


async def delete_broker_objects(settings: AiSettings) -> None:
    connection = await aio_pika.connect(BROKER_URL)
    try:
        channel = await connection.channel()
        for queue in (settings.events_queue, settings.queue_name("ai.photos")):
            for name in (queue, f"{queue}.dlq"):
                await channel.queue_delete(name)
        for exchange in (settings.events_exchange, f"{settings.events_exchange}.dlx"):
            await channel.exchange_delete(exchange)
    except Exception:  # cleanup only: a leftover queue must not fail the run
        pass
    finally:
        await connection.close()


async def start_app(settings: AiSettings) -> AsyncIterator[FastAPI]:
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=60):
        worker = app.state.runtime.worker
        if worker is not None:
            await asyncio.wait_for(worker.wait_connected(), 30)
        yield app


@pytest.fixture(scope="session")
async def app(settings: AiSettings) -> AsyncIterator[FastAPI]:
    async for running in start_app(settings):
        yield running


def asgi_client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as http:
        yield http


WaitFor = Callable[..., Awaitable[Any]]


async def poll_until(predicate: Callable[[], Any], timeout: float = 15.0, interval: float = 0.05) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last value: {result!r})")
        await asyncio.sleep(interval)


@pytest.fixture(scope="session")
def wait_for() -> WaitFor:
    return poll_until


@pytest.fixture
async def wire(settings: AiSettings) -> AsyncIterator[Any]:
    """Publish events as core would; `wire.of(type, **fields)` lists what ai published."""
    from ai_helpers import open_wire

    async for opened in open_wire(settings):
        yield opened
