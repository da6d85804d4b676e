"""Fixtures of the ai suite: a migrated PostgreSQL database used through a non-owner role (so RLS applies),
real Redis and RabbitMQ, moto's S3 server, test signing keys, and the app over ASGI."""

from __future__ import annotations

import contextlib
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from fitjourney_ai.main import create_app
from fitjourney_ai.settings import AiSettings
from fitjourney_common.testing.apps import asgi_client, running_app
from fitjourney_common.testing.polling import WaitFor, poll_until
from fitjourney_common.testing.postgres import create_app_role, migrate, temporary_database
from fitjourney_common.testing.rabbitmq import delete_broker_objects as delete_queues_and_exchanges
from fitjourney_common.testing.redis import flush_redis, redis_url_for_tests
from fitjourney_common.testing.tokens import TestSigner

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
def signer(tmp_path_factory: pytest.TempPathFactory) -> TestSigner:
    return TestSigner(tmp_path_factory.mktemp("keys"), kid=KID, issuer=ISSUER, audience=AUDIENCE)


@pytest.fixture(scope="session")
def signing_key(signer: TestSigner) -> tuple[str, Path]:
    return signer.private_pem, signer.jwks_path


@pytest.fixture(scope="session")
def make_headers(signer: TestSigner) -> Callable[[uuid.UUID | None], AuthHeaders]:
    def _make(user_id: uuid.UUID | None = None) -> AuthHeaders:
        user_id, token = signer.token(user_id)
        headers = AuthHeaders(Authorization=f"Bearer {token}")
        headers.user_id = user_id
        return headers

    return _make


@pytest.fixture
def auth_headers(make_headers: Callable[[uuid.UUID | None], AuthHeaders]) -> AuthHeaders:
    return make_headers(None)


@pytest.fixture(scope="session")
async def _clean_redis() -> None:
    await flush_redis(REDIS_URL)


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
    queues = (settings.events_queue, settings.queue_name("ai.photos"))
    with contextlib.suppress(Exception):  # cleanup only: a leftover queue must not fail the run
        await delete_queues_and_exchanges([*queues, *(f"{queue}.dlq" for queue in queues)],
                                      [settings.events_exchange, f"{settings.events_exchange}.dlx"], BROKER_URL,
                                          prefix=settings.events_queue_prefix)


async def start_app(settings: AiSettings) -> AsyncIterator[FastAPI]:
    async with running_app(create_app(settings), startup_timeout=120) as app:
        yield app


@pytest.fixture(scope="session")
async def app(settings: AiSettings) -> AsyncIterator[FastAPI]:
    async for running in start_app(settings):
        yield running


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as http:
        yield http


@pytest.fixture(scope="session")
def wait_for() -> WaitFor:
    return poll_until


@pytest.fixture
async def wire(settings: AiSettings) -> AsyncIterator[Any]:
    """Publish events as core would; `wire.of(type, **fields)` lists what ai published."""
    from ai_helpers import open_wire

    async for opened in open_wire(settings):
        yield opened
