"""Outbox relay throughput: N events written to a PostgreSQL outbox, relayed to RabbitMQ with confirms.

    .venv/bin/python deploy/bench/bench_outbox_relay.py [--events 20000] [--batch-size 500] [--relays 1]
    .venv/bin/python deploy/bench/bench_outbox_relay.py --sparse 1000   # CPU per event, one event a batch

`--sparse N` measures what a relay costs when events come one at a time (as in the stack benchmark, where each
commit wakes the relay for its own event): N rounds of one event written, then one `run_once`, timing this
process's CPU over the `run_once` calls only (the bus's confirms are handled inside them). Rounds alternate in
blocks of 50 between the relay's Session path (the one SQLite uses), its asyncpg path on a pooled connection per
batch (`run_once` alone, `flush`) and on its own connection (`run_forever`), so all are measured in the same
minutes on a busy machine.

Creates a throwaway database and uniquely named exchange and quorum queue (so every message is routed
and stored, as with a real subscriber), removes them afterwards, prints one JSON line and appends it
to deploy/bench/results/outbox_relay.jsonl.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import aio_pika
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


async def main() -> dict[str, Any]:
    args = parse_args()
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
    record("outbox_relay", asyncio.run(main()))
