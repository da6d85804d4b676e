"""CPU per event of an idempotent consumer's transaction (inbox claim + one insert + commit) on PostgreSQL.

    .venv/bin/python deploy/bench/bench_inbox.py [--events 2000]

Runs `fitjourney_common.events.inbox.idempotent` in this process on a throwaway database (the RLS user bound, as
services do), a handler that inserts one row, and times this process's CPU per event. Events alternate in blocks
of 50 between the claim sent with BEGIN and the claim as a statement of its own, so both are measured in the same
minutes on a busy machine. Prints one JSON line and appends it to deploy/bench/results/inbox.jsonl.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from typing import Any

from benchlib import create_database, drop_database, record
from sqlalchemy import String, Uuid, insert, text
from sqlalchemy.orm import Mapped, mapped_column

from fitjourney_common.db.base import make_base
from fitjourney_common.db.engine import create_engine, create_session_factory
from fitjourney_common.events import ProcessedEventMixin, idempotent, inbox, new_event
from fitjourney_common.testing.events import workout_data

SCHEMA = "bench_inbox"
Base: Any = make_base(SCHEMA)


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class Copy(Base):
    __tablename__ = "copies"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    activity: Mapped[str] = mapped_column(String(50))


async def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--pg-admin-url",
                        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    database, url, _ = await create_database(args.pg_admin_url, "fj_bench_inbox")
    engine = create_engine(url, SCHEMA, pool_size=2)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
            await conn.run_sync(Base.metadata.create_all)
        statement = insert(Copy)

        async def copy(session: Any, envelope: Any) -> None:
            await session.execute(statement, {"id": uuid.UUID(envelope.data["workout_id"]),
                                              "activity": envelope.data["activity"]})

        handle = idempotent(create_session_factory(engine), ProcessedEvent, "bench", copy)
        with_begin = inbox._claim_with_begin  # the bench switches it off to compare
        cpu = {"with_begin": 0.0, "statement": 0.0}
        counts = {"with_begin": 0, "statement": 0}
        for index in range(args.events + 100):  # the first 100 (both ways) warm connections and statements
            way = "with_begin" if (index // 50) % 2 else "statement"

            async def no_begin(*_: Any) -> None:
                return None

            inbox._claim_with_begin = with_begin if way == "with_begin" else no_begin  # type: ignore[assignment]
            event = new_event("workout.created", workout_data())
            started = time.process_time()
            await handle(event)
            if index >= 100:
                cpu[way] += time.process_time() - started
                counts[way] += 1
        inbox._claim_with_begin = with_begin
        return {"events": args.events, **{f"cpu_ms_per_event_claim_{way}": round(1000 * cpu[way] / counts[way], 3)
                                          for way in cpu},
                "load_average": [round(x, 2) for x in os.getloadavg()]}
    finally:
        await engine.dispose()
        await drop_database(args.pg_admin_url, database)


if __name__ == "__main__":
    record("inbox", asyncio.run(main()))
