"""Analytics latencies: the yearly dashboard of a user with two years of daily logs, cold and warm, and the
business metrics over 10,000 users, through the ASGI app on PostgreSQL and Redis; and the week dashboard (what
the stack bench's people open) through a uvicorn process of the API, with its CPU time per request.

    .venv/bin/python deploy/bench/bench_analytics.py [--cold 30] [--warm 300] [--users 10000] [--week 300]
    .venv/bin/python deploy/bench/bench_analytics.py --week-only   # the week dashboard rows alone (A/B runs)

Creates a throwaway PostgreSQL database migrated by core's and analytics' Alembic scripts; analytics runs
as it does in production (its own non-owner role, core read through the read-only role). Seeds with COPY:
one user with two years of days (6 food logs, 1 weighing, 1 workout, 3 habit check-ins, 1 journal entry a
day: about 10,000 rows plus habits and profile), and 10,000 other users with 30 days of activity
(food logs, workouts every third day) and their sign-ups. "Cold" = the cache generation is bumped before
each request (what the first request after a write costs); "warm" = served from Redis. Redis db from
BENCH_REDIS_URL (default redis://127.0.0.1:6379/10, flushed before and after). Prints one JSON line and
appends it to deploy/bench/results/analytics.jsonl.

The week dashboard runs against `uvicorn --factory fitjourney_analytics.main:create_app` (one process, access log
off, as the stack runs it) started by this script: `--week` uncached requests (generation bumped before each, from
this script, so the bump is not the API's CPU), then as many cached ones, one after another. The figure is the
API process's CPU time (user + system, psutil) over the requests / requests, which other jobs on a busy machine
disturb far less than latency; the p50 is the client's. `api_memory_mib`: the API process' resident memory once it
answers (`started`), after the rows (`end`) and at its peak (`VmHWM`), from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
import redis.asyncio as aioredis
from asgi_lifespan import LifespanManager
from benchlib import record, summary_ms
from sqlalchemy.engine import make_url

from fitjourney_analytics.dashboard.cache import DashboardCache
from fitjourney_analytics.main import create_app
from fitjourney_analytics.reader_role import READER_ROLE, ensure_reader_role
from fitjourney_analytics.settings import AnalyticsSettings
from fitjourney_common.testing.ports import free_port
from fitjourney_common.testing.postgres import create_app_role, migrate, temporary_database
from fitjourney_common.testing.tokens import TestSigner

ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1/analytics"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", type=int, default=30, help="uncached yearly dashboards")
    parser.add_argument("--warm", type=int, default=300, help="cached yearly dashboards")
    parser.add_argument("--business", type=int, default=10, help="business-metrics requests")
    parser.add_argument("--users", type=int, default=10_000, help="users of the business metrics")
    parser.add_argument("--week", type=int, default=300, help="week dashboards through uvicorn, uncached and cached "
                        "(each)")
    parser.add_argument("--week-only", action="store_true", help="only the week dashboard rows (no yearly "
                        "dashboard, trend or business metrics, no population seeded)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"))
    return parser.parse_args()


async def seed_heavy_user(conn: asyncpg.Connection, user_id: uuid.UUID, today: date) -> int:
    """Two years of daily logs for one user in Europe/Berlin; returns the number of rows."""
    rng = random.Random(7)  # noqa: S311 - reproducible fixture data, not secrets
    await conn.execute(
        "INSERT INTO core.profiles (user_id, time_zone, birth_date, sex, height_cm, activity_level, goal, "
        "weekly_rate_kg, units) VALUES ($1, 'Europe/Berlin', '1988-05-04', 'male', 181, 'moderate', 'lose', 0.5, "
        "'metric')", user_id)
    habits = [uuid.uuid4() for _ in range(3)]
    start = datetime.combine(today - timedelta(days=729), datetime.min.time(), tzinfo=UTC)
    for habit_id, name, schedule in zip(habits, ("Stretch", "Walk", "Read"), ("daily", "daily", "mon,wed,fri"),
                                        strict=True):
        await conn.execute("INSERT INTO core.habits (id, user_id, name, schedule, target_count, created_at) "
                           "VALUES ($1, $2, $3, $4, 1, $5)", habit_id, user_id, name, schedule, start)
    food, weights, workouts, check_ins, journal = [], [], [], [], []
    for offset in range(730):
        day = start + timedelta(days=offset)
        for meal_hour in (7, 10, 12, 15, 18, 20):
            food.append((uuid.uuid4(), user_id, day + timedelta(hours=meal_hour, minutes=rng.randint(0, 59)),
                         "Bench food", 150.0, "lunch", rng.uniform(150, 700), rng.uniform(5, 40),
                         rng.uniform(10, 80), rng.uniform(2, 30), 0.0, "manual", day))
        weights.append((uuid.uuid4(), user_id, day + timedelta(hours=6), 92 - offset * 0.01 + rng.gauss(0, 0.4),
                        22 - offset * 0.003, day))
        workouts.append((uuid.uuid4(), user_id, rng.choice(("running", "cycling", "yoga")),
                         day + timedelta(hours=17), float(rng.randint(20, 75)), "[]", rng.uniform(150, 700),
                         "estimated", day))
        for habit_id in habits:
            check_ins.append((uuid.uuid4(), user_id, habit_id, day.date(), 1, day))
        journal.append((uuid.uuid4(), user_id, day.date(), rng.randint(1, 5), rng.randint(1, 5), b"\x00", "[]", day))
    await conn.copy_records_to_table("food_logs", schema_name="core", records=food, columns=[
        "id", "user_id", "eaten_at", "food_name", "grams", "meal", "kcal", "protein_g", "carbs_g", "fat_g",
        "fibre_g", "source", "created_at"])
    await conn.copy_records_to_table("body_metrics", schema_name="core", records=weights, columns=[
        "id", "user_id", "measured_at", "weight_kg", "body_fat_pct", "created_at"])
    await conn.copy_records_to_table("workouts", schema_name="core", records=workouts, columns=[
        "id", "user_id", "activity", "started_at", "duration_min", "exercises", "calories_burned",
        "calories_status", "created_at"])
    await conn.copy_records_to_table("habit_check_ins", schema_name="core", records=check_ins, columns=[
        "id", "user_id", "habit_id", "date", "count", "created_at"])
    await conn.copy_records_to_table("journal_entries", schema_name="core", records=journal, columns=[
        "id", "user_id", "date", "mood", "energy", "text_encrypted", "tags", "created_at"])
    return len(food) + len(weights) + len(workouts) + len(check_ins) + len(journal) + len(habits) + 1


async def seed_population(conn: asyncpg.Connection, users: int, today: date) -> int:
    """`users` accounts signed up over 8 weeks, active on random days of the last 30."""
    rng = random.Random(11)  # noqa: S311 - reproducible fixture data, not secrets
    food, workouts, registrations = [], [], []
    for _ in range(users):
        user_id = uuid.uuid4()
        registrations.append((user_id, datetime.combine(today - timedelta(days=rng.randint(0, 55)),
                                                        datetime.min.time(), tzinfo=UTC)))
        for offset in rng.sample(range(30), rng.randint(1, 12)):
            moment = datetime.combine(today - timedelta(days=offset), datetime.min.time(), tzinfo=UTC) + timedelta(
                hours=rng.randint(6, 21))
            food.append((uuid.uuid4(), user_id, moment, "Bench food", 100.0, "lunch", 400.0, 20.0, 40.0, 10.0,
                         0.0, "manual", moment))
            if offset % 3 == 0:
                workouts.append((uuid.uuid4(), user_id, "running", moment, 30.0, "[]", 300.0, "estimated", moment))
    await conn.copy_records_to_table("food_logs", schema_name="core", records=food, columns=[
        "id", "user_id", "eaten_at", "food_name", "grams", "meal", "kcal", "protein_g", "carbs_g", "fat_g",
        "fibre_g", "source", "created_at"])
    await conn.copy_records_to_table("workouts", schema_name="core", records=workouts, columns=[
        "id", "user_id", "activity", "started_at", "duration_min", "exercises", "calories_burned",
        "calories_status", "created_at"])
    await conn.copy_records_to_table("registrations", schema_name="analytics", records=registrations,
                                     columns=["user_id", "registered_at"])
    await conn.execute("ANALYZE")
    return len(food) + len(workouts)


async def timed(client: httpx.AsyncClient, path: str, params: dict[str, str], headers: dict[str, str],
                before: Any = None) -> float:
    if before is not None:
        await before()
    started = time.perf_counter()
    response = await client.get(path, params=params, headers=headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed


def memory_mib(pid: int, field: str) -> float:
    """A process' `VmRSS` (resident now) or `VmHWM` (its peak) in MiB, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


async def week_dashboard(env: dict[str, str], headers: dict[str, str], redis: aioredis.Redis, user_id: uuid.UUID,
                         requests: int) -> dict[str, Any]:
    """The week dashboard through a uvicorn process of the API: uncached (generation bumped before each request),
    then cached; per row the client's latencies and the API process's CPU ms per request."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", "--factory", "fitjourney_analytics.main:create_app", "--host", "127.0.0.1",
        "--port", str(port), "--no-server-header", "--no-access-log", "--log-level", "warning",
        env={**os.environ, **env})
    cache = DashboardCache(redis, 600)

    async def bump() -> None:
        await cache.invalidate(user_id)

    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(600):
                if process.returncode is not None:
                    raise RuntimeError(f"the API exited with {process.returncode}")
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            api = psutil.Process(process.pid)
            started_mib = memory_mib(process.pid, "VmRSS")

            def cpu_seconds() -> float:
                times = api.cpu_times()
                return times.user + times.system

            week = {"period": "week"}
            for _ in range(20):  # first contact: pools, imports, the token's verification
                await timed(client, f"{API}/dashboard", week, headers, bump)
            result: dict[str, Any] = {}
            for name, before in (("dashboard_week_cold", bump), ("dashboard_week_warm", None)):
                await timed(client, f"{API}/dashboard", week, headers, before)  # a warm cache for the warm row
                started = cpu_seconds()
                samples = [await timed(client, f"{API}/dashboard", week, headers, before) for _ in range(requests)]
                result[name] = {**summary_ms(samples),
                                "api_cpu_ms_per_request": round((cpu_seconds() - started) * 1000 / requests, 3)}
            result["api_memory_mib"] = {"started": started_mib, "end": memory_mib(process.pid, "VmRSS"),
                                        "peak": memory_mib(process.pid, "VmHWM")}
            return result
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)


async def main() -> None:
    args = parse_args()
    logging.disable(logging.WARNING)
    today = datetime.now(UTC).date()
    redis = aioredis.Redis.from_url(args.redis_url)
    await redis.flushdb()
    try:
        async with temporary_database("fj_analytics_bench") as owner_url:
            await migrate(ROOT / "services" / "core", owner_url)
            await migrate(ROOT / "services" / "analytics", owner_url)
            await ensure_reader_role(owner_url)
            app_url = await create_app_role(owner_url, "fitjourney_analytics_bench", "analytics")
            conn = await asyncpg.connect(owner_url.replace("postgresql+asyncpg://", "postgresql://"))
            heavy = uuid.uuid4()
            try:
                heavy_rows = await seed_heavy_user(conn, heavy, today)
                population_rows = 0 if args.week_only else await seed_population(conn, args.users, today)
                if args.week_only:
                    await conn.execute("ANALYZE")
            finally:
                await conn.close()
            results: dict[str, Any] = {"heavy_user_rows": heavy_rows}
            with tempfile.TemporaryDirectory() as workdir:
                signer = TestSigner(Path(workdir) / "keys")
                read_url = make_url(owner_url).set(username=READER_ROLE).render_as_string(hide_password=False)
                settings = AnalyticsSettings(
                    environment="test", database_url=app_url, read_database_url=read_url,
                    redis_url=args.redis_url, broker_url="memory://", object_store_url=f"file://{workdir}/objects",
                    jwks_url=signer.jwks_url, run_event_worker=False, rate_limit_api="1000000/minute",
                    log_json=False, log_level="WARNING")
                user = signer.headers(heavy)
                if not args.week_only:
                    results.update(await in_process(settings, args, heavy, user, signer.headers(roles=("admin",)),
                                                    today))
                    results.update({"population_users": args.users, "population_rows": population_rows})
                if args.week:
                    results.update(await week_dashboard({
                        "ENVIRONMENT": "test", "DATABASE_URL": app_url, "READ_DATABASE_URL": read_url,
                        "REDIS_URL": args.redis_url, "BROKER_URL": "memory://",
                        "OBJECT_STORE_URL": f"file://{workdir}/objects", "JWKS_URL": signer.jwks_url,
                        "RUN_EVENT_WORKER": "false", "RATE_LIMIT_API": "1000000/minute", "LOG_JSON": "true",
                        "LOG_LEVEL": "WARNING"}, user, redis, heavy, args.week))
        record("analytics", {**results, "note": "2 cores shared with other jobs; PostgreSQL on the same machine"})
    finally:
        await redis.flushdb()
        await redis.aclose()


async def in_process(settings: AnalyticsSettings, args: argparse.Namespace, heavy: uuid.UUID, user: dict[str, str],
                     admin: dict[str, str], today: date) -> dict[str, Any]:
    """The yearly dashboard (cold, warm), the weight trend and the business metrics through the ASGI app."""
    app = create_app(settings)
    async with LifespanManager(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        year = {"period": "year"}
        cache = app.state.runtime.dashboard_cache

        async def bump() -> None:
            await cache.invalidate(heavy)

        await timed(client, f"{API}/dashboard", year, user, bump)  # first contact: pools, imports
        cold = [await timed(client, f"{API}/dashboard", year, user, bump) for _ in range(args.cold)]
        warm = [await timed(client, f"{API}/dashboard", year, user) for _ in range(args.warm)]
        trend = [await timed(client, f"{API}/trends", {"metric": "weight", "period": "year"}, user, bump)
                 for _ in range(args.cold)]
        window = {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}
        business = [await timed(client, f"{API}/business-metrics", window, admin) for _ in range(args.business)]
    return {"dashboard_year_cold": summary_ms(cold), "dashboard_year_warm": summary_ms(warm),
            "trend_weight_year_cold": summary_ms(trend), "business_metrics_30d": summary_ms(business)}


if __name__ == "__main__":
    asyncio.run(main())
