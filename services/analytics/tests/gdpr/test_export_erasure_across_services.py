"""The one export and the one erasure across services, on the real backends: auth, core and analytics run
side by side on one database, one exchange and moto S3; core waits for auth's and analytics' parts
(EXPORT_PARTICIPANTS)."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import boto3
import httpx
import pytest
from analytics_helpers import poll_until
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from fitjourney_analytics.settings import AnalyticsSettings
from fitjourney_auth.main import create_app as create_auth_app
from fitjourney_auth.settings import AuthSettings
from fitjourney_common.testing.postgres import create_app_role
from fitjourney_common.testing.tokens import TestSigner
from fitjourney_core.main import create_app as create_core_app
from fitjourney_core.settings import CoreSettings

CORE = "/api/v1"
REPORTS = "/api/v1/analytics/reports"
# Kept on purpose after an erasure: the audit log proves the erasure (it holds only the id); the outbox
# and inbox are event plumbing (purged once published).
KEPT_TABLES = {("core", "audit_log"), ("core", "outbox"), ("analytics", "outbox"), ("auth", "outbox_messages"),
               ("auth", "audit_log")}  # auth's audit is redacted on erasure: only the id stays


@pytest.fixture(scope="module")
async def auth_app(settings: AnalyticsSettings, database_url: str, tmp_path_factory: pytest.TempPathFactory,
                   ) -> AsyncIterator[FastAPI]:
    auth_settings = AuthSettings(
        environment="test", data_dir=tmp_path_factory.mktemp("auth"), database_url=database_url, db_pool_size=3,
        redis_url=settings.redis_url, broker_url=settings.broker_url, events_exchange=settings.events_exchange,
        events_queue_prefix=settings.events_queue_prefix, bcrypt_rounds=4, outbox_poll_seconds=0.2,
        rate_limit_api="100000/minute", log_json=False, log_level="WARNING")
    application = create_auth_app(auth_settings)
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=60):
        await asyncio.wait_for(application.state.runtime.worker.wait_connected(), 30)
        yield application


@pytest.fixture(scope="module")
async def core_app(settings: AnalyticsSettings, database_url: str, app: FastAPI) -> AsyncIterator[FastAPI]:
    core_settings = CoreSettings(
        environment="test", database_url=await create_app_role(database_url, "fitjourney_core_app", "core"),
        db_pool_size=3, redis_url=settings.redis_url, broker_url=settings.broker_url,
        events_exchange=settings.events_exchange, events_queue_prefix=settings.events_queue_prefix,
        object_store_url=settings.object_store_url.replace("fj-analytics-", "fj-core-"),
        s3_endpoint_url=settings.s3_endpoint_url, jwks_url=settings.jwks_url, rate_limit_api="100000/minute",
        outbox_poll_seconds=0.2, log_json=False, log_level="WARNING",
        export_participants=["auth", "analytics"], export_parts_timeout_seconds=30,
    )
    application = create_core_app(core_settings)
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=60):
        await asyncio.wait_for(application.state.runtime.worker.wait_connected(), 30)
        yield application


def asgi(application: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://test")


async def rows_referring_to(database_url: str, user_id: uuid.UUID) -> dict[str, int]:
    """Rows of every table with a `user_id` in schemas core and analytics that still name the user."""
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        tables = await conn.fetch(
            "select c.table_schema, c.table_name from information_schema.columns c join information_schema.tables t "
            "using (table_schema, table_name) where c.column_name = 'user_id' and t.table_type = 'BASE TABLE' "
            "and c.table_schema in ('auth', 'core', 'analytics')")
        found = {}
        for schema, table in ((r["table_schema"], r["table_name"]) for r in tables):
            if (schema, table) in KEPT_TABLES or "_p20" in table or table.endswith("_default"):
                continue  # partitions are counted through their parent
            count = await conn.fetchval(f'select count(*) from "{schema}"."{table}" where user_id = $1', user_id)
            if count:
                found[f"{schema}.{table}"] = count
        if await conn.fetchval("select count(*) from auth.users where id = $1", user_id):
            found["auth.users"] = 1
        return found
    finally:
        await conn.close()


def objects_naming(endpoint: str, bucket: str, user_id: uuid.UUID) -> list[str]:
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for o in page.get("Contents", [])]
    return [key for key in keys if str(user_id) in key]


async def test_one_export_holds_every_services_rows_and_one_erasure_removes_them(
    app: FastAPI, auth_app: FastAPI, core_app: FastAPI, client: httpx.AsyncClient, settings: AnalyticsSettings,
    database_url: str, signer: TestSigner,
) -> None:
    async with asgi(auth_app) as auth:
        registered = await auth.post("/api/v1/auth/register", json={
            "email": f"gdpr-{uuid.uuid4().hex[:8]}@example.com", "password": "Correct-horse-42", "display_name": "Ada"})
        assert registered.status_code == 201, registered.text
    user_id = uuid.UUID(registered.json()["id"])
    headers = signer.headers(user_id)
    async with asgi(core_app) as core:
        workout = (await core.post(f"{CORE}/workouts", headers=headers, json={
            "activity": "running", "started_at": "2026-11-25T06:00:00Z", "duration_min": 30})).json()
        await core.post(f"{CORE}/body-metrics", headers=headers,
                        json={"measured_at": "2026-11-25T07:00:00Z", "weight_kg": 70.5})
        report = (await client.post(REPORTS, headers=headers, json={"kind": "weekly", "format": "csv"})).json()
        await poll_until(lambda: _report_ready(client, headers, report["id"]), timeout=60)

        exported = await core.post(f"{CORE}/me/export", headers=headers)
        assert exported.status_code == 202, exported.text
        export_id = exported.json()["export_id"]

        async def finished() -> dict[str, Any] | None:
            body = (await core.get(f"{CORE}/me/export/{export_id}", headers=headers)).json()
            return body if body["status"] != "pending" else None

        export = await poll_until(finished, timeout=60)
        assert export["status"] == "ready", export
        async with httpx.AsyncClient() as http:
            archive = zipfile.ZipFile(io.BytesIO((await http.get(export["url"])).content))
        names = set(archive.namelist())
        assert {"workouts.json", "body_metrics.json", "analytics/reports.json", "analytics/registrations.json",
                "README.txt"} <= names
        assert [w["id"] for w in json.loads(archive.read("workouts.json"))] == [workout["id"]]
        exported_reports = json.loads(archive.read("analytics/reports.json"))
        assert [r["id"] for r in exported_reports] == [report["id"]] and exported_reports[0]["status"] == "ready"
        assert "analytics/reports.json" in archive.read("README.txt").decode()
        account = json.loads(archive.read("auth/account.json"))
        assert account[0]["email"] == registered.json()["email"] and "password_hash" not in account[0]
        assert {"auth/linked_providers.json", "auth/sessions.json", "auth/sign_in_audit.json"} <= names

        erased = await core.request("DELETE", f"{CORE}/me", headers=headers, json={"confirm": "DELETE"})
        assert erased.status_code == 202

        left: list[dict[str, int]] = []

        async def erased_everywhere() -> bool:
            left.append(await rows_referring_to(database_url, user_id))
            return not left[-1]

        try:
            await poll_until(erased_everywhere, timeout=60)
        except AssertionError as exc:
            raise AssertionError(f"rows still naming the user: {left[-1]}") from exc
    buckets = [settings.object_store_url.removeprefix("s3://"),
               core_app.state.runtime.settings.object_store_url.removeprefix("s3://")]
    await poll_until(lambda: not any(objects_naming(settings.s3_endpoint_url, b, user_id) for b in buckets),
                     timeout=30)
    audit = await _audit(database_url, user_id)
    for service in ("analytics", "auth"):
        await poll_until(lambda service=service: _audit_has(database_url, user_id, service), timeout=30)
    assert {("export.part_received", "analytics"), ("export.part_received", "auth")} <= set(audit)


async def _report_ready(client: httpx.AsyncClient, headers: dict[str, str], report_id: str) -> bool:
    return (await client.get(f"{REPORTS}/{report_id}", headers=headers)).json()["status"] == "ready"


async def _audit(database_url: str, user_id: uuid.UUID) -> list[tuple[str, str | None]]:
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetch("select action, detail from core.audit_log where user_id = $1 order by id", user_id)
    finally:
        await conn.close()
    return [(r["action"], json.loads(r["detail"]).get("service") if r["detail"] else None) for r in rows]


async def _audit_has(database_url: str, user_id: uuid.UUID, service: str) -> bool:
    return ("erasure.completed", service) in await _audit(database_url, user_id)
