"""The typed runtime: declared backends only; dev backends, and database roles row-level security would not
bind, refused outside dev/test."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from fitjourney_common.db.role_check import PrivilegedDatabaseRole
from fitjourney_common.runtime import (
    BackendNeeds,
    BackendNotDeclared,
    DevBackendRefused,
    dev_backends_in_use,
    open_runtime,
)
from fitjourney_common.settings import CommonSettings
from fitjourney_common.testing.postgres import create_app_role, temporary_database

REAL = {
    "database_url": "postgresql+asyncpg://postgres@127.0.0.1:5432/fitjourney",
    "redis_url": "redis://127.0.0.1:6379/0",  # opened lazily: nothing is sent to it here
    "broker_url": "amqp://guest:guest@127.0.0.1:5672/",
    "object_store_url": "s3://fitjourney",
    "object_url_secret": "set-by-ops",
}
EVERYTHING = BackendNeeds(schema="probe", object_store=True, read_only_database=True)


@pytest.mark.parametrize(("field", "value", "variable"), [
    ("database_url", "sqlite+aiosqlite:///.data/x.db", "DATABASE_URL"),
    ("redis_url", "memory://", "REDIS_URL"),
    ("broker_url", "memory://", "BROKER_URL"),
    ("object_store_url", "file://.data/objects", "OBJECT_STORE_URL"),
    ("read_database_url", "sqlite+aiosqlite:///.data/replica.db", "READ_DATABASE_URL"),
])
@pytest.mark.parametrize("environment", ["staging", "production"])
async def test_a_dev_backend_outside_dev_refuses_to_start_naming_the_variable(
    field: str, value: str, variable: str, environment: str,
) -> None:
    settings = CommonSettings(environment=environment, **{**REAL, field: value})
    with pytest.raises(DevBackendRefused, match=rf"^{variable}=.*ALLOW_DEV_BACKENDS"):
        async with open_runtime(settings, EVERYTHING):
            pytest.fail("the runtime opened on a dev backend")


async def test_allow_dev_backends_lets_a_demo_run_them_outside_dev(tmp_path: Path) -> None:
    settings = CommonSettings(environment="production", allow_dev_backends=True, object_url_secret="set-by-ops",
                              database_url=f"sqlite+aiosqlite:///{tmp_path}/demo.db",
                              object_store_url=f"file://{tmp_path}/objects")
    async with open_runtime(settings, BackendNeeds(schema="probe", object_store=True)) as runtime:
        assert await runtime.database_ready() and await runtime.store_ready()


async def test_an_undeclared_backend_is_neither_opened_nor_checked(tmp_path: Path) -> None:
    # An object store it does not declare may stay on its dev default, even in production.
    settings = CommonSettings(environment="production", **{**REAL, "object_store_url": "file://unused"})
    needs = BackendNeeds(schema="probe")
    assert dev_backends_in_use(settings, needs) == {}
    dev = CommonSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/dev.db")
    async with open_runtime(dev, needs) as runtime:
        assert set(runtime.readiness_checks()) == {"database", "redis", "broker"}
        with pytest.raises(BackendNotDeclared, match="object store"):
            _ = runtime.store
        with pytest.raises(BackendNotDeclared, match="read-only database"):
            _ = runtime.read_session_factory


async def test_a_declared_read_only_database_is_opened_and_checked(tmp_path: Path) -> None:
    dev = CommonSettings(database_url=f"sqlite+aiosqlite:///{tmp_path}/own.db",
                         read_database_url=f"sqlite+aiosqlite:///{tmp_path}/replica.db")
    async with open_runtime(dev, BackendNeeds(schema="probe", read_only_database=True)) as runtime:
        assert "read_database" in runtime.readiness_checks()
        assert await runtime.read_database_ready()
        assert str(runtime.read_session_factory.kw["bind"].url).endswith("replica.db")


async def _probe_roles(url: str) -> tuple[str, str]:
    """A role that owns schema `probe` and its table, and a plain role with DML on it: their URLs."""
    suffix = uuid.uuid4().hex[:6]
    owner, runtime = f"fj_probe_owner_{suffix}", f"fj_probe_app_{suffix}"
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(f'CREATE ROLE "{owner}" LOGIN NOSUPERUSER NOBYPASSRLS')
        await conn.execute(f'CREATE SCHEMA probe AUTHORIZATION "{owner}"')
        await conn.execute(f'CREATE TABLE probe.things (id int); ALTER TABLE probe.things OWNER TO "{owner}"')
    finally:
        await conn.close()
    owner_url = make_url(url).set(username=owner).render_as_string(hide_password=False)
    return owner_url, await create_app_role(url, runtime, "probe")


@pytest.mark.parametrize("who", ["superuser", "owner"])
async def test_outside_dev_a_database_role_that_rls_would_not_bind_refuses_to_start(who: str) -> None:
    async with temporary_database("fj_rolecheck") as url:
        owner_url, runtime_url = await _probe_roles(url)
        database_url = url if who == "superuser" else owner_url
        settings = CommonSettings(environment="production", **{**REAL, "database_url": database_url})
        with pytest.raises(PrivilegedDatabaseRole, match=r"^DATABASE_URL connects as .*row-level security"):
            async with open_runtime(settings, BackendNeeds(schema="probe")):
                pytest.fail("the runtime opened as a role row-level security does not bind")
        runtime_settings = CommonSettings(environment="production", **{**REAL, "database_url": runtime_url})
        async with open_runtime(runtime_settings, BackendNeeds(schema="probe")) as runtime:
            assert runtime.database_role_checked and await runtime.database_ready()
    admin = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)[0])
    try:  # roles are the server's, not the dropped database's
        for role_url in (owner_url, runtime_url):
            await admin.execute(f'DROP ROLE IF EXISTS "{make_url(role_url).username}"')
    finally:
        await admin.close()
