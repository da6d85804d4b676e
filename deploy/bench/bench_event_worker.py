"""CPU per event of ai's worker process: N `workout.created` events in, N `workout.calories_estimated` out.

    .venv/bin/python deploy/bench/bench_event_worker.py [--events 600] [--rate 40] [--redis-url redis://...]

Runs `python -m fitjourney_ai.worker` as deployed (its consumers and its outbox relay in one process) on a
throwaway database migrated by ai's own scripts and used through a non-owner role (row-level security
applies), the machine's RabbitMQ under an exchange and queue prefix of the run (deleted afterwards) and the
given Redis. Each event is a workout of its own user, who has a profile and a weighing mirrored beforehand,
so every one takes the whole path: inbox claim, read-model upsert, estimate, outbox, relay with confirms.
Events go out at `--rate` per second (as sparse as in the stack benchmark, where each tends to be a batch of
its own). The figure is the worker's user + system CPU time from the first event sent to the last answer
received, divided by the events, and its CPU per second while idle afterwards (relay polls). Prints one JSON
line and appends it to deploy/bench/results/event_worker.jsonl.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aio_pika
import psutil
from benchlib import record

from fitjourney_common.events.envelope import EventEnvelope, new_event
from fitjourney_common.events.rabbitmq import RabbitMQBus
from fitjourney_common.testing.postgres import connected, create_app_role, migrate, temporary_database
from fitjourney_common.testing.rabbitmq import delete_broker_objects, listening

ROOT = Path(__file__).resolve().parents[2]
PROFILED_WORKER = """
import cProfile, runpy, sys, time
profiler = cProfile.Profile(time.process_time)
try:
    profiler.runcall(runpy.run_module, "fitjourney_ai.worker", run_name="__main__")
finally:
    profiler.dump_stats(sys.argv[1])
"""
AI_DIR = ROOT / "services" / "ai"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=600)
    parser.add_argument("--rate", type=float, default=40.0, help="workout events sent per second")
    parser.add_argument("--idle-seconds", type=float, default=10.0, help="idle CPU measured over this long")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--amqp-url", default=os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    parser.add_argument("--profile", type=Path, help="run the worker under cProfile (CPU-time clock), stats here")
    parser.add_argument("--note", default="")
    return parser.parse_args()


def user_events(user_id: uuid.UUID) -> list[EventEnvelope]:
    """The profile and a weighing core would have sent before the user's workout."""
    profile = new_event("profile.created", {"user_id": user_id, "version": 1, "after": {
        "birth_date": "1990-05-01", "sex": "female", "height_cm": 168, "activity_level": "moderate",
        "goal": "maintain", "units": "metric", "time_zone": "UTC"}}, user_id)
    weighed = dt.datetime(2026, 11, 29, 7, tzinfo=dt.UTC)
    weight = new_event("body_metric.created", {
        "metric_id": uuid.uuid4(), "user_id": user_id, "version": 1, "dates": [weighed.date()],
        "after": {"measured_at": weighed, "weight_kg": 64.5}}, user_id)
    return [profile, weight]


def workout_event(user_id: uuid.UUID) -> EventEnvelope:
    started = dt.datetime(2026, 11, 30, 7, tzinfo=dt.UTC)
    state = {"started_at": started, "activity": "running", "duration_min": 42.5, "distance_km": 8.1}
    return new_event("workout.created", {
        "workout_id": uuid.uuid4(), "user_id": user_id, "version": 1, "dates": [started.date()], **state,
        "avg_heart_rate": None, "weight_kg": None, "estimate_revision": 1, "after": state}, user_id)


async def wait_until(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.2)


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


async def main() -> dict[str, Any]:
    args = parse_args()
    tag = uuid.uuid4().hex[:10]
    exchange, prefix = f"fj.bench.{tag}", f"bench-{tag}."
    async with temporary_database("fj_bench_worker") as owner_url:
        await migrate(AI_DIR, owner_url)
        app_url = await create_app_role(owner_url, "fitjourney_ai_app", "ai")
        env = {**os.environ, "ENVIRONMENT": "test", "DATABASE_URL": app_url, "REDIS_URL": args.redis_url,
               "BROKER_URL": args.amqp_url, "EVENTS_EXCHANGE": exchange, "EVENTS_QUEUE_PREFIX": prefix,
               "LOG_LEVEL": "WARNING", "LOG_JSON": "true", "FOOD_MODEL_URI": f"file://{tempfile.mkdtemp()}",
               "OBJECT_STORE_URL": f"file://{tempfile.mkdtemp()}", "JWKS_URL": "file:///dev/null"}
        command = ["-m", "fitjourney_ai.worker"]
        if args.profile:  # process_time: blocked and preempted time (busy machine) is not counted
            command = ["-c", PROFILED_WORKER, str(args.profile)]
        worker = await asyncio.create_subprocess_exec(sys.executable, *command, env=env, cwd=ROOT)
        bus = RabbitMQBus(args.amqp_url, exchange, service_name="bench")
        answers: set[str] = set()
        try:
            await wait_until(lambda: listening(f"{prefix}ai.events", args.amqp_url), 120, "the worker's queue")
            connection = await aio_pika.connect(args.amqp_url)
            channel = await connection.channel()
            sink = await channel.declare_queue("", exclusive=True, auto_delete=True)
            await sink.bind(await channel.get_exchange(exchange), routing_key="workout.calories_estimated")

            async def on_answer(message: aio_pika.abc.AbstractIncomingMessage) -> None:
                async with message.process():
                    answers.add(json.loads(message.body)["data"]["workout_id"])

            await sink.consume(on_answer)
            await bus.start()
            users = [uuid.uuid4() for _ in range(args.events)]
            await bus.publish([event for user in users for event in user_events(user)])

            async def mirrored() -> bool:
                async with connected(owner_url) as db:
                    return int(await db.fetchval("select count(*) from ai.body_weights")) == len(users)

            await wait_until(mirrored, 300, "the users' weighings mirrored")
            await asyncio.sleep(2)  # the relay's and the pool's start-up work is over
            process = psutil.Process(worker.pid)
            print(f"sending {len(users)} workouts at {args.rate}/s to worker {worker.pid}", file=sys.stderr, flush=True)
            before, started = cpu_seconds(process), time.perf_counter()
            for index, user in enumerate(users):
                await bus.publish([workout_event(user)])
                await asyncio.sleep(max(0.0, started + (index + 1) / args.rate - time.perf_counter()))

            async def answered() -> bool:
                return len(answers) >= len(users)

            await wait_until(answered, 300, "every workout's calories")
            busy_cpu, busy_wall = cpu_seconds(process) - before, time.perf_counter() - started
            idle_before = cpu_seconds(process)
            await asyncio.sleep(args.idle_seconds)
            idle_cpu = cpu_seconds(process) - idle_before
            await connection.close()
        finally:
            await bus.close()
            worker.terminate()
            await asyncio.wait_for(worker.wait(), 60)
            queues = [f"{prefix}ai.events", f"{prefix}ai.photos"]
            await delete_broker_objects([*queues, *(f"{q}.dlq" for q in queues)], [exchange, f"{exchange}.dlx"],
                                        args.amqp_url, prefix=prefix)
    result = {
        "events": args.events, "rate_per_s": args.rate, "seconds": round(busy_wall, 2),
        "worker_cpu_ms_per_event": round(1000 * busy_cpu / args.events, 3),
        "worker_cpu_pct_idle": round(100 * idle_cpu / args.idle_seconds, 2),
        "load_average": [round(x, 2) for x in os.getloadavg()], "note": args.note,
    }
    record("event_worker", result)
    return result


if __name__ == "__main__":
    asyncio.run(main())
