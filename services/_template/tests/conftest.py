"""Fixtures of the skeleton suite: the app on embedded backends (a migrated SQLite file, in-process Redis
and bus), test signing keys, and an HTTP client over ASGI. A real service adds PostgreSQL (for RLS),
Redis and RabbitMQ fixtures as services/core/tests/conftest.py does."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from fitjourney_common.db.migrations import upgrade_to_head
from fitjourney_common.testing.apps import asgi_client, running_app
from fitjourney_common.testing.tokens import TestSigner
from fitjourney_skeleton.main import create_app
from fitjourney_skeleton.settings import SkeletonSettings

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def signer(tmp_path_factory: pytest.TempPathFactory) -> TestSigner:
    return TestSigner(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
async def settings(tmp_path_factory: pytest.TempPathFactory, signer: TestSigner) -> SkeletonSettings:
    database_url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db')}/skeleton.db"
    await asyncio.to_thread(upgrade_to_head, SERVICE_DIR, database_url)
    tag = uuid.uuid4().hex[:8]
    return SkeletonSettings(environment="test", database_url=database_url, redis_url=f"memory://skeleton-{tag}",
                            broker_url=f"memory://skeleton-{tag}", jwks_url=signer.jwks_url, log_json=False)


@pytest.fixture(scope="session")
async def app(settings: SkeletonSettings) -> AsyncIterator[FastAPI]:
    async with running_app(create_app(settings)) as app:
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as http:
        yield http
