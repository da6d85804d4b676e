"""Fixtures of the analytics suite: one PostgreSQL database migrated by core's and analytics' own
migrations, analytics connecting as a non-owner role and reading core through the read-only role;
real Redis (db 4), RabbitMQ and moto's S3; rows put into core's tables directly (analytics only reads them)."""

from __future__ import annotations

import contextlib
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from fitjourney_analytics.main import create_app
from fitjourney_analytics.reader_role import READER_ROLE, ensure_reader_role
from fitjourney_analytics.settings import AnalyticsSettings
from fitjourney_common.testing.apps import asgi_client, running_app
from fitjourney_common.testing.postgres import create_app_role, migrate, temporary_database
from fitjourney_common.testing.rabbitmq import delete_broker_objects
from fitjourney_common.testing.redis import flush_redis, redis_url_for_tests
from fitjourney_common.testing.tokens import AUDIENCE, ISSUER, TestSigner

# Appended, not prepended: core's tests import `conftest` by name and must keep finding their own.
sys.path.append(str(Path(__file__).resolve().parent))

from analytics_helpers import AI_DIR, AUTH_DIR, BROKER_URL, CORE_DIR, SERVICE_DIR
from core_rows import CoreRows

APP_ROLE = "fitjourney_analytics_app"
REDIS_URL = redis_url_for_tests(4)


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    """Every service's schema, migrated as the owner, with the read-only role granted."""
    async with temporary_database("fj_analytics_test") as url:
        await migrate(AUTH_DIR, url)  # auth and ai: for the export and erasure across services
        await migrate(AI_DIR, url)
        await migrate(CORE_DIR, url)
        await migrate(SERVICE_DIR, url)
        await ensure_reader_role(url)
        yield url


@pytest.fixture(scope="session")
async def core_rows(database_url: str) -> AsyncIterator[CoreRows]:
    rows = CoreRows(database_url)
    yield rows
    await rows.close()


@pytest.fixture(scope="session")
def signer(tmp_path_factory: pytest.TempPathFactory) -> TestSigner:
    return TestSigner(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
def session_tag() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
async def settings(database_url: str, s3_endpoint: str, signer: TestSigner, session_tag: str,
                   ) -> AsyncIterator[AnalyticsSettings]:
    await flush_redis(REDIS_URL)
    settings = AnalyticsSettings(
        environment="test",
        database_url=await create_app_role(database_url, APP_ROLE, "analytics"),
        read_database_url=make_url(database_url).set(username=READER_ROLE).render_as_string(hide_password=False),
        db_pool_size=5,
        redis_url=REDIS_URL,
        broker_url=BROKER_URL,
        events_exchange=f"fj.test.{session_tag}",
        events_queue_prefix=f"{session_tag}.",
        object_store_url=f"s3://fj-analytics-{session_tag}",
        s3_endpoint_url=s3_endpoint,
        jwks_url=f"file://{signer.jwks_path}",
        jwt_issuer=ISSUER, jwt_audience=AUDIENCE,
        rate_limit_api="100000/minute",
        outbox_poll_seconds=0.2,
        business_metrics_refresh_seconds=3600,
        log_json=False, log_level="WARNING",
    )
    yield settings
    with contextlib.suppress(Exception):  # cleanup only: a leftover queue must not fail the run
        # By prefix: the cross-service GDPR test runs auth, core and ai on this session's prefix too.
        await delete_broker_objects([settings.events_queue, f"{settings.events_queue}.dlq"],
                                    [settings.events_exchange, f"{settings.events_exchange}.dlx"], BROKER_URL,
                                    prefix=settings.events_queue_prefix)


class FrozenClock:
    """`app.state.clock`: the instant the app believes it is (tests move it)."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def __call__(self) -> datetime:
        return self.now or datetime.now(UTC)


@pytest.fixture(scope="session")
async def app(settings: AnalyticsSettings) -> AsyncIterator[FastAPI]:
    async with running_app(create_app(settings)) as application:
        application.state.clock = FrozenClock()
        yield application


@pytest.fixture
def clock(app: FastAPI) -> Any:
    frozen: FrozenClock = app.state.clock
    yield frozen
    frozen.now = None


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as http:
        yield http
