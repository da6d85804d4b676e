"""No secret reaches the logs: a full user flow across auth and core, run as in production (ENVIRONMENT=production,
real secrets, each service on its runtime role made by `make migrate`'s module, real PostgreSQL, Redis, RabbitMQ,
moto S3 and a real SMTP server), with every log record the services write captured in the production JSON format
and searched for the passwords, the access and refresh tokens, verification and reset tokens and journal text."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import os
import secrets
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from fitjourney_auth.cli import main as auth_cli
from fitjourney_auth.main import create_app as create_auth_app
from fitjourney_auth.settings import AuthSettings
from fitjourney_common.db.roles import RoleNames, create_roles, password_variables, role_url
from fitjourney_common.testing.accounts import register_confirmed
from fitjourney_common.testing.polling import poll_until
from fitjourney_common.testing.postgres import ADMIN_URL, migrate
from fitjourney_common.testing.rabbitmq import BROKER_URL, delete_broker_objects
from fitjourney_common.testing.redis import redis_url_for_tests
from fitjourney_common.testing.smtp import RESET_TOKEN, SmtpInbox
from fitjourney_core.main import create_app as create_core_app
from fitjourney_core.settings import CoreSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("auth", "core")


@pytest.fixture(scope="module")
async def roles_database() -> AsyncIterator[tuple[RoleNames, dict[str, str], str]]:
    """A fresh database set up as `make migrate` does, with roles of this run's own prefix (roles are the
    server's, shared by every database on it); yields the names, the passwords and the admin URL."""
    names = RoleNames(prefix=f"fjt_{uuid.uuid4().hex[:8]}")
    passwords = {name: secrets.token_hex(16) for name in password_variables(SERVICES)}
    admin_url = make_url(ADMIN_URL).set(database=f"fj_logs_{uuid.uuid4().hex[:10]}")
    try:  # the database and the roles go even when a step fails half-way
        await create_roles(admin_url, SERVICES, passwords, names)
        for service in SERVICES:
            owner = role_url(admin_url, names.owner(service), passwords[f"{service.upper()}_DB_OWNER_PASSWORD"])
            await migrate(ROOT / "services" / service, owner)
        yield names, passwords, admin_url.render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(ADMIN_URL.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{admin_url.database}" WITH (FORCE)')
            for role in (*(f(s) for s in SERVICES for f in (names.owner, names.runtime)), names.backup):
                await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        finally:
            await admin.close()


@pytest.fixture(scope="module")
async def production_apps(roles_database: tuple[RoleNames, dict[str, str], str], s3_endpoint: str,
                          smtp: tuple[str, SmtpInbox], tmp_path_factory: pytest.TempPathFactory,
                          ) -> AsyncIterator[tuple[FastAPI, FastAPI, SmtpInbox]]:
    names, passwords, admin = roles_database
    tag = uuid.uuid4().hex[:8]
    exchange, prefix = f"fj-logs-{tag}.events", f"fj-logs-{tag}."
    key_dir = tmp_path_factory.mktemp("prod-keys")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    common: dict[str, Any] = dict(
        environment="production", redis_url=redis_url_for_tests(13), broker_url=BROKER_URL, events_exchange=exchange,
        events_queue_prefix=prefix, s3_endpoint_url=s3_endpoint, db_pool_size=3, outbox_poll_seconds=0.2,
        log_json=True, log_level="INFO", jwks_url=f"file://{key_dir}/jwks.json")

    def url(service: str) -> str:
        return role_url(make_url(admin), names.runtime(service), passwords[f"{service.upper()}_DB_PASSWORD"])

    # The user's inbox: a real SMTP server that auth's production mail sender delivers to.
    smtp_url, inbox = smtp
    auth_settings = AuthSettings(**common, database_url=url("auth"), key_dir=key_dir, bcrypt_rounds=4,
                                 object_store_url=f"s3://fj-logs-auth-{tag}", smtp_url=smtp_url)
    assert auth_cli(["init-keys"], auth_settings) == 0
    core_settings = CoreSettings(**common, database_url=url("core"), object_store_url=f"s3://fj-logs-core-{tag}",
                                 journal_encryption_key=base64.b64encode(os.urandom(32)).decode(),
                                 export_participants=["auth"], export_parts_timeout_seconds=30)
    auth_app, core_app = create_auth_app(auth_settings), create_core_app(core_settings)
    try:
        async with LifespanManager(auth_app, startup_timeout=60, shutdown_timeout=60), \
                LifespanManager(core_app, startup_timeout=60, shutdown_timeout=60):
            for app in (auth_app, core_app):
                await asyncio.wait_for(app.state.runtime.worker.wait_connected(), 30)
            yield auth_app, core_app, inbox
    finally:
        await delete_broker_objects([], [exchange], prefix=prefix)


# Stricter than production (INFO): the platform's own loggers down to DEBUG, so no debug line leaks either.
OWN_LOGGERS = ("fitjourney_common", "fitjourney_auth", "fitjourney_core")


class CapturedLogs:
    """Every record the root logger passes on, formatted by the services' own (production JSON) handler."""

    def __init__(self) -> None:
        self.levels = {name: logging.getLogger(name).level for name in OWN_LOGGERS}
        for name in OWN_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG)
        root = logging.getLogger()
        ours = [h for h in root.handlers if type(h).__name__ == "_FitJourneyHandler"]
        assert ours, "the services configured no log handler"
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(ours[0].formatter)
        for log_filter in ours[0].filters:
            self.handler.addFilter(log_filter)
        root.addHandler(self.handler)

    def text(self) -> str:
        logging.getLogger().removeHandler(self.handler)
        for name, level in self.levels.items():
            logging.getLogger(name).setLevel(level)
        return self.stream.getvalue()


async def test_a_full_user_flow_writes_no_password_token_or_journal_text_to_the_logs(
    production_apps: tuple[FastAPI, FastAPI, SmtpInbox],
) -> None:
    auth_app, core_app, inbox = production_apps
    email = f"logs-{uuid.uuid4().hex[:8]}@example.com"
    password, new_password, wrong_password = "Correct-horse-42", "Another-horse-43", "Wrong-horse-41"
    journal_text = f"My secret diary line {uuid.uuid4().hex}"
    logs = CapturedLogs()
    auth = httpx.AsyncClient(transport=httpx.ASGITransport(app=auth_app), base_url="http://auth")
    core = httpx.AsyncClient(transport=httpx.ASGITransport(app=core_app), base_url="http://core")
    secrets_seen: list[str] = [password, new_password, wrong_password, journal_text]
    async with auth, core:
        secrets_seen.append(await register_confirmed(auth, inbox, email, password, "Ada"))
        assert (await auth.post("/api/v1/auth/login", json={"email": email, "password": wrong_password})
                ).status_code == 401
        tokens = (await auth.post("/api/v1/auth/login", json={"email": email, "password": password})).json()
        refreshed = (await auth.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})).json()
        secrets_seen += [tokens["access_token"], tokens["refresh_token"], refreshed["access_token"],
                         refreshed["refresh_token"]]
        assert (await auth.post("/api/v1/auth/password/forgot", json={"email": email})).status_code == 202
        reset_token = await inbox.token(email, RESET_TOKEN, timeout=60)
        secrets_seen.append(reset_token)
        assert (await auth.post("/api/v1/auth/password/reset", json={
            "token": reset_token, "new_password": new_password})).status_code == 204
        again = (await auth.post("/api/v1/auth/login", json={"email": email, "password": new_password})).json()
        secrets_seen += [again["access_token"], again["refresh_token"]]
        bearer = {"authorization": f"Bearer {again['access_token']}"}

        written = await core.put("/api/v1/journal/2026-11-25", headers=bearer,
                                 json={"mood": 4, "text": journal_text, "tags": ["private"]})
        assert written.status_code in (200, 201), written.text
        assert (await core.get("/api/v1/journal/2026-11-25", headers=bearer)).json()["text"] == journal_text
        export_id = (await core.post("/api/v1/me/export", headers=bearer)).json()["export_id"]

        async def finished() -> dict[str, Any] | None:
            body: dict[str, Any] = (await core.get(f"/api/v1/me/export/{export_id}", headers=bearer)).json()
            return body if body["status"] != "pending" else None

        export = await poll_until(finished, timeout=60)
        assert export["status"] == "ready", export
        secrets_seen.append(export["url"].split("?", 1)[1])  # the presigned URL's signature
    captured = logs.text()
    loggers = {json.loads(line)["logger"] for line in captured.splitlines()}
    assert "fitjourney_auth.mail" in loggers, "the capture missed auth's mail log"
    leaked = [secret[:12] + "…" for secret in secrets_seen if secret in captured]
    assert leaked == [], f"secrets in the logs: {leaked}"

