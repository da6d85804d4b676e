"""Fixtures of the contract suite: every installed service running on the real backends, and tokens for them."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

# pytest runs with --import-mode=importlib: make the harness importable by name (appended, and never as
# `conftest`: other suites import their own conftest by that name).
sys.path.append(str(Path(__file__).resolve().parent))

from contract_harness import (
    REDIS_URL,
    SERVICES,
    RunningService,
    SigningKey,
    make_signing_key,
    prepare_database,
    run_service,
    service_env,
)

from fitjourney_common.testing.postgres import temporary_database
from fitjourney_common.testing.rabbitmq import delete_broker_objects
from fitjourney_common.testing.redis import flush_redis
from fitjourney_common.testing.smtp import SmtpInbox


@pytest.fixture(scope="session")
def contract_tag() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    return make_signing_key(tmp_path_factory.mktemp("contract-keys"))


@pytest.fixture(scope="session")
async def service_database_env() -> AsyncIterator[dict[str, dict[str, str]]]:
    """One database for every service (a schema each, as in production), each through its own non-owner role."""
    async with temporary_database("fj_contract") as url:
        yield await prepare_database(url, SERVICES)


@pytest.fixture(scope="module")
async def documents(running_services: dict[str, RunningService]) -> dict[str, dict[str, Any]]:
    found = {}
    for name, service in running_services.items():
        async with httpx.AsyncClient(timeout=30) as http:
            found[name] = (await http.get(f"{service.base_url}/openapi.json")).json()
    return found


@pytest.fixture(scope="module")
async def clients(running_services: dict[str, RunningService]) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    opened = {name: httpx.AsyncClient(base_url=service.base_url, timeout=60)
              for name, service in running_services.items()}
    try:
        yield opened
    finally:
        for client in opened.values():
            await client.aclose()


@pytest.fixture(scope="session")
async def _clean_redis() -> None:
    await flush_redis(REDIS_URL)


@pytest.fixture(scope="session")
async def running_services(
    service_database_env: dict[str, dict[str, str]], s3_endpoint: str, signing_key: SigningKey, contract_tag: str,
    smtp: tuple[str, SmtpInbox], tmp_path_factory: pytest.TempPathFactory, _clean_redis: None,
) -> AsyncIterator[dict[str, RunningService]]:
    """Each installed service as its own uvicorn process on the real backends, for the whole session.

    Started and stopped in a thread: the session's event loop keeps serving other suites' connections.
    """
    workdir = tmp_path_factory.mktemp("contract-services")
    stack = ExitStack()
    try:
        started = {}
        for name in SERVICES:
            env = service_env(name, database_env=service_database_env[name], redis_url=REDIS_URL,
                              s3_endpoint=s3_endpoint, key=signing_key, tag=contract_tag, smtp_url=smtp[0])
            started[name] = await asyncio.to_thread(stack.enter_context, run_service(name, env, workdir))
        yield started
    finally:
        await asyncio.to_thread(stack.close)
        await _delete_broker_objects(contract_tag)


async def _delete_broker_objects(tag: str) -> None:
    """Queues are durable: remove this session's (their names start with its tag) and its exchanges."""
    with contextlib.suppress(Exception):  # cleanup only: a leftover must not fail the run
        await delete_broker_objects([], [f"fj.contract.{tag}", f"fj.contract.{tag}.dlx"], prefix=f"{tag}.")
