"""Fixtures of the core suite: a migrated PostgreSQL database used through a non-owner role (so RLS
applies), real Redis and RabbitMQ, moto's S3 server, test signing keys, and the app over ASGI."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from fitjourney_common.db.migrations import upgrade_to_head
from fitjourney_common.testing.apps import asgi_client, running_app
from fitjourney_common.testing.polling import WaitFor, poll_until
from fitjourney_common.testing.postgres import create_app_role, migrate, temporary_database
from fitjourney_common.testing.rabbitmq import delete_broker_objects
from fitjourney_common.testing.redis import flush_redis, redis_url_for_tests
from fitjourney_common.testing.tokens import TestSigner
from fitjourney_core.main import create_app
from fitjourney_core.settings import CoreSettings

# Test modules import the shared factories from core_helpers.py, next to this file.
sys.path.insert(0, str(Path(__file__).resolve().parent))
# Test modules import this file's helpers as `core_conftest`: a plain `import conftest` would find whichever
# suite's conftest.py comes first on sys.path (every suite has one), and only the first is ever imported.
sys.modules.setdefault("core_conftest", sys.modules[__name__])

SERVICE_DIR = Path(__file__).resolve().parents[1]
APP_ROLE = "fitjourney_core_app"
REDIS_URL = redis_url_for_tests(2)
BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"
ISSUER = "https://auth.fitjourney.local"
AUDIENCE = "fitjourney"
KID = "core-test-key"


class AuthHeaders(dict[str, str]):
    """`{"Authorization": "Bearer …"}` that also knows whose token it carries."""

    user_id: uuid.UUID
    token: str


# --- database -------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    """A throwaway database migrated to head as the owner (postgres); dropped after the session."""
    async with temporary_database("fj_core_test") as url:
        await migrate(SERVICE_DIR, url)
        yield url


@pytest.fixture(scope="session")
async def app_database_url(database_url: str) -> str:
    """The same database through a NOSUPERUSER NOBYPASSRLS role with DML grants: what the app uses."""
    return await create_app_role(database_url, APP_ROLE, "core")


# --- tokens ---------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def signer(tmp_path_factory: pytest.TempPathFactory) -> TestSigner:
    """A test RS256 key, signing like auth signs, with a JWKS file the app reads (JWKS_URL)."""
    return TestSigner(tmp_path_factory.mktemp("keys"), kid=KID, issuer=ISSUER, audience=AUDIENCE)


@pytest.fixture(scope="session")
def signing_key(signer: TestSigner) -> tuple[str, Path]:
    """The private PEM and the JWKS file's path, for tests that sign tokens of their own."""
    return signer.private_pem, signer.jwks_path


MakeToken = Callable[..., tuple[uuid.UUID, str]]


@pytest.fixture(scope="session")
def make_token(signer: TestSigner) -> MakeToken:
    """`make_token(user_id=None, roles=("user",), expires_in=900, session_id=None, signed_in_ago=0)
    -> (user_id, access_token)`."""
    return signer.token


def _headers(user_id: uuid.UUID, token: str) -> AuthHeaders:
    headers = AuthHeaders(Authorization=f"Bearer {token}")
    headers.user_id, headers.token = user_id, token
    return headers


@pytest.fixture
def auth_headers(make_token: MakeToken) -> AuthHeaders:
    """A fresh user per test; `.user_id` and `.token` are there too."""
    return _headers(*make_token())


@pytest.fixture
def other_auth_headers(make_token: MakeToken) -> AuthHeaders:
    """A second user, for "another user's id answers 404" tests."""
    return _headers(*make_token())


# --- settings and app -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
async def _clean_redis() -> None:
    await flush_redis(REDIS_URL)


@pytest.fixture(scope="session")
def session_tag() -> str:
    """Unique per test session: names this run's exchange, queue and bucket, so parallel runs never mix."""
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
async def settings(
    app_database_url: str, s3_endpoint: str, signing_key: tuple[str, Path], session_tag: str, _clean_redis: None,
) -> AsyncIterator[CoreSettings]:
    _, jwks_path = signing_key
    settings = CoreSettings(
        environment="test",
        database_url=app_database_url,
        db_pool_size=5,
        redis_url=REDIS_URL,
        broker_url=BROKER_URL,
        events_exchange=f"fj.test.{session_tag}",
        events_queue_prefix=f"{session_tag}.",
        object_store_url=f"s3://fj-test-{session_tag}",
        s3_endpoint_url=s3_endpoint,
        jwks_url=f"file://{jwks_path}",
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        rate_limit_api="100000/minute",
        outbox_poll_seconds=0.2,
        log_json=False,
        log_level="WARNING",
    )
    yield settings
    await _delete_broker_objects(settings)


async def _delete_broker_objects(settings: CoreSettings) -> None:
    """Queues are durable: remove this session's queues, dead-letter queues and exchanges."""
    queues = (settings.events_queue, f"{settings.events_queue}.jobs")
    with contextlib.suppress(Exception):  # cleanup only: a leftover queue must not fail the run
        await delete_broker_objects([*queues, *(f"{queue}.dlq" for queue in queues)],
                                [settings.events_exchange, f"{settings.events_exchange}.dlx"], BROKER_URL,
                                prefix=settings.events_queue_prefix)


async def start_app(settings: CoreSettings, *, wait_for_broker: bool = True) -> AsyncIterator[FastAPI]:
    """Run `create_app(settings)` through its lifespan; with the broker, wait until consumers listen."""
    async with running_app(create_app(settings), wait_for_broker=wait_for_broker) as app:
        yield app


@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once per session (the migrations load the 8,790-food catalogue); each
    test gets a copy of its files."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    await asyncio.to_thread(upgrade_to_head, SERVICE_DIR, f"sqlite+aiosqlite:///{folder}/fitjourney.db")
    return folder


@pytest.fixture
async def sqlite_dev_settings(tmp_path: Path, signing_key: tuple[str, Path], sqlite_template: Path) -> CoreSettings:
    """`make dev`'s backends: a migrated SQLite file, in-process Redis and bus, a local object folder."""
    def copy() -> None:
        for migrated in sqlite_template.glob("fitjourney*.db"):
            shutil.copyfile(migrated, tmp_path / migrated.name)

    await asyncio.to_thread(copy)
    database_url = f"sqlite+aiosqlite:///{tmp_path}/fitjourney.db"
    return CoreSettings(
        environment="dev", database_url=database_url, redis_url=f"memory://core-{tmp_path.name}",
        broker_url="memory://", object_store_url=f"file://{tmp_path}/objects",
        jwks_url=f"file://{signing_key[1]}", log_json=False, log_level="WARNING",
    )


@pytest.fixture(scope="session")
async def app(settings: CoreSettings) -> AsyncIterator[FastAPI]:
    """The app with every backend real; one per session (its lifespan opens them once)."""
    async for running in start_app(settings):
        yield running


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as http:
        yield http


# --- event-driven assertions ----------------------------------------------------------------------

@pytest.fixture(scope="session")
def wait_for() -> WaitFor:
    """`await wait_for(predicate, timeout=10)`: polls, never a fixed sleep."""
    return poll_until
