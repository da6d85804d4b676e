"""Fixtures of the fault suite: a private RabbitMQ node and redis-server the tests may stop, one migrated
PostgreSQL database (auth, core, ai, each through its non-owner role), and the service processes of a test.

Skipped, saying which, only when rabbitmq-server or redis-server is not installed.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

# Imported by its own name (pytest runs with --import-mode=importlib; other suites import `conftest`).
sys.path.append(str(Path(__file__).resolve().parent))

from faults_harness import (
    RABBITMQ_URL,
    REDIS_URL,
    ROOT,
    FaultDatabase,
    ServerProcess,
    Stack,
    missing_binaries,
    private_rabbitmq,
    private_redis,
    service_env,
)

from fitjourney_common.testing.figures import recorded_figures
from fitjourney_common.testing.postgres import create_app_role, migrate, temporary_database
from fitjourney_common.testing.smtp import SmtpInbox
from fitjourney_common.testing.tokens import TestSigner

SERVICES = ("auth", "core", "ai")


@dataclass
class FaultServers:
    rabbitmq: ServerProcess
    redis: ServerProcess


@pytest.fixture(scope="session")
def fault_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultServers]:
    missing = missing_binaries()
    if missing:
        pytest.skip(f"the fault suite starts servers of its own and needs {', '.join(missing)}")
    root = tmp_path_factory.mktemp("fault-servers")
    servers = FaultServers(private_rabbitmq(root / "rabbitmq"), private_redis(root / "redis"))
    try:
        with ThreadPoolExecutor(2) as pool:  # the broker boots in ~12 s: start Redis meanwhile
            for started in [pool.submit(servers.rabbitmq.start), pool.submit(servers.redis.start)]:
                started.result()
        yield servers
    finally:
        servers.rabbitmq.stop()
        servers.redis.stop()


@pytest.fixture
def rabbitmq(fault_servers: FaultServers) -> ServerProcess:
    """The private broker, running when the test starts (a test that stops it may leave it stopped)."""
    fault_servers.rabbitmq.start()
    return fault_servers.rabbitmq


@pytest.fixture
def redis_server(fault_servers: FaultServers) -> ServerProcess:
    fault_servers.redis.start()
    return fault_servers.redis


@pytest.fixture(scope="session")
async def fault_database() -> AsyncIterator[FaultDatabase]:
    async with temporary_database("fj_faults") as url:
        roles = {}
        for name in SERVICES:
            await migrate(ROOT / "services" / name, url)
            roles[name] = await create_app_role(url, f"fitjourney_{name}_app", name)
        yield FaultDatabase(url, roles)


@pytest.fixture
async def db(fault_database: FaultDatabase) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection to the suite's database, for looking at rows the way an operator would."""
    connection = await asyncpg.connect(fault_database.dsn)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def signer(tmp_path_factory: pytest.TempPathFactory) -> TestSigner:
    return TestSigner(tmp_path_factory.mktemp("fault-keys"))


@pytest.fixture
def tag() -> str:
    return f"f{uuid.uuid4().hex[:10]}"


@pytest.fixture
def exchange(tag: str) -> str:
    return f"fj.faults.{tag}"


@pytest.fixture
async def stack(fault_servers: FaultServers, fault_database: FaultDatabase, signer: TestSigner, s3_endpoint: str,
                smtp: tuple[str, SmtpInbox], tag: str, exchange: str, tmp_path: Path) -> AsyncIterator[Stack]:
    """Start service processes with `stack.start("core", "api", run_event_worker="false")`; every process
    is stopped when the test ends, and the logs are printed (pytest shows them when the test failed)."""

    def env_for(name: str, extra: dict[str, str]) -> dict[str, str]:
        own = {"KEY_DIR": str(tmp_path / "auth-keys"), "SMTP_URL": smtp[0]} if name == "auth" else {}
        return service_env(name, database_url=fault_database.service_urls[name], redis_url=f"{REDIS_URL}/0",
                           broker_url=RABBITMQ_URL, exchange=exchange, tag=tag, jwks_url=signer.jwks_url,
                           s3_endpoint=s3_endpoint, extra={**own, **extra})

    started = Stack(tmp_path, env_for)
    try:
        yield started
    finally:
        await asyncio.to_thread(started.stop_all)
        for log in started.logs():
            print(log)


@pytest.fixture(scope="session")
def fault_figures() -> Iterator[dict[str, object]]:
    """What each fault test measured (events sent and delivered, faults survived), written to
    `.data/faults/figures.json` and printed at the end of the session, for README's figures."""
    with recorded_figures(ROOT / ".data" / "faults" / "figures.json", "fault suite") as figures:
        yield figures
