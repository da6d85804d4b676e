"""The security suite's process tests: services as uvicorn processes (as many replicas of each as
a test asks for), started by the contract suite's harness on one migrated PostgreSQL database (each service
through its non-owner role), Redis and moto S3, as API replicas run in production (`RUN_EVENT_WORKER=false`:
a separate worker relays events) and with each service's own rate limit.

`FJ_SECURITY_PORT_BASE` puts the processes on ports from there up (several checkouts on one machine each
keep to a range of their own); without it each takes a free port.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from contract_harness import RunningService, SigningKey, run_service, service_env

from fitjourney_common.testing.redis import redis_url_for_tests

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ["auth", "core", "ai"]
REDIS_URL = redis_url_for_tests(13)
PORT_BASE = int(os.environ.get("FJ_SECURITY_PORT_BASE", "0"))
_ports = itertools.count(PORT_BASE)


def _port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def next_port() -> int | None:
    """The next free port from FJ_SECURITY_PORT_BASE, or None (the harness picks a free one)."""
    if not PORT_BASE:
        return None
    for _ in range(100):
        port = next(_ports)
        if not _port_taken(port):
            return port
    raise RuntimeError(f"no free port among the 100 after {PORT_BASE}")


@dataclass(frozen=True)
class Backends:
    """What every service process of the suite shares; `owner_url` is for the tests' own look at rows."""

    owner_url: str
    database_env: dict[str, dict[str, str]]
    key: SigningKey
    s3_endpoint: str
    tag: str
    workdir: Path
    smtp_url: str

    @property
    def bucket(self) -> str:
        return f"fj-contract-{self.tag}"

    def env(self, name: str, settings: dict[str, str]) -> dict[str, str]:
        env = service_env(name, database_env=self.database_env[name], redis_url=REDIS_URL,
                          s3_endpoint=self.s3_endpoint, key=self.key, tag=self.tag, smtp_url=self.smtp_url)
        env.pop("RATE_LIMIT_API")  # each service's own limit, as deployed, unless a test sets one
        env["RUN_EVENT_WORKER"] = "false"
        env.update({k.upper(): v for k, v in settings.items()})
        return env

    async def start(self, stack: ExitStack, name: str, replicas: int = 1, **settings: str) -> list[RunningService]:
        """`replicas` processes of one service, started at once (in threads: the test's event loop goes on);
        each stops when `stack` closes."""
        env = self.env(name, settings)
        return list(await asyncio.gather(*(
            asyncio.to_thread(stack.enter_context, run_service(name, env, self.workdir, next_port()))
            for _ in range(replicas))))


