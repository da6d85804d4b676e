"""The one export and the one erasure across every service, on the real backends: auth, core, ai and analytics
run side by side on one database, one exchange, one Redis and moto S3; core waits for the parts of auth, ai
and analytics (EXPORT_PARTICIPANTS).

The tables are read from the database, not listed here: a table a new migration adds must receive the
test user's rows (or be named below as holding nobody's data, with why), must reach the zip (or be named as
left out, with why), and must be empty of the user after the erasure (or be named as kept, with why).
"""

from __future__ import annotations

import asyncio
import io
import json
import time
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import boto3
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from PIL import Image

from fitjourney_ai.main import create_app as create_ai_app
from fitjourney_ai.settings import AiSettings
from fitjourney_analytics.settings import AnalyticsSettings
from fitjourney_auth.main import create_app as create_auth_app
from fitjourney_auth.settings import AuthSettings
from fitjourney_common.testing.accounts import register_confirmed
from fitjourney_common.testing.polling import poll_until
from fitjourney_common.testing.postgres import create_app_role
from fitjourney_common.testing.smtp import SmtpInbox
from fitjourney_common.testing.tokens import TestSigner
from fitjourney_core.account.service import EXPORTED as CORE_EXPORTED
from fitjourney_core.account.service import NOT_EXPORTED as CORE_NOT_EXPORTED
from fitjourney_core.main import create_app as create_core_app
from fitjourney_core.settings import CoreSettings

CORE = "/api/v1"
REPORTS = "/api/v1/analytics/reports"
SCHEMAS = ("auth", "core", "ai", "analytics")
PARTICIPANTS = ["auth", "ai", "analytics"]
GOOGLE_CLIENT_ID = "fitjourney-test.apps.googleusercontent.com"
GOOGLE_ISSUER = "https://accounts.google.com"
YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).date()

Table = tuple[str, str]
# Tables without a `user_id` column: they hold nobody's data (auth.users is the account itself, keyed by `id`).
NO_OWNER: dict[str, str] = {
    "alembic_version": "the schema's migration revision",
    "processed_events": "ids of the events a consumer handled (inbox)",
    "record_ids": "core: which table a record id belongs to (random ids, no owner: an id stays unique)",
    "food_catalogue": "core: the shared SR28 foods, nobody's data (a user's own foods are in core.foods)",
}
# Event plumbing: written by the user's actions, purged once published, never exported, kept by the erasure.
OUTBOXES = {("core", "outbox"), ("ai", "outbox"), ("analytics", "outbox"), ("auth", "outbox_messages")}
# The zip file of each table when it is not `<schema>/<table>.json`.
ZIPPED_AS: dict[Table, str] = {
    **{("core", model.__tablename__): f"{stem}.json" for stem, model in CORE_EXPORTED.items()},
    ("auth", "users"): "auth/account.json", ("auth", "identities"): "auth/linked_providers.json",
    ("auth", "sessions"): "auth/sessions.json", ("auth", "audit_log"): "auth/sign_in_audit.json",
}
NOT_EXPORTED: dict[Table, str] = {
    **{("core", table): why for table, why in CORE_NOT_EXPORTED.items()},
    **{table: "events on their way to other services" for table in OUTBOXES},
    ("auth", "refresh_tokens"): "hashes of secrets; the sessions they belong to are exported",
    ("auth", "password_reset_tokens"): "hashes of secrets, short-lived",
    ("auth", "email_verification_tokens"): "hashes of secrets, short-lived (the account says whether it is verified)",
}
# Kept on purpose after an erasure: the audit logs prove the erasure (core's holds only the id; auth's is
# redacted to the id); the outboxes are event plumbing.
KEPT: dict[Table, str] = {
    ("core", "audit_log"): "proof of the erasure, by id only",
    ("auth", "audit_log"): "redacted on erasure: only the id stays",
    **{table: "events on their way to other services" for table in OUTBOXES},
}


@dataclass(frozen=True)
class TableInfo:
    schema: str
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]

    @property
    def owner_column(self) -> str | None:
        if (self.schema, self.name) == ("auth", "users"):
            return "id"
        return "user_id" if "user_id" in self.columns else None


async def _connect(database_url: str) -> asyncpg.Connection:
    return await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))


async def every_table(database_url: str) -> list[TableInfo]:
    """Every table of the four schemas (partitions are read through their parent), with its primary key."""
    conn = await _connect(database_url)
    try:
        rows = await conn.fetch("""
            select n.nspname as schema, c.relname as name,
                   array(select a.attname from pg_attribute a where a.attrelid = c.oid and a.attnum > 0
                         and not a.attisdropped order by a.attnum) as columns,
                   array(select a.attname from pg_index i join pg_attribute a
                         on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
                         where i.indrelid = c.oid and i.indisprimary) as key
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = any($1::text[]) and c.relkind in ('r', 'p') and not c.relispartition
            order by 1, 2""", list(SCHEMAS))
    finally:
        await conn.close()
    return [TableInfo(r["schema"], r["name"], tuple(r["columns"]), tuple(r["key"])) for r in rows]


async def rows_of(database_url: str, user_id: uuid.UUID) -> dict[Table, list[dict[str, Any]]]:
    """The user's rows in every table with an owner column (as the owner role: no row-level security)."""
    tables = await every_table(database_url)
    conn = await _connect(database_url)
    try:
        found = {}
        for table in tables:
            if table.owner_column is None:
                continue
            records = await conn.fetch(
                f'select * from "{table.schema}"."{table.name}" where "{table.owner_column}" = $1', user_id)
            found[(table.schema, table.name)] = [dict(r) for r in records]
        return found
    finally:
        await conn.close()


def objects_naming(endpoint: str, user_id: uuid.UUID) -> list[str]:
    """Keys naming the user, in every bucket of the S3 endpoint."""
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    keys = []
    for bucket in (b["Name"] for b in s3.list_buckets()["Buckets"]):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys += [f"{bucket}/{o['Key']}" for o in page.get("Contents", []) if str(user_id) in o["Key"]]
    return keys


# --- the four services -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def google(tmp_path_factory: pytest.TempPathFactory) -> TestSigner:
    """A stand-in for Google's ID-token keys (a JWKS file), so an account can link a provider."""
    return TestSigner(tmp_path_factory.mktemp("google"), kid="google-test", issuer=GOOGLE_ISSUER,
                      audience=GOOGLE_CLIENT_ID)


@pytest.fixture(scope="module")
async def auth_app(settings: AnalyticsSettings, database_url: str, google: TestSigner, smtp: tuple[str, SmtpInbox],
                   tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FastAPI]:
    auth_settings = AuthSettings(
        environment="test", data_dir=tmp_path_factory.mktemp("auth"), database_url=database_url, db_pool_size=3,
        redis_url=settings.redis_url, broker_url=settings.broker_url, events_exchange=settings.events_exchange,
        events_queue_prefix=settings.events_queue_prefix, bcrypt_rounds=4, outbox_poll_seconds=0.2,
        rate_limit_api="100000/minute", log_json=False, log_level="WARNING", smtp_url=smtp[0],
        google_client_id=GOOGLE_CLIENT_ID, google_jwks_url=google.jwks_url, google_issuers=[GOOGLE_ISSUER])
    application = create_auth_app(auth_settings)
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=60):
        await asyncio.wait_for(application.state.runtime.worker.wait_connected(), 30)
        yield application


def core_bucket(settings: AnalyticsSettings) -> str:
    return settings.object_store_url.replace("fj-analytics-", "fj-core-")


@pytest.fixture(scope="module")
async def core_app(settings: AnalyticsSettings, database_url: str, app: FastAPI) -> AsyncIterator[FastAPI]:
    core_settings = CoreSettings(
        environment="test", database_url=await create_app_role(database_url, "fitjourney_core_app", "core"),
        db_pool_size=3, redis_url=settings.redis_url, broker_url=settings.broker_url,
        events_exchange=settings.events_exchange, events_queue_prefix=settings.events_queue_prefix,
        object_store_url=core_bucket(settings), s3_endpoint_url=settings.s3_endpoint_url, jwks_url=settings.jwks_url,
        rate_limit_api="100000/minute", outbox_poll_seconds=0.2, log_json=False, log_level="WARNING",
        export_participants=PARTICIPANTS, export_parts_timeout_seconds=30,
    )
    application = create_core_app(core_settings)
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=60):
        await asyncio.wait_for(application.state.runtime.worker.wait_connected(), 30)
        yield application


@pytest.fixture(scope="module")
async def ai_app(settings: AnalyticsSettings, database_url: str, tmp_path_factory: pytest.TempPathFactory,
                 ) -> AsyncIterator[FastAPI]:
    ai_settings = AiSettings(
        environment="test", database_url=await create_app_role(database_url, "fitjourney_ai_app", "ai"),
        db_pool_size=3, redis_url=settings.redis_url, broker_url=settings.broker_url,
        events_exchange=settings.events_exchange, events_queue_prefix=settings.events_queue_prefix,
        # ai reads the food photos core stored.
        object_store_url=core_bucket(settings), s3_endpoint_url=settings.s3_endpoint_url,
        jwks_url=settings.jwks_url, rate_limit_api="100000/minute", outbox_poll_seconds=0.2, log_json=False,
        log_level="WARNING", food_model_uri=f"file://{tmp_path_factory.mktemp('no-model')}")
    application = create_ai_app(ai_settings)
    async with LifespanManager(application, startup_timeout=120, shutdown_timeout=60):
        await asyncio.wait_for(application.state.runtime.worker.wait_connected(), 30)
        yield application


@pytest.fixture(scope="module")
def services(app: FastAPI, auth_app: FastAPI, core_app: FastAPI, ai_app: FastAPI) -> dict[str, FastAPI]:
    return {"analytics": app, "auth": auth_app, "core": core_app, "ai": ai_app}


def asgi(application: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://test")


def picture(fmt: str, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(out, format=fmt)
    return out.getvalue()


# --- a user with a bit of everything -----------------------------------------------------------------------

@dataclass
class Person:
    user_id: uuid.UUID
    email: str
    headers: dict[str, str]


async def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201, 202), f"{response.request.url}: {response.text}"
    body: dict[str, Any] = response.json() if response.content else {}
    return body


async def fill_everything(services: dict[str, FastAPI], google: TestSigner, signer: TestSigner,
                          inbox: SmtpInbox) -> Person:
    """Through each service's API, as the apps would: every table a user can fill gets at least one row."""
    email = f"gdpr-{uuid.uuid4().hex[:8]}@example.com"
    password = "Correct-horse-42"
    async with asgi(services["auth"]) as auth:
        # Registration names no account (the same 202 for a taken email): the id comes from a sign-in.
        await register_confirmed(auth, inbox, email, password, "Ada")
        tokens = await _created(await auth.post("/api/v1/auth/login", json={"email": email, "password": password}))
        account = await _created(await auth.get("/api/v1/auth/me",
                                                headers={"Authorization": f"Bearer {tokens['access_token']}"}))
        await _created(await auth.post("/api/v1/auth/password/forgot", json={"email": email}))
        now = int(time.time())
        id_token = google.sign({"iss": GOOGLE_ISSUER, "aud": GOOGLE_CLIENT_ID, "sub": uuid.uuid4().hex,
                                "email": email, "email_verified": True, "iat": now, "exp": now + 600})
        await _created(await auth.post("/api/v1/auth/oauth/google", json={"id_token": id_token}))
    person = Person(uuid.UUID(account["id"]), email, signer.headers(uuid.UUID(account["id"])))
    headers = person.headers
    at = f"{YESTERDAY.isoformat()}T07:00:00Z"
    async with asgi(services["core"]) as core:
        await _created(await core.put(f"{CORE}/profile", headers=headers, json={
            "display_name": "Ada", "sex": "female", "birth_date": "1990-04-01", "height_cm": 168}))
        await _created(await core.put(f"{CORE}/profile/avatar", headers=headers,
                                      files={"image": ("me.png", picture("PNG", (0, 128, 0)), "image/png")}))
        await _created(await core.post(f"{CORE}/workouts", headers=headers, json={
            "activity": "running", "started_at": at, "duration_min": 30, "distance_km": 5}))
        await _created(await core.post(f"{CORE}/body-metrics", headers=headers,
                                       json={"measured_at": at, "weight_kg": 70.5}))
        food = await _created(await core.post(f"{CORE}/foods", headers=headers, json={
            "name": "Ada's granola", "portions": [{"name": "bowl", "grams": 60}],
            "per_100g": {"kcal": 450, "protein_g": 10, "carbs_g": 60, "fat_g": 18, "fibre_g": 7}}))
        await _created(await core.post(f"{CORE}/food-logs", headers=headers, json={
            "food_id": food["id"], "grams": 60, "meal": "breakfast", "eaten_at": at}))
        await _created(await core.post(f"{CORE}/food-logs/photo", headers=headers, files={
            "image": ("lunch.jpg", picture("JPEG", (200, 120, 40)), "image/jpeg")}))
        habit = await _created(await core.post(f"{CORE}/habits", headers=headers, json={"name": "stretch"}))
        await _created(await core.post(f"{CORE}/habits/{habit['id']}/check-ins", headers=headers,
                                       json={"date": YESTERDAY.isoformat(), "count": 1}))
        await _created(await core.put(f"{CORE}/journal/{YESTERDAY.isoformat()}", headers=headers,
                                      json={"mood": 4, "text": "ran well", "tags": ["running"]}))
    async with asgi(services["analytics"]) as analytics:
        report = await _created(await analytics.post(REPORTS, headers=headers,
                                                     json={"kind": "weekly", "format": "csv"}))
        await poll_until(lambda: _report_ready(analytics, headers, report["id"]), timeout=60)
    return person


async def _report_ready(client: httpx.AsyncClient, headers: dict[str, str], report_id: str) -> bool:
    return (await client.get(f"{REPORTS}/{report_id}", headers=headers)).json()["status"] == "ready"


async def unfilled(database_url: str, user_id: uuid.UUID) -> list[str]:
    """Tables that should hold the user's rows by now and do not (or that are new and hold no owner)."""
    missing = []
    rows = await rows_of(database_url, user_id)
    for table in await every_table(database_url):
        key = (table.schema, table.name)
        if table.owner_column is None:
            if table.name not in NO_OWNER:
                missing.append(f"{table.schema}.{table.name} (no user_id: name it in NO_OWNER, with why)")
        elif key not in OUTBOXES and not rows[key]:
            missing.append(f"{table.schema}.{table.name}")
    return missing


async def export_zip(core: httpx.AsyncClient, headers: dict[str, str]) -> zipfile.ZipFile:
    exported = await core.post(f"{CORE}/me/export", headers=headers)
    assert exported.status_code == 202, exported.text
    export_id = exported.json()["export_id"]

    async def finished() -> dict[str, Any] | None:
        body: dict[str, Any] = (await core.get(f"{CORE}/me/export/{export_id}", headers=headers)).json()
        return body if body["status"] != "pending" else None

    export = await poll_until(finished, timeout=60)
    assert export["status"] == "ready", export
    async with httpx.AsyncClient() as http:
        return zipfile.ZipFile(io.BytesIO((await http.get(export["url"])).content))


@pytest.fixture(scope="module")
async def person(services: dict[str, FastAPI], google: TestSigner, signer: TestSigner, database_url: str,
                 smtp: tuple[str, SmtpInbox]) -> Person:
    filled = await fill_everything(services, google, signer, smtp[1])
    # Every other service builds its rows from events: wait for them (the names of the empty tables on failure).
    left: list[list[str]] = [[]]

    async def all_filled() -> bool:
        left[0] = await unfilled(database_url, filled.user_id)
        # core's exports and audit_log are written by the export itself.
        return not [t for t in left[0] if t not in ("core.exports", "core.audit_log")]

    try:
        await poll_until(all_filled, timeout=60, interval=0.2)
    except AssertionError as exc:
        raise AssertionError(f"tables the user could not fill: {left[0]}") from exc
    return filled


def _records(archive: zipfile.ZipFile, name: str) -> list[dict[str, Any]]:
    loaded = json.loads(archive.read(name))
    return loaded if isinstance(loaded, list) else [loaded] if loaded else []


def _missing_from(table: TableInfo, rows: list[dict[str, Any]], records: list[dict[str, Any]]) -> list[str]:
    """The user's rows the zip file lacks, by primary key (`id` alone for a partitioned table's (id, time))."""
    key = [c for c in table.key if c != "user_id"]
    key = ["id"] if "id" in key else key
    if not key:  # keyed by the owner alone (a profile): the one row is the one record
        return [] if len(records) == len(rows) else [f"{len(rows)} row(s), {len(records)} record(s)"]
    exported = {tuple(str(r.get(c)) for c in key) for r in records}
    return [str(dict(zip(key, k, strict=True))) for k in (tuple(str(r[c]) for c in key) for r in rows)
            if k not in exported]


async def test_one_export_holds_every_row_of_every_service(
    person: Person, core_app: FastAPI, database_url: str,
) -> None:
    before = await rows_of(database_url, person.user_id)
    async with asgi(core_app) as core:
        archive = await export_zip(core, person.headers)
    assert await unfilled(database_url, person.user_id) == []  # now core's exports and audit_log too
    names = set(archive.namelist())
    tables = await every_table(database_url)
    # The lists above name real tables: a renamed table must not leave a stale exemption behind.
    assert set(NOT_EXPORTED) | set(KEPT) | set(ZIPPED_AS) <= {(t.schema, t.name) for t in tables}
    problems = []
    for table in tables:
        key = (table.schema, table.name)
        if table.owner_column is None or key in NOT_EXPORTED:
            continue
        name = ZIPPED_AS.get(key, f"{table.schema}/{table.name}.json")
        if name not in names:
            problems.append(f"{table.schema}.{table.name}: no {name} in the zip (or name it in NOT_EXPORTED)")
            continue
        missing = _missing_from(table, before[key], _records(archive, name))
        if missing:
            problems.append(f"{table.schema}.{table.name}: {missing} not in {name}")
    assert problems == []
    account = _records(archive, "auth/account.json")[0]
    assert account["email"] == person.email and "password_hash" not in account
    assert account["email_verified"] is True and account["activated_at"]  # confirmed by its mailed link
    assert _records(archive, "ai/photo_recognitions.json")[0]["status"] == "unavailable"
    readme = archive.read("README.txt").decode()
    assert "ai/calorie_estimates.json" in readme and "analytics/reports.json" in readme
    assert any(name.startswith("media/") for name in names)  # the avatar and the food photo


async def test_one_erasure_leaves_no_row_and_no_object_of_the_user_anywhere(
    person: Person, core_app: FastAPI, settings: AnalyticsSettings, database_url: str,
) -> None:
    async with asgi(core_app) as core:
        await export_zip(core, person.headers)  # an export zip and its parts are the user's objects too
        assert objects_naming(settings.s3_endpoint_url, person.user_id)
        erased = await core.request("DELETE", f"{CORE}/me", headers=person.headers, json={"confirm": "DELETE"})
        assert erased.status_code == 202

    left: list[list[str]] = [[]]

    async def erased_everywhere() -> bool:
        rows = await rows_of(database_url, person.user_id)
        left[0] = [f"{s}.{t}: {len(r)}" for (s, t), r in rows.items() if r and (s, t) not in KEPT]
        return not left[0]

    try:
        await poll_until(erased_everywhere, timeout=60, interval=0.2)
    except AssertionError as exc:
        raise AssertionError(f"rows still naming the user: {left[0]}") from exc
    await poll_until(lambda: not objects_naming(settings.s3_endpoint_url, person.user_id), timeout=30)
    for service in PARTICIPANTS:
        await poll_until(lambda service=service: _audit_has(database_url, person.user_id, service), timeout=30)
    audit = await _audit(database_url, person.user_id)
    assert {("export.part_received", service) for service in PARTICIPANTS} <= set(audit)
    # What stays in the kept tables names no person.
    kept = await rows_of(database_url, person.user_id)
    assert all(row["email"] is None and row["ip"] is None and row["user_agent"] is None
               for row in kept[("auth", "audit_log")])


async def _audit(database_url: str, user_id: uuid.UUID) -> list[tuple[str, str | None]]:
    conn = await _connect(database_url)
    try:
        rows = await conn.fetch("select action, detail from core.audit_log where user_id = $1 order by id", user_id)
    finally:
        await conn.close()
    return [(r["action"], json.loads(r["detail"]).get("service") if r["detail"] else None) for r in rows]


async def _audit_has(database_url: str, user_id: uuid.UUID, service: str) -> bool:
    return ("erasure.completed", service) in await _audit(database_url, user_id)
