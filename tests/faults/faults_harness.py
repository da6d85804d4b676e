"""Servers the fault suite may stop: a private RabbitMQ node and a private redis-server, and the services
(uvicorn APIs and workers) as real processes, started, killed and restarted by the tests.

Nothing here touches the machine's own servers: the broker and Redis run from temporary folders on ports of
their own (`FJ_FAULTS_PORT_BASE`, 9800 by default: RabbitMQ AMQP +72 and distribution +73, Redis +79,
services from +1). Only PostgreSQL is the machine's: its faults (killed connections) are made per backend.
Every wait polls a condition against a deadline.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fitjourney_gateway.dev import SERVICE_FACTORIES

from fitjourney_common.testing.polling import poll_until

ROOT = Path(__file__).resolve().parents[2]
PORT_BASE = int(os.environ.get("FJ_FAULTS_PORT_BASE", "9800"))
RABBITMQ_PORT = PORT_BASE + 72
RABBITMQ_DIST_PORT = PORT_BASE + 73
REDIS_PORT = PORT_BASE + 79
SERVICE_PORTS = range(PORT_BASE + 1, PORT_BASE + 60)
START_SECONDS = 120.0  # a RabbitMQ node boots in about 12 s on the shared 2-core machine; leave room

T = TypeVar("T")


def wait_until(condition: Callable[[], T], seconds: float, what: str, every: float = 0.1) -> T:
    """Poll `condition` until it returns something truthy (returned); AssertionError naming `what` after
    `seconds`. Exceptions count as "not yet" until the deadline (a server still starting refuses)."""
    deadline = time.monotonic() + seconds
    last_error: BaseException | None = None
    while True:
        try:
            result = condition()
            if result:
                return result
        except Exception as exc:
            last_error = exc
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:.0f} s (last error: {last_error!r})")
        time.sleep(every)


async def eventually(condition: Callable[[], Any], seconds: float, what: str) -> Any:
    """The house's `poll_until` (sync or async condition, a deadline), its failure naming what was awaited."""
    try:
        return await poll_until(condition, timeout=seconds, interval=0.1)
    except AssertionError as exc:
        raise AssertionError(f"{what}: {exc}") from None


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _amqp_answers(port: int) -> bool:
    """The broker's listener opens last in its boot: a Connection.Start frame means it takes clients."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"AMQP\x00\x00\x09\x01")
        return sock.recv(1) == b"\x01"


def _redis_answers(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(16).startswith(b"+PONG")


def rabbitmq_server_binary() -> str | None:
    """Debian's /usr/sbin wrapper re-runs itself as the `rabbitmq` user when started by root: use the real
    script, so the node runs as the test's user from the test's folders."""
    direct = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
    if direct.exists():
        return str(direct)
    return shutil.which("rabbitmq-server")


def missing_binaries() -> list[str]:
    missing = []
    if rabbitmq_server_binary() is None:
        missing.append("rabbitmq-server (Debian package rabbitmq-server)")
    if shutil.which("redis-server") is None:
        missing.append("redis-server (Debian package redis-server)")
    return missing


@dataclass
class ServerProcess:
    """A server run by the tests in its own process group, so one signal reaches the whole tree."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    ready: Callable[[], bool]
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    stops: int = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def start(self) -> None:
        if self.running:
            return
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.starts += 1
        process = self.process

        def up() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {process.returncode}: {self.log_tail()}")
            return self.ready()

        wait_until(up, START_SECONDS, f"{self.name} ready")

    def send(self, sig: int) -> None:
        """Signal the process group and return at once (the test watches what the process does next)."""
        assert self.process is not None and self.process.poll() is None, f"{self.name} is not running"
        os.killpg(self.process.pid, sig)

    def wait_exit(self, seconds: float) -> int:
        """The exit code of a process that was sent a signal; it no longer counts as running."""
        process, self.process = self.process, None
        assert process is not None
        return process.wait(timeout=seconds)

    def stop(self, sig: int = signal.SIGTERM, grace_seconds: float = 30) -> int | None:
        """Signal the whole process group and wait for the leader; SIGKILL after `grace_seconds`."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return None if process is None else process.returncode
        self.stops += 1
        try:
            os.killpg(process.pid, sig)
            return process.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            return process.wait(timeout=10)
        except ProcessLookupError:
            return process.wait(timeout=10)


def private_rabbitmq(workdir: Path) -> ServerProcess:
    """A RabbitMQ node of its own (name, data, logs, ports, Erlang cookie), without the management plugin.

    Restarting it keeps its data: durable quorum queues and persistent messages survive, as on a real broker.
    """
    binary = rabbitmq_server_binary()
    assert binary is not None
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "enabled_plugins").write_text("[].\n")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),  # the Erlang cookie goes here, not into the user's home
        "LANG": "C.UTF-8",
        "RABBITMQ_NODENAME": f"fjfaults-{PORT_BASE}@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(RABBITMQ_PORT),
        "RABBITMQ_DIST_PORT": str(RABBITMQ_DIST_PORT),
        "RABBITMQ_MNESIA_BASE": str(workdir / "mnesia"),
        "RABBITMQ_LOG_BASE": str(workdir / "log"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(workdir / "enabled_plugins"),
        "RABBITMQ_PLUGINS_EXPAND_DIR": str(workdir / "plugins-expand"),
        "RABBITMQ_PID_FILE": str(workdir / "rabbit.pid"),
        # No config files of the machine's broker: every setting is the default.
        "RABBITMQ_CONFIG_FILE": str(workdir / "rabbitmq"),
        "RABBITMQ_ADVANCED_CONFIG_FILE": str(workdir / "advanced.config"),
        "RABBITMQ_CONF_ENV_FILE": str(workdir / "rabbitmq-env.conf"),
    }
    return ServerProcess("rabbitmq", [binary], env, workdir / "server.log", lambda: _amqp_answers(RABBITMQ_PORT))


def private_redis(workdir: Path) -> ServerProcess:
    """A redis-server of its own that keeps its data across a restart (append-only file, fsync always), as a
    persistent or replicated Redis does: an outage must not be "fixed" by the cache coming back empty."""
    workdir.mkdir(parents=True, exist_ok=True)
    command = ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--dir", str(workdir),
               "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no"]
    return ServerProcess("redis", command, dict(os.environ), workdir / "server.log",
                         lambda: _redis_answers(REDIS_PORT))


@dataclass
class FaultDatabase:
    """The suite's database: the owner's URL for the tests' own checks, each service's non-owner role."""

    owner_url: str  # postgres, for the tests' own checks
    service_urls: dict[str, str]  # each service's non-owner role

    @property
    def dsn(self) -> str:
        return self.owner_url.replace("postgresql+asyncpg://", "postgresql://")

    @property
    def name(self) -> str:
        return self.dsn.rsplit("/", 1)[1]


RABBITMQ_URL = f"amqp://guest:guest@127.0.0.1:{RABBITMQ_PORT}/"
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}"


_ports = count()


def next_service_port() -> int:
    """Ports of the suite's range in turn, skipping one still taken (a process that has not let go yet)."""
    for _ in SERVICE_PORTS:
        port = SERVICE_PORTS[next(_ports) % len(SERVICE_PORTS)]
        if not _port_open(port):
            return port
    raise RuntimeError(f"no free port in {SERVICE_PORTS}")


@dataclass
class Service:
    """One service process: `api` (uvicorn, `RUN_EVENT_WORKER` as given) or `worker` (`python -m
    fitjourney_<name>.worker`). It keeps its port across restarts, as a pod behind a Service would."""

    name: str
    kind: str
    env: dict[str, str]
    workdir: Path
    port: int = field(default_factory=next_service_port)
    server: ServerProcess | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _command(self) -> list[str]:
        if self.kind == "api":
            # Graceful shutdown on SIGTERM: uvicorn stops accepting, lets requests finish, then the lifespan.
            return [sys.executable, "-m", "uvicorn", "--factory", SERVICE_FACTORIES[self.name], "--host",
                    "127.0.0.1", "--port", str(self.port), "--log-level", "warning", "--no-server-header",
                    "--timeout-graceful-shutdown", "30"]
        return [sys.executable, "-m", f"fitjourney_{self.name}.worker"]

    def _ready(self) -> bool:
        if self.kind == "api":
            return httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200
        # A worker serves only its metrics; it is up once they answer (its consumers are waited on by queue).
        return httpx.get(f"{self.base_url}/metrics", timeout=2).status_code == 200

    def start(self) -> Service:
        env = dict(self.env)
        if self.kind == "worker":
            env["WORKER_METRICS_PORT"] = str(self.port)
        if self.server is None:
            self.server = ServerProcess(f"{self.name}-{self.kind}", self._command(), env,
                                        self.workdir / f"{self.name}-{self.kind}-{self.port}.log", self._ready,
                                        cwd=self.workdir)
        self.server.start()
        return self

    def stop(self, sig: int = signal.SIGTERM, grace_seconds: float = 40) -> int | None:
        return self.server.stop(sig, grace_seconds) if self.server is not None else None

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        return self.server.process if self.server is not None else None

    def log_tail(self, chars: int = 4000) -> str:
        return self.server.log_tail(chars) if self.server is not None else ""


def service_env(name: str, *, database_url: str, redis_url: str, broker_url: str, exchange: str, tag: str,
                jwks_url: str, s3_endpoint: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The 12-factor environment of one service on the suite's servers."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_URL")}
    env.update({
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "BROKER_URL": broker_url,
        "EVENTS_EXCHANGE": exchange,
        "EVENTS_QUEUE_PREFIX": f"{tag}.",
        "OBJECT_STORE_URL": f"s3://fj-faults-{tag}",
        "S3_ENDPOINT_URL": s3_endpoint,
        "JWKS_URL": jwks_url,
        "LOG_JSON": "false",
        "LOG_LEVEL": "WARNING",
        "OUTBOX_POLL_SECONDS": "0.2",
        "DB_POOL_SIZE": "5",
        "BCRYPT_ROUNDS": "4",
        "SHUTDOWN_DRAIN_SECONDS": "10",
        "RATE_LIMIT_API": "1000000/minute",  # limits are a test of their own (the Redis outage)
    })
    env.update(extra or {})
    return env


@dataclass
class Stack:
    """The service processes one test started; all stopped (and their logs kept) when it ends."""

    workdir: Path
    env_for: Callable[[str, dict[str, str]], dict[str, str]]
    services: list[Service] = field(default_factory=list)

    def start(self, name: str, kind: str = "api", **extra: str) -> Service:
        service = Service(name, kind, self.env_for(name, {k.upper(): v for k, v in extra.items()}), self.workdir)
        self.services.append(service)
        return service.start()

    def stop_all(self) -> None:
        for service in reversed(self.services):
            service.stop(grace_seconds=20)

    def logs(self) -> Iterator[str]:
        for service in self.services:
            yield f"--- {service.name} {service.kind} :{service.port}\n{service.log_tail()}"
