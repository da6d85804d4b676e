"""Runs every installed service as its own uvicorn process on the real backends, for the contract tests.

Generic over the services present: the list is the dev gateway's (`SERVICE_FACTORIES`), and a service
whose package is not installed is left out. All services share one throwaway PostgreSQL database (a
schema each, migrated by their own Alembic scripts, used through a non-owner role as in production),
one Redis db, a RabbitMQ exchange of this session and a moto S3 bucket. Every service trusts one test
signing key, so the harness can mint access tokens for any of them (`mint_token`).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fitjourney_gateway.dev import SERVICE_FACTORIES
from jose import jwt
from sqlalchemy.engine import make_url

from fitjourney_common.testing.accounts import register_confirmed
from fitjourney_common.testing.ports import free_port
from fitjourney_common.testing.postgres import create_app_role, migrate
from fitjourney_common.testing.processes import stop_process
from fitjourney_common.testing.redis import redis_url_for_tests
from fitjourney_common.testing.smtp import inbox_at

ROOT = Path(__file__).resolve().parents[2]
ISSUER = "https://auth.fitjourney.local"
AUDIENCE = "fitjourney"
KID = "contract-test-key"
STARTUP_SECONDS = 90
REDIS_URL = redis_url_for_tests(5)  # the contract suite's own Redis db


def installed_services() -> list[str]:
    """The services whose package is importable here (ai and analytics join once they are installed)."""
    found = []
    for name, target in SERVICE_FACTORIES.items():
        try:
            if importlib.util.find_spec(target.partition(":")[0]) is not None:
                found.append(name)
        except ModuleNotFoundError:  # the package itself is not installed
            continue
    return found


SERVICES = installed_services()


def service_dir(name: str) -> Path:
    return ROOT / "services" / name


async def _analytics_reader(owner_url: str) -> dict[str, str]:
    """Analytics reads core through its read-only role, which `make migrate` grants after every migration."""
    from fitjourney_analytics.reader_role import READER_ROLE, ensure_reader_role

    await ensure_reader_role(owner_url)
    return {"READ_DATABASE_URL": make_url(owner_url).set(username=READER_ROLE).render_as_string(hide_password=False)}


# What a service needs beyond its own schema and role, as `make migrate` and the compose file set it up.
EXTRA_DATABASE_SETUP: dict[str, Callable[[str], Awaitable[dict[str, str]]]] = {"analytics": _analytics_reader}


async def prepare_database(url: str, services: list[str]) -> dict[str, dict[str, str]]:
    """Migrate each service's schema in the (empty) database at `url`; each service's database environment
    (DATABASE_URL of its own non-owner role, and what else it reads through), as in production."""
    env: dict[str, dict[str, str]] = {}
    for name in services:
        env[name] = {"DATABASE_URL": url}
        if (service_dir(name) / "alembic.ini").exists():
            await migrate(service_dir(name), url)
            env[name]["DATABASE_URL"] = await create_app_role(url, f"fitjourney_{name}_app", name)
    for name, setup in EXTRA_DATABASE_SETUP.items():
        if name in env:
            env[name].update(await setup(url))
    return env


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    """A test RSA key in auth's key-directory layout (`<kid>.pem` beside `jwks.json`)."""

    directory: Path
    private_pem: str

    @property
    def pem_path(self) -> Path:
        return self.directory / f"{KID}.pem"

    @property
    def jwks_url(self) -> str:
        return f"file://{self.directory / 'jwks.json'}"


def make_signing_key(directory: Path) -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    numbers = private.public_key().public_numbers()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{KID}.pem").write_text(pem)
    public = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": KID,
              "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e)}
    (directory / "jwks.json").write_text(json.dumps({"keys": [public]}))
    return SigningKey(directory, pem)


def mint_token(private_pem: str, user_id: uuid.UUID | str, roles: tuple[str, ...] = ("user",),
               expires_in: int = 3600) -> str:
    """An access token as auth issues them, signed with the test key every service trusts."""
    now = int(time.time())
    claims = {"sub": str(user_id), "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + expires_in,
              "jti": uuid.uuid4().hex, "roles": list(roles), "typ": "access", "auth_time": now}
    return str(jwt.encode(claims, private_pem, algorithm="RS256", headers={"kid": KID}))


@dataclass
class RunningService:
    name: str
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str] = field(repr=False)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def openapi(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.base_url}/openapi.json", timeout=30).json())


def service_env(name: str, *, database_env: dict[str, str], redis_url: str, s3_endpoint: str, key: SigningKey,
                tag: str, smtp_url: str) -> dict[str, str]:
    """The 12-factor environment of one service on the real backends (what `make migrate` + uvicorn use)."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_URL")}
    env.update({
        "ENVIRONMENT": "test",
        **database_env,  # DATABASE_URL, and what else a service reads its data through
        "REDIS_URL": redis_url,
        "BROKER_URL": "amqp://guest:guest@127.0.0.1:5672/",
        "EVENTS_EXCHANGE": f"fj.contract.{tag}",
        "EVENTS_QUEUE_PREFIX": f"{tag}.{name}.",
        "OBJECT_STORE_URL": f"s3://fj-contract-{tag}",
        "S3_ENDPOINT_URL": s3_endpoint,
        "JWKS_URL": key.jwks_url,
        "KEY_DIR": str(key.directory),
        "JWT_ISSUER": ISSUER,
        "JWT_AUDIENCE": AUDIENCE,
        # The fuzzer sends thousands of requests a minute as one user: the limit itself is tested elsewhere.
        "RATE_LIMIT_API": "1000000/minute",
        "LOG_JSON": "false",
        "LOG_LEVEL": "WARNING",
        "OUTBOX_POLL_SECONDS": "0.2",
        "DB_POOL_SIZE": "5",
        "BCRYPT_ROUNDS": "4",  # auth: registrations and sign-ins at test speed
        "SMTP_URL": smtp_url,  # auth: a real SMTP server of the test's, where register_account reads its mail
    })
    return env


@contextmanager
def run_service(name: str, env: dict[str, str], workdir: Path, port: int | None = None) -> Iterator[RunningService]:
    """`uvicorn --factory fitjourney_<name>.main:create_app` on `port` (a free one unless given), until /readyz
    answers 200. Several replicas of a service each get a port and a log of their own."""
    port = port or free_port()
    log_path = workdir / f"{name}-{port}.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", SERVICE_FACTORIES[name], "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-server-header"],  # as README runs them
        cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    service = RunningService(name, f"http://127.0.0.1:{port}", process, log_path, env)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited: {service.log_tail()}")
            try:
                if httpx.get(f"{service.base_url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} was not ready within {STARTUP_SECONDS} s: {service.log_tail()}")
            time.sleep(0.2)
        yield service
    finally:
        stop_process(process, grace_seconds=20)
        log.close()


ACCOUNT_PASSWORD = "Contract-Account-42"


async def register_account(auth: RunningService, label: str) -> str:
    """A new account in auth (password ACCOUNT_PASSWORD), confirmed with the token auth mailed to the test's
    SMTP server (as its owner would); its email."""
    email = f"{label}-{uuid.uuid4().hex[:10]}@example.com"
    async with httpx.AsyncClient(base_url=auth.base_url, timeout=30) as http:
        await register_confirmed(http, inbox_at(auth.env["SMTP_URL"]), email, ACCOUNT_PASSWORD, label.title())
    return email


async def sign_in(http: httpx.AsyncClient, email: str) -> dict[str, str]:
    """The token pair of a password sign-in through auth (`http` is a client of auth)."""
    response = await http.post("/api/v1/auth/login", json={"email": email, "password": ACCOUNT_PASSWORD})
    assert response.status_code == 200, response.text
    return dict(response.json())
