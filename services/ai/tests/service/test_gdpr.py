"""ai's part of the one export and erasure: `user.export_requested` is answered with every table ai keeps
about the user and the insights cached for them; `user.deleted` erases all of it (nobody else's), reports
`user.erasure_completed`, and neither a replay nor a late event of the erased account writes anything back."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis.asyncio as aioredis
from ai_conftest import WaitFor, asgi_client, start_app
from ai_helpers import Wire, every_kind_of_event, mirrored_rows, workout_event
from fake_openai import FakeOpenAI, serve_fake_openai
from sqlalchemy import func, select

from fitjourney_ai.db import ProcessedEvent
from fitjourney_ai.models import USER_TABLES
from fitjourney_ai.readmodel.models import WorkoutEntry
from fitjourney_ai.settings import AiSettings
from fitjourney_common.events.envelope import new_event
from fitjourney_common.security import mark_account_erased

TABLES = {table.__tablename__ for table in USER_TABLES}


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    yield from serve_fake_openai()


async def _filled(app: Any, wire: Wire, wait_for: WaitFor, user_id: uuid.UUID) -> None:
    await wire.publish(every_kind_of_event(user_id))  # type: ignore[attr-defined]
    for table in USER_TABLES:
        await wait_for(lambda table=table: mirrored_rows(app, table, user_id, 1), timeout=30)


async def _cache_an_insight(settings: AiSettings, fake_openai: FakeOpenAI, headers: Any) -> dict[str, Any]:
    """An insight written by the (fake) OpenAI API, which ai caches for the user."""
    configured = settings.model_copy(update={"openai_api_key": "sk-test", "openai_base_url": fake_openai.base_url,
                                             "openai_max_retries": 0, "run_event_worker": False})
    async for app in start_app(configured):
        async with asgi_client(app) as client:
            insight: dict[str, Any] = (await client.get("/api/v1/ai/insights?period=week", headers=headers)).json()
    assert insight["source"] == "openai"
    return insight


async def _cached_keys(settings: AiSettings, user_id: uuid.UUID) -> list[bytes]:
    client = aioredis.Redis.from_url(settings.redis_url)
    try:
        return [key async for key in client.scan_iter(match=f"ai:insights:{user_id}:*")]
    finally:
        await client.aclose()


async def test_export_part_holds_every_ai_table_and_the_cached_insights(
    app: Any, wire: Wire, wait_for: WaitFor, settings: AiSettings, fake_openai: FakeOpenAI, make_headers: Any,
) -> None:
    headers, other = make_headers(None), make_headers(None)
    for user in (headers, other):
        await _filled(app, wire, wait_for, user.user_id)
    insight = await _cache_an_insight(settings, fake_openai, headers)
    export_id = uuid.uuid4()
    await wire.publish([new_event("user.export_requested", {  # type: ignore[attr-defined]
        "export_id": export_id, "user_id": headers.user_id}, headers.user_id)])

    [part] = await wait_for(lambda: wire.of("user.export_part_ready", export_id=export_id), timeout=30)
    tables = part.data["tables"]
    assert part.data["service"] == "ai" and set(tables) == TABLES | {"insights"}
    for name in TABLES:
        assert len(tables[name]) == 1, name
        assert "user_id" not in tables[name][0]  # the owner is the export's user: not repeated in every row
    assert tables["profiles"][0]["sex"] == "female" and tables["food_entries"][0]["kcal"] == 300
    assert tables["calorie_estimates"][0]["gross_kcal"] > 0
    assert tables["photo_recognitions"][0]["status"] == "unavailable"
    assert [i["summary"] for i in tables["insights"]] == [insight["summary"]]
    assert str(other.user_id) not in str(tables)


async def test_user_deleted_erases_everything_of_that_user_once(
    app: Any, wire: Wire, wait_for: WaitFor, settings: AiSettings, fake_openai: FakeOpenAI, make_headers: Any,
) -> None:
    gone, kept = make_headers(None), make_headers(None)
    for user in (gone, kept):
        await _filled(app, wire, wait_for, user.user_id)
        await _cache_an_insight(settings, fake_openai, user)
    # As core does on DELETE /me: the marker first, then the event.
    runtime = app.state.runtime
    await mark_account_erased(runtime.redis, gone.user_id)
    deleted = new_event("user.deleted", {"user_id": gone.user_id}, gone.user_id)
    await wire.publish([deleted])  # type: ignore[attr-defined]

    [done] = await wait_for(lambda: wire.of("user.erasure_completed", user_id=gone.user_id), timeout=30)
    assert done.data == {"user_id": str(gone.user_id), "service": "ai", "rows": len(USER_TABLES), "objects": 0}
    for table in USER_TABLES:
        assert await mirrored_rows(app, table, gone.user_id, 0), table.__tablename__
        assert await mirrored_rows(app, table, kept.user_id, 1), table.__tablename__
    assert await _cached_keys(settings, gone.user_id) == []
    assert len(await _cached_keys(settings, kept.user_id)) == 1

    # The same event again (a redelivery): skipped. A new user.deleted: nothing left, 0 rows reported.
    # A workout event that arrives late: recorded as handled, but nothing of the erased account comes back.
    late = workout_event(gone.user_id, uuid.uuid4())
    replay = new_event("user.deleted", {"user_id": gone.user_id}, gone.user_id)
    await wire.publish([deleted, late, replay])  # type: ignore[attr-defined]
    completions = await wait_for(lambda: len(wire.of("user.erasure_completed", user_id=gone.user_id)) == 2 and
                                 wire.of("user.erasure_completed", user_id=gone.user_id), timeout=30)
    assert [c.data["rows"] for c in completions] == [len(USER_TABLES), 0]
    await wait_for(lambda: _processed(app, late.id))
    assert await mirrored_rows(app, WorkoutEntry, gone.user_id, 0)
    assert not wire.of("workout.calories_estimated", user_id=gone.user_id, workout_id=late.data["workout_id"])


async def _processed(app: Any, event_id: uuid.UUID) -> bool:
    async with app.state.runtime.session_factory() as session:
        count = await session.scalar(select(func.count()).select_from(ProcessedEvent)
                                     .where(ProcessedEvent.event_id == event_id))
    return bool(count)
