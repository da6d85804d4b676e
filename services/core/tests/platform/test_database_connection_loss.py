"""Database connections lost under the service (a restart, a failover, `pg_terminate_backend`) on the real
PostgreSQL: a pooled connection the server closed is replaced unseen; one lost in the middle of a request
is a 503 problem+json with Retry-After, nothing half-written, and the same request sent again succeeds."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from core_conftest import start_app
from core_helpers import rows_of_user, workout_body
from fastapi import FastAPI
from sqlalchemy import event, text
from sqlalchemy.util import await_

from fitjourney_common.testing.apps import asgi_client
from fitjourney_common.testing.polling import poll_until
from fitjourney_core.settings import CoreSettings

POOL_SIZE = 2


@pytest.fixture
async def own_app(settings: CoreSettings) -> AsyncIterator[FastAPI]:
    """An app with a pool of its own, so killing its connections touches no other test's."""
    own = settings.model_copy(update={"db_pool_size": POOL_SIZE, "run_event_worker": False})
    async for running in start_app(own, wait_for_broker=False):
        yield running


async def _pooled_connections(app: FastAPI) -> dict[int, Any]:
    """Backend pid → driver connection, of every connection in the app's pool (all checked out at once)."""
    engine = app.state.runtime.engine
    async with engine.connect() as first, engine.connect() as second:
        found = {}
        for connection in (first, second):
            pid = (await connection.execute(text("select pg_backend_pid()"))).scalar_one()
            found[pid] = (await connection.get_raw_connection()).driver_connection
        return found


async def _terminate(database_url: str, pids: list[int]) -> None:
    admin = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await admin.execute("select pg_terminate_backend(pid) from unnest($1::int[]) as pid", pids)
    finally:
        await admin.close()


async def test_connections_the_server_closed_are_replaced_without_an_error(
    own_app: FastAPI, database_url: str, auth_headers: Any,
) -> None:
    before = await _pooled_connections(own_app)
    await _terminate(database_url, list(before))
    # The server's goodbye reaches the pooled connections as their sockets close.
    await poll_until(lambda: all(driver.is_closed() for driver in before.values()))

    async with asgi_client(own_app) as client:
        listed = await client.get("/api/v1/workouts", headers=auth_headers)
        created = await client.post("/api/v1/workouts", json=workout_body(), headers=auth_headers)

    assert listed.status_code == 200, listed.text
    assert created.status_code == 201, created.text
    assert not set(await _pooled_connections(own_app)) & set(before)  # fresh backends serve now


async def test_a_connection_lost_mid_request_is_a_503_that_leaves_nothing_and_the_retry_succeeds(
    own_app: FastAPI, database_url: str, auth_headers: Any,
) -> None:
    killed: list[int] = []

    def kill_backend_before_the_insert(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if killed or "INSERT INTO CORE.WORKOUTS" not in statement.upper():  # alone or in a WITH
            return
        driver = conn.connection.driver_connection
        killed.append(driver.get_server_pid())
        await_(_terminate(database_url, killed))
        await_(poll_until(driver.is_closed))

    engine = own_app.state.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", kill_backend_before_the_insert)
    body = workout_body(id=str(uuid.uuid4()))
    try:
        async with asgi_client(own_app) as client:
            lost = await client.post("/api/v1/workouts", json=body, headers=auth_headers)
            assert killed, "the insert never ran"
            assert lost.status_code == 503, lost.text
            assert lost.headers["content-type"] == "application/problem+json"
            assert lost.headers["retry-after"] == "1"
            assert lost.json()["type"].endswith("/unavailable")
            assert await rows_of_user(own_app, "workouts", auth_headers.user_id) == 0
            assert await rows_of_user(own_app, "changes", auth_headers.user_id) == 0

            retried = await client.post("/api/v1/workouts", json=body, headers=auth_headers)
            again = await client.post("/api/v1/workouts", json=body, headers=auth_headers)
    finally:
        event.remove(engine, "before_cursor_execute", kill_backend_before_the_insert)

    assert retried.status_code == 201, retried.text
    assert again.status_code == 200  # the client id makes the create idempotent: still one workout
    assert await rows_of_user(own_app, "workouts", auth_headers.user_id) == 1
    async with own_app.state.runtime.session_factory() as session:
        events = (await session.execute(text(
            "select count(*) from core.outbox where type = 'workout.created' "
            "and payload -> 'data' ->> 'workout_id' = :id"), {"id": body["id"]})).scalar_one()
    assert events == 1


async def test_no_free_pooled_connection_in_time_is_a_503(settings: CoreSettings, auth_headers: Any) -> None:
    own = settings.model_copy(update={"db_pool_size": 1, "db_pool_timeout_seconds": 0.2, "run_event_worker": False})
    async for app in start_app(own, wait_for_broker=False):
        async with app.state.runtime.engine.connect() as held:  # the only connection, taken
            await held.execute(text("select 1"))
            async with asgi_client(app) as client:
                busy = await client.get("/api/v1/workouts", headers=auth_headers)
        assert busy.status_code == 503, busy.text
        assert busy.headers["retry-after"] == "1"
        async with asgi_client(app) as client:
            assert (await client.get("/api/v1/workouts", headers=auth_headers)).status_code == 200
