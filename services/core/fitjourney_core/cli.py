"""Operator commands of the core service: `seed-demo` (realistic history for existing accounts).

    fitjourney-core seed-demo --user-id <auth account id> [--user-id …] [--days 60]
    fitjourney-core seed-demo --random-users 1000 --days 90 --concurrency 4   # benchmark data, no accounts
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Sequence

from fitjourney_common.db.engine import create_engine, create_session_factory
from fitjourney_core.db import SCHEMA
from fitjourney_core.demo.seeder import SeedResult, seed_histories
from fitjourney_core.journal.crypto import JournalCipher
from fitjourney_core.settings import CoreSettings


async def seed(
    settings: CoreSettings, user_ids: Sequence[uuid.UUID], days: int, *, concurrency: int = 1, seed_value: int = 0,
    time_zone: str | None = None, display_names: dict[uuid.UUID, str] | None = None, emit_events: bool = True,
) -> SeedResult:
    """Seed against the service's own database (`DATABASE_URL`), with its journal key."""
    engine = create_engine(settings.database_url, SCHEMA, pool_size=max(1, concurrency))
    try:
        return await seed_histories(
            create_session_factory(engine), user_ids, days=days, concurrency=concurrency, seed=seed_value,
            cipher=JournalCipher(settings.journal_key_ring, current_key_id=settings.journal_key_id),
            time_zone=time_zone, display_names=display_names, emit_events=emit_events)
    finally:
        await engine.dispose()


def describe(result: SeedResult, days: int) -> str:
    rows = ", ".join(f"{count} {table.replace('_', ' ')}" for table, count in sorted(result.rows.items()))
    text = f"seeded {len(result.seeded)} user(s) with {days} days: {rows or 'nothing'}"
    if result.skipped:
        text += f"; skipped {len(result.skipped)} that already have a diary"
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fitjourney-core", description="FitJourney core operator commands "
                                     "(configured by the same environment variables as the service)")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("seed-demo", help="write realistic history (workouts, meals, weight, habits, "
                               "journal) for accounts; accounts that already have a diary are left alone")
    who = demo.add_mutually_exclusive_group(required=True)
    who.add_argument("--user-id", type=uuid.UUID, action="append", help="an auth account id (repeatable)")
    who.add_argument("--random-users", type=int, help="this many new random user ids (benchmark data)")
    demo.add_argument("--days", type=int, default=60)
    demo.add_argument("--concurrency", type=int, default=1, help="transactions at once (PostgreSQL)")
    demo.add_argument("--seed", type=int, default=0, help="the same seed draws the same history")
    demo.add_argument("--time-zone", default=None, help="every user's time zone (default: a mix)")
    demo.add_argument("--no-events", action="store_true", help="write no <resource>.created events (faster; "
                      "services that keep read models from events then do not see the history)")
    return parser


def main(argv: Sequence[str] | None = None, settings: CoreSettings | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = settings or CoreSettings()
    if args.days < 1 or args.days > 3660:
        print("error: --days must be between 1 and 3660", file=sys.stderr)
        return 2
    user_ids = args.user_id or [uuid.uuid4() for _ in range(args.random_users)]
    result = asyncio.run(seed(settings, user_ids, args.days, concurrency=args.concurrency, seed_value=args.seed,
                              time_zone=args.time_zone, emit_events=not args.no_events))
    print(describe(result, args.days))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
