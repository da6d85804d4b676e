"""The real stack of the benchmark as separate processes, set up as production is and torn down after.

A PostgreSQL 15 cluster of its own (the machine's binaries, `pg_stat_statements` preloaded: the machine's
server does not preload it and is never reconfigured), roles as `make migrate` makes them
(fitjourney_common.db.roles: an owner that migrates, a non-owner the service connects as, analytics'
reader), a Redis of its
own, the machine's RabbitMQ under an exchange and queue prefix of this run only, `moto_server` for S3, then
auth, core, ai and analytics each under uvicorn (a process per core, ai one: `api_workers`;
`RUN_EVENT_WORKER=false`) and
each service's event worker (`python -m fitjourney_<service>.worker`) as its own process.
ENVIRONMENT=production with secrets generated for the run (they never leave the run's folder).
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from fitjourney_common.db.roles import RoleNames

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
SERVICES = ("auth", "core", "ai", "analytics")
# The role names `make migrate` gives each service (its runtime role and its migrating owner).
ROLES = RoleNames()
PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))


@dataclass(frozen=True)
class Ports:
    """Every port of a run; the defaults are this harness's own range (94xx, Redis 6414). `from_base` lays the
    same pattern over another hundred (a second run beside the first: `run.py --port-base 9600`)."""

    postgres: int = 9432
    redis: int = 6414
    moto: int = 9455
    smtp: int = 9425
    rabbitmq: int = 9472  # only with own_rabbitmq (its Erlang distribution port is the next one)
    api: dict[str, int] = field(default_factory=lambda: {"auth": 9401, "core": 9402, "ai": 9403, "analytics": 9404})
    worker_metrics: dict[str, int] = field(
        default_factory=lambda: {"auth": 9411, "core": 9412, "ai": 9413, "analytics": 9414})

    @classmethod
    def from_base(cls, base: int, redis: int | None = None) -> Ports:
        """base+1..4 the APIs, +11..14 the workers' metrics, +25 the SMTP sink, +32 PostgreSQL, +55 moto,
        +72/73 RabbitMQ, Redis at `redis` (default base+79: inside the same hundred)."""
        return cls(postgres=base + 32, redis=redis or base + 79, moto=base + 55, smtp=base + 25, rabbitmq=base + 72,
                   api={service: base + 1 + n for n, service in enumerate(SERVICES)},
                   worker_metrics={service: base + 11 + n for n, service in enumerate(SERVICES)})


def default_api_workers(cores: int | None = None) -> dict[str, int]:
    """uvicorn processes per API as deployed (docker-compose.yml's WEB_CONCURRENCY, on 2 cores): one per core, but
    one for ai, whose API the app hardly calls (a second process only held memory). One for auth and analytics
    too cost them latency: a dashboard or a sign-in waits behind another in a single process (README)."""
    return {**dict.fromkeys(SERVICES, cores or os.cpu_count() or 1), "ai": 1}


def api_workers(text: str) -> dict[str, int]:
    """`core=2,auth=1` -> {"core": 2, "auth": 1} (a service not named keeps its default)."""
    found: dict[str, int] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        service, _, count = part.partition("=")
        if service not in SERVICES or not count.isdigit() or int(count) < 1:
            raise ValueError(f"{part!r}: expected <service>=<processes> with a service of {', '.join(SERVICES)}")
        found[service] = int(count)
    return found


def _wait_http(url: str, process: subprocess.Popen[bytes] | None, seconds: float, log: Path | None) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our own local server
                if answer.status == 200:
                    return
        except urllib.error.HTTPError:
            pass
        except OSError:
            pass
        if process is not None and process.poll() is not None:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{url}: the process exited with {process.returncode}\n{tail}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")
        time.sleep(0.2)


class Stack:
    """Start with `start()` (inside a `with`), stop with the `with` block's end: everything it started goes."""

    def __init__(self, ports: Ports | None = None, api_workers: dict[str, int] | None = None,
                 food_model_uri: str | None = None, own_rabbitmq: bool = False) -> None:
        self.own_rabbitmq = own_rabbitmq
        self.ports = ports or Ports()
        self.api_workers = {**default_api_workers(), **(api_workers or {})}
        self.food_model_uri = food_model_uri
        self.run_id = f"{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
        self.dir = Path(tempfile.mkdtemp(prefix=f"fj-bench-{self.run_id}-"))
        # Logs outlive the run (.data is not committed): what a failed start said stays readable.
        self.logs = ROOT / ".data" / "bench" / self.run_id
        self.logs.mkdir(parents=True)
        self.database = "fitjourney_bench"
        self.exchange = f"fitjourney.bench.{self.run_id}"
        self.queue_prefix = f"bench-{self.run_id}."
        self.secret = {name: secrets.token_hex(24) for name in (
            "auth", "auth_owner", "core", "core_owner", "ai", "ai_owner", "analytics", "analytics_owner",
            "reader", "backup", "redis")}
        self.journal_key = base64.b64encode(secrets.token_bytes(32)).decode()
        # role -> processes, for the monitor (uvicorn's workers are children of its process).
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._exit = ExitStack()

    # -- URLs -------------------------------------------------------------------------------------------
    def db_url(self, role: str | None = None, password: str | None = None, driver: str = "postgresql+asyncpg") -> str:
        who = f"{role}:{password}" if role and password else (role or "postgres")
        return f"{driver}://{who}@127.0.0.1:{self.ports.postgres}/{self.database}"

    def service_url(self, service: str) -> str:
        return self.db_url(ROLES.runtime(service), self.secret[service])

    def owner_url(self, service: str) -> str:
        return self.db_url(ROLES.owner(service), self.secret[f"{service}_owner"])

    def api(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports.api[service]}"

    @property
    def redis_url(self) -> str:
        return f"redis://:{self.secret['redis']}@127.0.0.1:{self.ports.redis}/0"

    @property
    def broker_url(self) -> str:
        if self.own_rabbitmq:
            return f"amqp://guest:guest@127.0.0.1:{self.ports.rabbitmq}/"
        return os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/")

    def env(self, service: str) -> dict[str, str]:
        """The service's production environment (as docker-compose.yml gives it)."""
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "REDIS_URL"))}
        env.update({
            "ENVIRONMENT": "production", "SERVICE_NAME": service, "LOG_JSON": "true",
            "DATABASE_URL": self.service_url(service), "REDIS_URL": self.redis_url, "BROKER_URL": self.broker_url,
            "EVENTS_EXCHANGE": self.exchange, "EVENTS_QUEUE_PREFIX": self.queue_prefix,
            "OBJECT_STORE_URL": "s3://fitjourney", "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.ports.moto}",
            "S3_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench-secret",
            "AWS_DEFAULT_REGION": "us-east-1",
            "JWKS_URL": f"{self.api('auth')}/api/v1/auth/.well-known/jwks.json",
            "RUN_EVENT_WORKER": "false", "KEY_DIR": str(self.dir / "keys"), "DATA_DIR": str(self.dir / "data"),
            "JOURNAL_ENCRYPTION_KEY": self.journal_key,
            "SMTP_URL": f"smtp+plain://127.0.0.1:{self.ports.smtp}",
        })
        if service == "analytics":
            env["READ_DATABASE_URL"] = self.db_url("fitjourney_analytics_reader", self.secret["reader"])
        if service == "ai" and self.food_model_uri:
            env["FOOD_MODEL_URI"] = self.food_model_uri
        return env

    # -- lifecycle --------------------------------------------------------------------------------------
    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self._exit.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self) -> None:
        self._start_postgres()
        self._start_redis()
        self._start_moto()
        self._start_smtp()
        if self.own_rabbitmq:
            self._start_rabbitmq()
        else:
            self._exit.callback(self._delete_broker_objects)
        self._migrate()
        self._run([str(BIN / "fitjourney-auth"), "init-keys"], self.env("auth"))

    def start_services(self) -> None:
        """The APIs and their workers (after seeding: the workers find the seed's events in the outboxes)."""
        # All started at once, then each awaited: their imports take most of the start.
        for service in SERVICES:
            self._spawn(f"{service} api", [
                str(BIN / "uvicorn"), "--factory", f"fitjourney_{service}.main:create_app", "--host", "127.0.0.1",
                "--port", str(self.ports.api[service]), "--workers", str(self.api_workers[service]),
                "--no-server-header", "--no-access-log"], self.env(service), self.logs / f"{service}.log")
            env = {**self.env(service), "RUN_EVENT_WORKER": "true",
                   "WORKER_METRICS_PORT": str(self.ports.worker_metrics[service])}
            self._spawn(f"{service} worker", [sys.executable, "-m", f"fitjourney_{service}.worker"], env,
                        self.logs / f"{service}-worker.log")
        for service in SERVICES:
            _wait_http(f"{self.api(service)}/readyz", self.processes[f"{service} api"], 300,
                       self.logs / f"{service}.log")
            _wait_http(f"http://127.0.0.1:{self.ports.worker_metrics[service]}/metrics",
                       self.processes[f"{service} worker"], 300, self.logs / f"{service}-worker.log")

    # -- pieces -----------------------------------------------------------------------------------------
    def _spawn(self, role: str, argv: list[str], env: dict[str, str] | None, log: Path) -> None:
        handle = log.open("ab")
        process = subprocess.Popen(argv, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT)  # noqa: S603
        self.processes[role] = process

        def stop() -> None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            handle.close()
        self._exit.callback(stop)

    def _run(self, argv: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT,
             user: str | None = None) -> None:
        if user is not None and os.geteuid() == 0:
            argv = ["runuser", "-u", user, "--", *argv]
        done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:4])}… failed ({done.returncode}): {done.stdout[-2000:]}"
                               f"{done.stderr[-2000:]}")

    def _start_postgres(self) -> None:
        data = self.dir / "pg"
        user = "postgres" if os.geteuid() == 0 else None  # PostgreSQL refuses to run as root
        if user:
            shutil.chown(self.dir, user)
        self._run([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
                   "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions"], user=user)
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(f"""
port = {self.ports.postgres}
listen_addresses = '127.0.0.1'
unix_socket_directories = '{self.dir}'
max_connections = 300
shared_buffers = '512MB'
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.max = 5000
pg_stat_statements.track = 'top'
""")
        # The superuser over TCP only from here (the harness); every service role signs in with its password.
        hba = (data / "pg_hba.conf").read_text()
        (data / "pg_hba.conf").write_text("host all postgres 127.0.0.1/32 trust\n" + hba)
        self._run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "postgres.log"), "-w", "start"],
                  user=user)
        self._exit.callback(lambda: subprocess.run(  # noqa: S603
            [*(["runuser", "-u", user, "--"] if user else []), str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast",
             "-w", "stop"], capture_output=True, check=False))
        self.postgres_pid = int((data / "postmaster.pid").read_text().split()[0])
        psql = [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.ports.postgres), "-U", "postgres",
                "-v", "ON_ERROR_STOP=1", "-q"]
        self._run([*psql, "-d", "postgres", "-c", f'CREATE DATABASE "{self.database}"'])
        self._run([*psql, "-d", self.database, "-c", "CREATE EXTENSION pg_stat_statements"])
        # The roles as `make migrate` makes them (fitjourney_common.db.roles), with the run's passwords.
        env = {**os.environ, "MIGRATE_ADMIN_URL": self.db_url(), "ANALYTICS_DB_READER_PASSWORD": self.secret["reader"],
               "BACKUP_DB_PASSWORD": self.secret["backup"]}
        for service in SERVICES:
            env[f"{service.upper()}_DB_PASSWORD"] = self.secret[service]
            env[f"{service.upper()}_DB_OWNER_PASSWORD"] = self.secret[f"{service}_owner"]
        self._run([sys.executable, "-m", "fitjourney_common.db.roles", "create", *SERVICES], env)

    def _start_redis(self) -> None:
        folder = self.dir / "redis"
        folder.mkdir()
        self._spawn("redis", ["redis-server", "--port", str(self.ports.redis), "--bind", "127.0.0.1",
                              "--requirepass", self.secret["redis"], "--dir", str(folder), "--save", "",
                              "--appendonly", "yes", "--appendfsync", "everysec"], None, self.logs / "redis.log")
        deadline = time.monotonic() + 20
        while subprocess.run(["redis-cli", "-p", str(self.ports.redis), "--no-auth-warning", "-a",  # noqa: S603,S607
                              self.secret["redis"], "ping"], capture_output=True, text=True,
                             check=False).stdout.strip() != "PONG":
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not answer")
            time.sleep(0.1)

    def _start_rabbitmq(self) -> None:
        """A RabbitMQ node of the run's own (the machine's binaries, own ports and data): for when the machine's
        broker is unusable. It runs as the `rabbitmq` user, whose Erlang cookie its rabbitmqctl shares."""
        folder = self.dir / "rabbitmq"
        folder.mkdir()
        node = f"fjbench{self.run_id.replace('-', '')}@localhost"
        user = ["runuser", "-u", "rabbitmq", "--"] if os.geteuid() == 0 else []
        if user:
            shutil.chown(folder, "rabbitmq")
            self.dir.chmod(0o711)  # the rabbitmq user passes through the run's folder to its own
        env = {**os.environ, "RABBITMQ_NODENAME": node, "RABBITMQ_NODE_PORT": str(self.ports.rabbitmq),
               "RABBITMQ_DIST_PORT": str(self.ports.rabbitmq + 1), "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
               "RABBITMQ_LOG_BASE": str(folder / "log"), "RABBITMQ_PID_FILE": str(folder / "pid"),
               "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "plugins"),
               "RABBITMQ_CONFIG_FILE": str(folder / "none"),
               "RABBITMQ_ADVANCED_CONFIG_FILE": str(folder / "none.config")}
        self._spawn("rabbitmq", [*user, "/usr/lib/rabbitmq/bin/rabbitmq-server"], env, self.logs / "rabbitmq.log")
        self._exit.callback(lambda: subprocess.run(  # noqa: S603
            [*user, "/usr/lib/rabbitmq/bin/rabbitmqctl", "-n", node, "stop"], env=env, capture_output=True,
            check=False, timeout=60))
        deadline = time.monotonic() + 90
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.ports.rabbitmq), 2) as probe:
                    probe.settimeout(5)
                    probe.sendall(b"AMQP\x00\x00\x09\x01")
                    if probe.recv(1) == b"\x01":  # connection.start: the broker speaks AMQP
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the run's own RabbitMQ did not start")
            time.sleep(0.5)

    def _start_moto(self) -> None:
        self._spawn("moto", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.ports.moto)], None,
                    self.logs / "moto.log")
        _wait_http(f"http://127.0.0.1:{self.ports.moto}/moto-api/", self.processes["moto"], 30, None)
        import boto3  # the services' own S3 client library

        boto3.client("s3", endpoint_url=f"http://127.0.0.1:{self.ports.moto}", region_name="us-east-1",
                     aws_access_key_id="bench", aws_secret_access_key="bench-secret")  # noqa: S106 - moto.create_bucket(Bucket="fitjourney")

    def _start_smtp(self) -> None:
        # auth refuses to start in production without a mail server: one that accepts and discards.
        self._spawn("smtp", [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.ports.smtp}",
                             "-c", "aiosmtpd.handlers.Sink"], None, self.logs / "smtp.log")

    def _migrate(self) -> None:
        # auth, core and ai side by side (core loads the food catalogue); analytics after core: it reads core.
        running = {service: subprocess.Popen(  # noqa: S603 - our own venv's alembic
            [str(BIN / "alembic"), "upgrade", "head"], env={**os.environ, "DATABASE_URL": self.owner_url(service)},
            cwd=ROOT / "services" / service, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for service in ("auth", "core", "ai")}
        for service, process in running.items():
            output, _ = process.communicate()
            if process.returncode != 0:
                raise RuntimeError(f"migrating {service} failed: {output.decode(errors='replace')[-3000:]}")
        self._run([str(BIN / "alembic"), "upgrade", "head"],
                  {**os.environ, "DATABASE_URL": self.owner_url("analytics")}, cwd=ROOT / "services" / "analytics")
        # As `make migrate` does it: core's owner grants the reader its SELECTs and read policy.
        self._run([str(BIN / "fitjourney-analytics"), "grant-reader"],
                  {**os.environ, "DATABASE_URL": self.owner_url("core")})

    def queues(self) -> list[str]:
        """Every queue the run's workers declare: quorum queues a run leaves behind pile up in the machine's broker."""
        from fitjourney_core.consumers import jobs_queue

        events = [f"{self.queue_prefix}{service}.events" for service in SERVICES]
        names = [*events, jobs_queue(f"{self.queue_prefix}core.events"), f"{self.queue_prefix}ai.photos"]
        return names + [f"{name}.dlq" for name in names]

    def _delete_broker_objects(self) -> None:
        from fitjourney_common.events.rabbitmq import dead_letter_exchange_name
        from fitjourney_common.testing.rabbitmq import delete_broker_objects

        asyncio.run(delete_broker_objects(self.queues(), [self.exchange, dead_letter_exchange_name(self.exchange)],
                                          self.broker_url, prefix=self.queue_prefix))
