"""Outbox relay throughput: N events written to a PostgreSQL outbox, relayed to RabbitMQ with confirms.

    .venv/bin/python deploy/bench/bench_outbox_relay.py [--events 20000] [--batch-size 500] [--relays 1]
    .venv/bin/python deploy/bench/bench_outbox_relay.py --sparse 1000   # CPU per event, one event a batch
    .venv/bin/python deploy/bench/bench_outbox_relay.py --steady 1500 --rate 50   # as the stack runs it

`--sparse N` measures what a relay costs when events come one at a time (as in the stack benchmark, where each
commit wakes the relay for its own event): N rounds of one event written, then one `run_once`, timing this
process's CPU over the `run_once` calls only (the bus's confirms are handled inside them). Rounds alternate in
blocks of 50 between the relay's Session path (the one SQLite uses), its asyncpg path on a pooled connection per
batch (`run_once` alone, `flush`) and on its own connection (`run_forever`), so all are measured in the same
minutes on a busy machine.

`--steady N` runs the relay as a worker does (`run_forever` in a process of its own, woken by LISTEN/NOTIFY) while
this process commits N events one a transaction at `--rate` a second, and reports the relay process's CPU per
event over them (the wake-ups, the batches, the publishes), and that of a beam.smp on this machine if there is
one (RabbitMQ's: it counts every client of that broker).

Creates a throwaway database and uniquely named exchange and quorum queue (so every message is routed
and stored, as with a real subscriber), removes them afterwards, prints one JSON line and appends it
to deploy/bench/results/outbox_relay.jsonl.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import aio_pika
import psutil
from benchlib import create_database, drop_database, record
from sqlalchemy import text

from fitjourney_common.db.base import make_base
from fitjourney_common.db.engine import create_engine, create_session_factory
from fitjourney_common.events import OutboxMessageMixin, OutboxRelay, add_event, new_event
from fitjourney_common.events.rabbitmq import RabbitMQBus
from fitjourney_common.testing.events import workout_data

SCHEMA = "bench"
# mypy cannot subclass a base class returned by a function, hence Any.
Base: Any = make_base(SCHEMA)


class Outbox(OutboxMessageMixin, Base):
    pass


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=500, help="rows per relay transaction = confirms in flight")
    parser.add_argument("--relays", type=int, default=1, help="relays running side by side (SKIP LOCKED)")
    parser.add_argument("--amqp-url", default=os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    parser.add_argument("--sparse", type=int, default=0, help="rounds of one event then one run_once (CPU per event)")
    parser.add_argument("--steady", type=int, default=0, help="events one a transaction to a run_forever relay")
    parser.add_argument("--rate", type=float, default=50.0, help="--steady's events a second")
    parser.add_argument("--relay-process", nargs=2, metavar=("URL", "EXCHANGE"), help=argparse.SUPPRESS)
    parser.add_argument("--pg-admin-url",
                        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    return parser.parse_args()


async def write_events(sessions: Any, count: int) -> float:
    """Write `count` workout.created events the way services do (add_event in their transaction)."""
    started = time.perf_counter()
    per_transaction = 1000
    for offset in range(0, count, per_transaction):
        async with sessions() as session, session.begin():
            for _ in range(min(per_transaction, count - offset)):
                add_event(session, Outbox, new_event("workout.created", workout_data(
                    duration_min=42.5, distance_km=8.1, avg_heart_rate=151, started_at=datetime.now(UTC),
                    weight_kg=71.0)))
    return time.perf_counter() - started


async def relay_all(relays: list[OutboxRelay]) -> float:
    async def drain(relay: OutboxRelay) -> None:
        while await relay.run_once() > 0:
            continue

    started = time.perf_counter()
    await asyncio.gather(*(drain(relay) for relay in relays))
    return time.perf_counter() - started


async def sparse(rounds: int, sessions: Any, exchange: str, amqp_url: str, buses: list[RabbitMQBus],
                 channel: Any, queue: str) -> dict[str, Any]:
    bus = RabbitMQBus(amqp_url, exchange, service_name="bench")
    await bus.start()
    buses.append(bus)
    relay = OutboxRelay(sessions, Outbox, bus, service="bench")
    fast_path = relay._asyncpg_engine  # the bench switches paths to compare them
    paths = ("session", "asyncpg", "own")
    cpu = dict.fromkeys(paths, 0.0)
    counts = dict.fromkeys(paths, 0)
    warm_up = 50 * len(paths)  # the first block of each path warms up connections and statements
    for block in range((rounds + warm_up) // 50):
        path = paths[block % len(paths)]
        relay._asyncpg_engine = None if path == "session" else fast_path
        async with relay.own_connection() if path == "own" else contextlib.nullcontext():
            for _ in range(50):
                await write_events(sessions, 1)
                started = time.process_time()
                if await relay.run_once() != 1:
                    raise SystemExit("the relay did not publish the event")
                if block >= len(paths):
                    cpu[path] += time.process_time() - started
                    counts[path] += 1
    stored = (await channel.declare_queue(queue, passive=True)).declaration_result.message_count
    if stored != sum(counts.values()) + warm_up:
        raise SystemExit(f"lost events: {stored} in the queue of {sum(counts.values()) + warm_up}")
    return {"sparse_rounds": rounds, **{f"cpu_ms_per_event_{path}": round(1000 * cpu[path] / max(1, counts[path]), 3)
                                        for path in cpu},
            "load_average": [round(x, 2) for x in os.getloadavg()]}


async def relay_process(url: str, exchange: str, amqp_url: str) -> None:
    """`--steady`'s relay: run_forever until SIGTERM, as a service's worker runs it."""
    engine = create_engine(url, SCHEMA, pool_size=3)
    bus = RabbitMQBus(amqp_url, exchange, service_name="bench")
    await bus.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    try:
        await OutboxRelay(create_session_factory(engine), Outbox, bus, service="bench").run_forever(stop)
    finally:
        await bus.close()
        await engine.dispose()


def broker_process(amqp_url: str) -> psutil.Process | None:
    """The beam.smp on this machine that listens on the broker's port (fault tests start brokers of their own)."""
    port = urlsplit(amqp_url).port or 5672
    for process in psutil.process_iter(["name"]):
        if process.info["name"] != "beam.smp":
            continue
        with contextlib.suppress(psutil.Error):
            if any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in process.net_connections("tcp")):
                return process
    return None


def cpu_seconds(process: psutil.Process | None) -> float:
    if process is None:
        return 0.0
    times = process.cpu_times()
    return float(times.user + times.system)


async def steady(events: int, rate: float, url: str, exchange: str, amqp_url: str, sessions: Any, channel: Any,
                 queue: str) -> dict[str, Any]:
    relay = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--relay-process", url, exchange, "--amqp-url", amqp_url,
        stdout=asyncio.subprocess.PIPE)
    try:
        assert relay.stdout is not None
        if (await relay.stdout.readline()).strip() != b"ready":
            raise SystemExit("the relay process did not start")

        async def published() -> int:
            return int((await channel.declare_queue(queue, passive=True)).declaration_result.message_count)

        async def write_and_wait(count: int) -> float:
            loop = asyncio.get_running_loop()
            start, before = loop.time(), await published()
            for i in range(count):
                await write_events(sessions, 1)
                if (delay := start + (i + 1) / rate - loop.time()) > 0:
                    await asyncio.sleep(delay)
            while await published() < before + count:
                if loop.time() > start + count / rate + 60:
                    raise SystemExit(f"lost events: {await published() - before} of {count} in the queue")
                await asyncio.sleep(0.02)
            return loop.time() - start

        await write_and_wait(50)  # warm-up: connections, prepared statements, the LISTEN
        relay_process, broker = psutil.Process(relay.pid), broker_process(amqp_url)
        relay_cpu, broker_cpu = cpu_seconds(relay_process), cpu_seconds(broker)
        seconds = await write_and_wait(events)
        result = {"steady_events": events, "events_per_s": round(events / seconds, 1),
                  "relay_cpu_ms_per_event": round(1000 * (cpu_seconds(relay_process) - relay_cpu) / events, 3)}
        if broker is not None:
            result["broker_cpu_ms_per_event"] = round(1000 * (cpu_seconds(broker) - broker_cpu) / events, 3)
        return {**result, "load_average": [round(x, 2) for x in os.getloadavg()]}
    finally:
        relay.send_signal(signal.SIGTERM)
        await relay.wait()


async def main() -> dict[str, Any]:
    args = parse_args()
    if args.relay_process:
        await relay_process(*args.relay_process, args.amqp_url)
        return {}
    suffix = uuid.uuid4().hex[:10]
    exchange, queue = f"fj.bench.{suffix}.events", f"fj.bench.{suffix}.sink"
    database, url, pg_version = await create_database(args.pg_admin_url, "fj_bench")
    engine = create_engine(url, SCHEMA, pool_size=args.relays + 2)
    connection = await aio_pika.connect(args.amqp_url)
    buses: list[RabbitMQBus] = []
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
            await conn.run_sync(Base.metadata.create_all)
        sessions = create_session_factory(engine)
        channel = await connection.channel()
        sink = await channel.declare_queue(queue, durable=True, arguments={"x-queue-type": "quorum"})
        await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        await sink.bind(exchange, "#")
        rabbitmq_version = str(connection.transport.connection.server_properties.get("version", "?"))  # type: ignore[union-attr]

        if args.sparse:
            return await sparse(args.sparse, sessions, exchange, args.amqp_url, buses, channel, queue)
        if args.steady:
            return await steady(args.steady, args.rate, url, exchange, args.amqp_url, sessions, channel, queue)
        write_seconds = await write_events(sessions, args.events)
        relays = []
        for _ in range(args.relays):
            bus = RabbitMQBus(args.amqp_url, exchange, service_name="bench")
            await bus.start()
            buses.append(bus)
            relays.append(OutboxRelay(sessions, Outbox, bus, batch_size=args.batch_size, service="bench"))
        relay_seconds = await relay_all(relays)

        published = sum(relay.published_total for relay in relays)
        stored = (await channel.declare_queue(queue, passive=True)).declaration_result.message_count
        if published != args.events or stored != args.events or await relays[0].pending_count():
            raise SystemExit(f"lost events: published={published} in_queue={stored} of {args.events}")
        return {
            "events": args.events,
            "batch_size": args.batch_size,
            "relays": args.relays,
            "relay_seconds": round(relay_seconds, 3),
            "msg_per_s": round(args.events / relay_seconds),
            "outbox_write_msg_per_s": round(args.events / write_seconds),
            "queue": "quorum, durable, persistent messages, publisher confirms",
            "postgres": pg_version,
            "rabbitmq": rabbitmq_version,
        }
    finally:
        for bus in buses:
            await bus.close()
        async with connection.channel() as channel:
            await channel.queue_delete(queue)
        async with connection.channel() as channel:
            await channel.exchange_delete(exchange)
        await connection.close()
        await engine.dispose()
        await drop_database(args.pg_admin_url, database)


if __name__ == "__main__":
    outcome = asyncio.run(main())
    if outcome:  # not the relay process of --steady
        record("outbox_relay", outcome)
