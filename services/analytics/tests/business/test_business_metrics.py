"""Admin business metrics over two hand-made weeks (UTC): DAU/WAU/MAU, workouts, food logging, cohorts."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from analytics_helpers import CORE_DIR, SERVICE_DIR
from core_rows import CoreRows
from fastapi import FastAPI

from fitjourney_analytics.business.gauges import refresh_gauges
from fitjourney_analytics.business.repository import RegistrationRepository
from fitjourney_analytics.business.service import business_metrics
from fitjourney_common.db.engine import create_engine, create_session_factory
from fitjourney_common.db.migrations import upgrade_to_head
from fitjourney_common.events.envelope import new_event
from fitjourney_common.testing.polling import poll_until
from fitjourney_common.testing.tokens import TestSigner

METRICS = "/api/v1/analytics/business-metrics"


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2023, 1, day, hour, tzinfo=UTC)


async def fill_two_weeks(core_rows: CoreRows) -> list[tuple[uuid.UUID, datetime]]:
    """Core's rows of the two weeks; returns the sign-ups (user, when) for the caller to register."""
    a, b, c, d, e = (uuid.uuid4() for _ in range(5))
    # Activity (created_at is when the user wrote it): A food 2, 3, 10 Jan + workout 10 Jan; B food 2 Jan;
    # C nothing; D workout + weighing 15 Jan; E journal 15 Jan.
    for day in (2, 3, 10):
        await core_rows.food(a, at(day), 100, created_at=at(day))
    await core_rows.workout(a, at(10), 30, kcal=200, created_at=at(10))
    await core_rows.food(b, at(2), 100, created_at=at(2))
    await core_rows.workout(d, at(15), 20, kcal=100, created_at=at(15))
    await core_rows.body_metric(d, at(15), 70.0, created_at=at(15))
    await core_rows.journal(e, datetime(2023, 1, 15).date(), 3, 3, created_at=at(15))
    # Sign-ups: A, B, C on Mon 2 Jan (cohort 2023-01-02), D on Mon 9 Jan. E signed up earlier.
    return [(a, at(2)), (b, at(2, 13)), (c, at(2, 14)), (d, at(9))]


def check_two_weeks(body: dict[str, Any]) -> None:
    """The figures of `fill_two_weeks` from 2 to 15 January 2023, worked out by hand."""
    # DAU on the 15th: D, E. WAU (9-15 Jan): A, D, E. MAU (17 Dec - 15 Jan): A, B, D, E.
    assert {k: body["active_users"][k] for k in ("dau", "wau", "mau", "in_range")} == {
        "dau": 2, "wau": 3, "mau": 4, "in_range": 4}
    daily = {row["date"]: row["active"] for row in body["active_users"]["daily"]}
    assert len(daily) == 14 and daily["2023-01-02"] == 2 and daily["2023-01-03"] == 1 and daily["2023-01-04"] == 0
    assert daily["2023-01-10"] == 1 and daily["2023-01-15"] == 2
    # Workouts: 2 completed by 2 of the 4 active users.
    assert body["workouts"] == {"completed": 2, "users": 2, "completion_rate": 0.5}
    # Food: 4 logs by A and B; user-days A 3 + B 1 = 4, over 2 users and 2 weeks = 1.0 day per user-week.
    assert body["food_logging"] == {"logs": 4, "users": 2, "share_of_active": 0.5, "days_per_user_per_week": 1.0}
    assert body["new_users"]["daily"] == [{"date": "2023-01-02", "count": 3}, {"date": "2023-01-09", "count": 1}]
    # Cohort of 2 Jan (A, B, C): week 0 A and B active (2/3), week 1 A (1/3). Cohort of 9 Jan (D): week 0 1/1.
    assert body["retention"] == [
        {"cohort_week": "2023-01-02", "users": 3, "active_share_by_week": [pytest.approx(0.6667, abs=1e-4),
                                                                          pytest.approx(0.3333, abs=1e-4)]},
        {"cohort_week": "2023-01-09", "users": 1, "active_share_by_week": [1.0]},
    ]


async def test_business_metrics_of_two_weeks(
    app: FastAPI, client: httpx.AsyncClient, core_rows: CoreRows, signer: TestSigner, clock: Any,
) -> None:
    registrations = await fill_two_weeks(core_rows)
    await app.state.runtime.bus.publish([
        new_event("user.registered", {"user_id": str(user), "email": f"{user}@example.com", "display_name": "x"},
                  occurred_at=when) for user, when in registrations])
    admin = signer.headers(roles=("user", "admin"))
    params = {"from": "2023-01-02", "to": "2023-01-15"}

    async def registered() -> dict[str, Any] | None:
        body = (await client.get(METRICS, params=params, headers=admin)).json()
        return body if body["new_users"]["total"] == 4 else None

    check_two_weeks(await poll_until(registered))


async def test_dev_mode_business_metrics_match_postgres(tmp_path: Path) -> None:
    """SQLite (make dev) runs the figures as several queries instead of PostgreSQL's one statement."""
    database_url = f"sqlite+aiosqlite:///{tmp_path}/fitjourney.db"
    for service_dir in (CORE_DIR, SERVICE_DIR):
        await asyncio.to_thread(upgrade_to_head, service_dir, database_url)
    rows = CoreRows(database_url)
    try:
        registrations = await fill_two_weeks(rows)
    finally:
        await rows.close()
    core_engine, own_engine = create_engine(database_url, "core"), create_engine(database_url, "analytics")
    try:
        async with create_session_factory(own_engine)() as own:
            for user, when in registrations:
                await RegistrationRepository(own).add_if_missing(user, when)
            await own.commit()
        async with create_session_factory(core_engine)() as core, create_session_factory(own_engine)() as own:
            body = await business_metrics(core, own, date(2023, 1, 2), date(2023, 1, 15))
    finally:
        await core_engine.dispose()
        await own_engine.dispose()
    check_two_weeks(body)


async def test_only_admins_and_a_sane_range(client: httpx.AsyncClient, signer: TestSigner) -> None:
    assert (await client.get(METRICS, headers=signer.headers())).status_code == 403
    admin = signer.headers(roles=("admin",))
    response = await client.get(METRICS, params={"from": "2023-02-01", "to": "2023-01-01"}, headers=admin)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "to"


async def test_gauges_show_the_same_figures_on_metrics(app: FastAPI, client: httpx.AsyncClient) -> None:
    figures = await refresh_gauges(app.state.runtime.read_session_factory, app.state.runtime.session_factory)
    text = (await client.get("/metrics")).text
    assert f'fitjourney_active_users{{window="mau"}} {float(figures["active_users"]["mau"])}' in text
    assert "fitjourney_business_metrics_refreshed_timestamp_seconds" in text
