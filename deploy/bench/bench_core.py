"""Core service latencies and throughput as clients see them: requests through the ASGI app on real backends.

    .venv/bin/python deploy/bench/bench_core.py [--requests 200] [--cached 500] [--clients 8] [--seconds 10]

Creates a throwaway PostgreSQL database migrated by core's Alembic scripts and used through a non-owner
role (so row-level security applies, as in production), Redis db 9 (flushed before and after), a uniquely
named RabbitMQ exchange and queues (deleted afterwards) and a local object folder in a temporary directory.
Seeds one user through the API (profile with targets, 30 days of 4 food logs + 1 workout with its calorie
estimate + 1 weighing, 3 habits with check-ins), then times single requests one after another and a mix
from concurrent clients. Prints one JSON line and appends it to deploy/bench/results/core.jsonl.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aio_pika
import asyncpg
import httpx
import redis.asyncio as aioredis
from asgi_lifespan import LifespanManager
from benchlib import record, summary_ms
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt
from prometheus_client import REGISTRY

from fitjourney_common.events import new_event
from fitjourney_common.testing.postgres import ADMIN_URL, create_app_role, migrate, temporary_database
from fitjourney_common.testing.rabbitmq import delete_broker_objects as delete_objects
from fitjourney_core.main import create_app
from fitjourney_core.settings import CoreSettings

CORE_DIR = Path(__file__).resolve().parents[2] / "services" / "core"
APP_ROLE = "fitjourney_core_bench"
KID = "core-bench-key"
TIME_ZONE = "Europe/Berlin"
API = "/api/v1"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per measured endpoint")
    parser.add_argument("--cached", type=int, default=500, help="sequential cached summary requests")
    parser.add_argument("--days", type=int, default=30, help="days of seeded history")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients of the mixed run")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration bound of the mixed run")
    parser.add_argument("--max-mixed", type=int, default=20_000, help="request-count bound of the mixed run")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"))
    parser.add_argument("--amqp-url", default=os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    return parser.parse_args()


def summary_cache_lookups() -> dict[str, float]:
    """Core's summary-cache look-ups so far in this process, by outcome (the app's Prometheus counter)."""
    return {result: REGISTRY.get_sample_value("cache_requests_total",
                                              {"service": "core", "cache": "summary", "result": result}) or 0.0
            for result in ("hit", "miss")}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --- tokens (as services/core/tests/conftest.py signs them) ----------------------------------------

def write_jwks(directory: Path) -> tuple[str, Path]:
    """A fresh RSA key: the private PEM, and a JWKS file with the public key for JWKS_URL=file://…"""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    public_jwk = jwk.construct(public_pem, "RS256").to_dict()
    public_jwk.update({"kid": KID, "use": "sig", "alg": "RS256"})
    public_jwk = {k: v.decode() if isinstance(v, bytes) else v for k, v in public_jwk.items()}
    path = directory / "jwks.json"
    path.write_text(json.dumps({"keys": [public_jwk]}))
    return private_pem, path


def make_token(private_pem: str, settings: CoreSettings, user_id: uuid.UUID, expires_in: int = 3600) -> str:
    now = int(time.time())
    claims = {
        "sub": str(user_id), "iss": settings.jwt_issuer, "aud": settings.jwt_audience, "iat": now,
        "exp": now + expires_in, "jti": uuid.uuid4().hex, "roles": ["user"], "typ": "access",
    }
    return str(jwt.encode(claims, private_pem, algorithm="RS256", headers={"kid": KID}))


# --- seeding, through the API like a client -------------------------------------------------------

async def check(response: Awaitable[httpx.Response], *expected: int) -> httpx.Response:
    answer = await response
    if answer.status_code not in (expected or (200,)):
        raise SystemExit(f"{answer.request.method} {answer.request.url} -> {answer.status_code}: {answer.text[:300]}")
    return answer


async def find_food(http: httpx.AsyncClient, query: str) -> dict[str, Any]:
    """The catalogue food named `query` exactly (any case), else the first match of the search."""
    items = (await check(http.get(f"{API}/foods", params={"q": query, "limit": 50}))).json()["items"]
    if not items:
        raise SystemExit(f"catalogue has no food matching {query!r}")
    return dict(next((item for item in items if item["name"].lower() == query.lower()), items[0]))


async def seed(http: httpx.AsyncClient, user_id: uuid.UUID, days: int, amqp_url: str, exchange: str,
               owner_url: str) -> dict[str, Any]:
    """Profile with targets, `days` past days of meals, workouts and weighings, 3 habits with check-ins."""
    profile = await check(http.get(f"{API}/profile"))
    await check(http.put(f"{API}/profile", headers={"If-Match": profile.headers["ETag"]}, json={
        "display_name": "Bench", "birth_date": "1990-05-14", "sex": "male", "height_cm": 180,
        "activity_level": "moderate", "goal": "lose", "target_weight_kg": 75, "weekly_rate_kg": 0.5,
        "units": "metric", "time_zone": TIME_ZONE,
    }))
    oatmeal, chicken, salmon, banana, water = [await find_food(http, q) for q in (
        "oatmeal porridge", "chicken breast roasted", "salmon atlantic cooked", "banana", "water")]
    zone = ZoneInfo(TIME_ZONE)
    today = datetime.now(zone).date()
    seeded_days = [today - timedelta(days=offset) for offset in range(1, days + 1)]
    activities = ("running_10kmh", "cycling_moderate", "walking_brisk", "swimming")

    def at(day: date, hour: int, minute: int = 0) -> str:
        return iso(datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone))

    async def one_day(index: int, day: date) -> tuple[str, int]:
        logs = [
            {"food_id": oatmeal["id"], "portion": "cup", "quantity": 1, "meal": "breakfast",
             "eaten_at": at(day, 7, 30)},
            {"food_id": chicken["id"], "grams": 150 + index % 5 * 10, "meal": "lunch", "eaten_at": at(day, 12, 45)},
            {"food_id": banana["id"], "portion": "medium", "meal": "snack", "eaten_at": at(day, 16)},
            {"food_id": salmon["id"], "portion": "0.5 fillet", "meal": "dinner", "eaten_at": at(day, 19, 30)},
        ]
        if index % 3 == 0:
            logs.append({"food_id": water["id"], "portion": "bottle", "meal": "snack", "eaten_at": at(day, 10)})
        requests = [check(http.post(f"{API}/food-logs", json=body), 201) for body in logs]
        requests.append(check(http.post(f"{API}/body-metrics", json={
            "measured_at": at(day, 7), "weight_kg": round(80 - (days - index) * 0.05, 2),
            **({"body_fat_pct": 21.5, "waist_cm": 88} if index % 7 == 0 else {})}), 201))
        workout = check(http.post(f"{API}/workouts", json={
            "activity": activities[index % len(activities)], "started_at": at(day, 18),
            "duration_min": 30 + index % 4 * 10,
            "distance_km": 6.5, "avg_heart_rate": 145, "perceived_effort": 6, "notes": "evening session"}), 201)
        answers = await asyncio.gather(workout, *requests)
        return str(answers[0].json()["id"]), len(logs)

    workout_ids: list[str] = []
    food_logs = 0
    numbered = list(enumerate(seeded_days))
    for chunk in range(0, len(numbered), 4):  # a few days at a time: some concurrency, bounded
        for workout_id, logged in await asyncio.gather(*(one_day(i, day) for i, day in numbered[chunk:chunk + 4])):
            workout_ids.append(workout_id)
            food_logs += logged

    habits = []
    for name, schedule in (("Drink 2 l of water", "daily"), ("Stretch 10 min", "daily"),
                           ("Gym", ["mon", "wed", "fri"])):
        habits.append((await check(http.post(f"{API}/habits", json={"name": name, "schedule": schedule}), 201)).json())
    # A habit counts in the summaries of days after its creation only: these were created before the history
    # (the API has no way to say so, hence the owner's UPDATE).
    owner = await asyncpg.connect(owner_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await owner.execute("update core.habits set created_at = created_at - make_interval(days => $1)", days + 1)
    finally:
        await owner.close()
    check_ins = 0
    weekdays = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    for index, day in enumerate(seeded_days):
        todo = [h for n, h in enumerate(habits)
                if (index + n) % 5 != 0 and (h["schedule"] == "daily" or weekdays[day.weekday()] in h["schedule"])]
        await asyncio.gather(*(check(http.post(f"{API}/habits/{h['id']}/check-ins",
                                               json={"date": day.isoformat()}), 201) for h in todo))
        check_ins += len(todo)

    # The calorie estimates analytics would send back: published like its relay does, consumed by core.
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        declared = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        for workout_id in workout_ids:
            envelope = new_event("workout.calories_estimated", {
                "workout_id": workout_id, "user_id": user_id, "calories_burned": 320.0, "method": "met"})
            await declared.publish(aio_pika.Message(
                envelope.to_json(), content_type="application/json", message_id=str(envelope.id),
                type=envelope.type, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=envelope.type)
    finally:
        await connection.close()
    deadline = time.monotonic() + 30
    while True:
        items = (await check(http.get(f"{API}/workouts", params={"limit": 50}))).json()["items"]
        if all(item["calories_status"] == "estimated" for item in items):
            break
        if time.monotonic() > deadline:
            raise SystemExit("calorie estimates were not applied within 30 s")
        await asyncio.sleep(0.1)

    # Sanity: a seeded day adds up (food logged, one estimated workout, habits, targets from the profile).
    sample = (await check(http.get(f"{API}/summary/daily", params={"date": seeded_days[3].isoformat()}))).json()
    if not (sample["kcal_in"] > 0 and sample["workouts"] == 1 and sample["exercise_kcal_net"] > 0
            and sample["kcal_target"] and sample["habits_scheduled"] >= 2):
        raise SystemExit(f"seeded day does not look right: {sample}")
    return {"days": days, "food_logs": food_logs, "workouts": len(workout_ids),
            "body_metrics": days, "habits": len(habits), "check_ins": check_ins,
            "seeded_dates": [day.isoformat() for day in seeded_days]}


# --- measurements ---------------------------------------------------------------------------------

async def timed(call: Callable[[], Awaitable[httpx.Response]], expected: int = 200) -> float:
    started = time.perf_counter()
    answer = await call()
    elapsed = time.perf_counter() - started
    if answer.status_code != expected:
        raise SystemExit(f"{answer.request.method} {answer.request.url} -> {answer.status_code}: {answer.text[:300]}")
    return elapsed


async def sequential(http: httpx.AsyncClient, redis: aioredis.Redis, args: argparse.Namespace,
                     user_id: uuid.UUID, dates: list[str], chicken_id: str) -> dict[str, Any]:
    def summary(day: str) -> Callable[[], Awaitable[httpx.Response]]:
        return lambda: http.get(f"{API}/summary/daily", params={"date": day})

    def log_body() -> dict[str, Any]:
        return {"food_id": chicken_id, "grams": 150, "meal": "lunch",
                "eaten_at": iso(datetime.now(UTC) - timedelta(minutes=5))}

    calls: dict[str, Callable[[], Awaitable[httpx.Response]]] = {
        "foods_search": lambda: http.get(f"{API}/foods", params={"q": "chicken"}),
        "workouts_list": lambda: http.get(f"{API}/workouts", params={"limit": 50}),
    }
    for call in (*calls.values(), summary(dates[0])):  # warm-up: pool connections, prepared statements
        for _ in range(5):
            await timed(call)
    for _ in range(5):
        await timed(lambda: http.post(f"{API}/food-logs", json=log_body()), 201)

    results: dict[str, Any] = {}
    # Uncached: the day's cache key is dropped before every call, so each one computes from PostgreSQL
    # (and caches the result, as a real miss does). Cycles over the seeded days.
    samples = []
    before = summary_cache_lookups()
    for index in range(args.requests):
        day = dates[index % len(dates)]
        await redis.delete(f"summary:daily:{user_id}:{day}")
        samples.append(await timed(summary(day)))
    if summary_cache_lookups()["miss"] - before["miss"] != args.requests:
        raise SystemExit("uncached summaries were served from the cache")
    results["summary_uncached"] = summary_ms(samples, one_client=True)

    await timed(summary(dates[0]))
    before = summary_cache_lookups()
    results["summary_cached"] = summary_ms([await timed(summary(dates[0])) for _ in range(args.cached)],
                                           one_client=True)
    if summary_cache_lookups()["hit"] - before["hit"] != args.cached:
        raise SystemExit("cached summaries were not all cache hits")
    for name, call in calls.items():
        results[name] = summary_ms([await timed(call) for _ in range(args.requests)], one_client=True)
    results["food_log_create"] = summary_ms(
        [await timed(lambda: http.post(f"{API}/food-logs", json=log_body()), 201) for _ in range(args.requests)],
        one_client=True)
    return results


async def mixed(http: httpx.AsyncClient, args: argparse.Namespace, dates: list[str], chicken_id: str) -> dict[str, Any]:
    """`clients` clients, each sending its next request as soon as the previous answered, until the time or
    the request count runs out. Summaries of seeded days are mostly cached, except where a write dropped them."""
    today = datetime.now(ZoneInfo(TIME_ZONE)).date().isoformat()
    mix: list[tuple[str, int, Callable[[random.Random], Awaitable[httpx.Response]]]] = [
        ("summary_daily", 40, lambda rnd: http.get(f"{API}/summary/daily",
                                                   params={"date": rnd.choice([today, *dates[:6]])})),
        ("foods_search", 20, lambda rnd: http.get(f"{API}/foods", params={
            "q": rnd.choice(["chicken", "rice", "yogurt", "apple", "salmon"])})),
        ("workouts_list", 20, lambda rnd: http.get(f"{API}/workouts", params={"limit": 50})),
        ("food_log_create", 20, lambda rnd: http.post(f"{API}/food-logs", json={
            "food_id": chicken_id, "grams": rnd.randint(80, 250), "meal": "dinner",
            "eaten_at": iso(datetime.now(UTC) - timedelta(minutes=rnd.randint(1, 120)))})),
    ]
    names = [name for name, _, _ in mix]
    weights = [weight for _, weight, _ in mix]
    expected = {"food_log_create": 201}
    latencies: dict[str, list[float]] = {name: [] for name in names}
    errors: list[str] = []
    budget = [args.max_mixed]
    deadline = time.perf_counter() + args.seconds

    async def client(seed: int) -> None:
        rnd = random.Random(seed)  # noqa: S311 (a reproducible request mix, not a secret)
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            index = rnd.choices(range(len(mix)), weights)[0]
            name, _, call = mix[index]
            started = time.perf_counter()
            answer = await call(rnd)
            latencies[name].append(time.perf_counter() - started)
            if answer.status_code != expected.get(name, 200):
                errors.append(f"{name}: {answer.status_code} {answer.text[:200]}")

    lookups_before = summary_cache_lookups()
    started = time.perf_counter()
    await asyncio.gather(*(client(seed) for seed in range(args.clients)))
    elapsed = time.perf_counter() - started
    lookups = {result: count - lookups_before[result] for result, count in summary_cache_lookups().items()}
    total = sum(len(samples) for samples in latencies.values())
    if errors:
        raise SystemExit(f"{len(errors)} failed requests in the mixed run, first: {errors[0]}")
    return {
        "clients": args.clients, "seconds": round(elapsed, 2), "requests": total,
        "requests_per_s": round(total / elapsed, 1),
        "mix_percent": dict(zip(names, weights, strict=True)),
        "summary_cache_hit_ratio": round(lookups["hit"] / max(1.0, lookups["hit"] + lookups["miss"]), 3),
        "all": summary_ms([s for samples in latencies.values() for s in samples]),
        **{name: summary_ms(samples) for name, samples in latencies.items() if len(samples) >= 2},
    }


# --- the run --------------------------------------------------------------------------------------

async def delete_broker_objects(amqp_url: str, settings: CoreSettings) -> str:
    """Queues and exchanges are durable: remove this run's queue, dead-letter queue and exchanges.
    Returns the broker's version."""
    connection = await aio_pika.connect(amqp_url)
    try:
        version = str(connection.transport.connection.server_properties.get("version", "?"))  # type: ignore[union-attr]
    finally:
        await connection.close()
    await delete_objects([], [settings.events_exchange, f"{settings.events_exchange}.dlx"], amqp_url,
                         prefix=settings.events_queue_prefix)
    return version


async def drop_role() -> None:
    """Best effort: the role survives its dropped database; it stays if another database still grants it."""
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'DROP ROLE IF EXISTS "{APP_ROLE}"')
    except asyncpg.PostgresError:
        pass
    finally:
        await admin.close()


async def run(args: argparse.Namespace, workdir: Path, redis: aioredis.Redis) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:10]
    private_pem, jwks_path = write_jwks(workdir)
    async with temporary_database("fj_core_bench") as owner_url:
        await migrate(CORE_DIR, owner_url)
        app_url = await create_app_role(owner_url, APP_ROLE, "core")
        settings = CoreSettings(
            environment="test", database_url=app_url, db_pool_size=10, redis_url=args.redis_url,
            broker_url=args.amqp_url, events_exchange=f"fj.bench.{tag}", events_queue_prefix=f"bench-{tag}.",
            object_store_url=f"file://{workdir}/objects", jwks_url=f"file://{jwks_path}",
            rate_limit_api="10000000/minute", log_json=False, log_level="WARNING",
        )
        admin = await asyncpg.connect(ADMIN_URL)
        pg_version = await admin.fetchval("show server_version")
        await admin.close()
        user_id = uuid.uuid4()
        token = make_token(private_pem, settings, user_id)
        app = create_app(settings)
        try:
            async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60), httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://bench",
                    headers={"Authorization": f"Bearer {token}"}) as http:
                await asyncio.wait_for(app.state.runtime.worker.wait_connected(), 30)
                started = time.perf_counter()
                seeded = await seed(http, user_id, args.days, args.amqp_url, settings.events_exchange, owner_url)
                seed_seconds = time.perf_counter() - started
                dates = seeded.pop("seeded_dates")
                chicken_id = (await find_food(http, "chicken breast roasted"))["id"]
                single = await sequential(http, redis, args, user_id, dates, chicken_id)
                concurrent = await mixed(http, args, dates, chicken_id)
        finally:
            rabbitmq_version = await delete_broker_objects(args.amqp_url, settings)
    redis_version = (await redis.info("server")).get("redis_version", "?")
    return {
        "seeded": {**seeded, "seconds": round(seed_seconds, 1)},
        **single,
        "mixed": concurrent,
        "postgres": pg_version,
        "redis": redis_version,
        "rabbitmq": rabbitmq_version,
    }


async def main() -> dict[str, Any]:
    args = parse_args()
    logging.disable(logging.WARNING)
    redis = aioredis.Redis.from_url(args.redis_url)
    await redis.flushdb()
    try:
        with tempfile.TemporaryDirectory(prefix="fj-bench-core-") as workdir:
            results = await run(args, Path(workdir), redis)
    finally:
        await redis.flushdb()
        await redis.aclose()
        await drop_role()
    return {
        **results,
        "backends": "PostgreSQL (non-owner role, RLS), Redis, RabbitMQ, local object folder; ASGI in-process",
    }


if __name__ == "__main__":
    record("core", asyncio.run(main()))
