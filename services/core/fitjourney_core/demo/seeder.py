"""Writes drawn histories for many users: one transaction per user, bound to that user (RLS applies),
the catalogue resolved once. `seed_histories` is what `fitjourney-core seed-demo` and the benchmarks call."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fitjourney_common.db.engine import bind_user
from fitjourney_core.demo import repository
from fitjourney_core.demo.history import CatalogueFood, History, draw_history
from fitjourney_core.demo.plan import FOODS, TIME_ZONES, FoodChoice
from fitjourney_core.journal.crypto import JournalCipher
from fitjourney_core.profile.service import PROFILES
from fitjourney_core.writes.service import lifecycle_event


@dataclass
class SeedResult:
    seeded: list[uuid.UUID] = field(default_factory=list)
    skipped: list[uuid.UUID] = field(default_factory=list)  # they already had a diary
    rows: Counter[str] = field(default_factory=Counter)


async def resolve_foods(session: AsyncSession) -> dict[str, tuple[FoodChoice, CatalogueFood]]:
    """The plan's foods as the catalogue has them; a food the catalogue lacks is left out of the plan."""
    found: dict[str, tuple[FoodChoice, CatalogueFood]] = {}
    for choice in FOODS:
        food = await repository.catalogue_food(session, choice.names, choice.prefix)
        if food is not None:
            found[choice.key] = (choice, CatalogueFood(
                id=food.id, name=food.name, kcal_per_100g=food.kcal_per_100g, protein_g=food.protein_g,
                carbs_g=food.carbs_g, fat_g=food.fat_g, fibre_g=food.fibre_g or 0.0, portions=list(food.portions)))
    return found


async def seed_histories(
    session_factory: async_sessionmaker[AsyncSession],
    user_ids: Sequence[uuid.UUID],
    *,
    days: int,
    cipher: JournalCipher,
    now: datetime | None = None,
    seed: int = 0,
    time_zone: str | None = None,
    display_names: dict[uuid.UUID, str] | None = None,
    concurrency: int = 1,
    emit_events: bool = True,
) -> SeedResult:
    """`days` days of history for each user (a user who already logged food or workouts is skipped).

    Users get time zones from a small list unless `time_zone` is given; `concurrency` transactions run
    at once (PostgreSQL takes several; SQLite writes one at a time anyway). With `emit_events`, each row's
    `<resource>.created` goes to the outbox as a real write's would (workouts marked as already estimated),
    so services keeping read models (ai) learn the history too.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    now = now or datetime.now(UTC)
    async with session_factory() as session, session.begin():
        foods = await resolve_foods(session)
    result = SeedResult()
    gate = asyncio.Semaphore(max(1, concurrency))

    async def seed_one(index: int, user_id: uuid.UUID) -> None:
        async with gate:
            # Drawn inside the gate: only `concurrency` histories are held in memory at once.
            rng = random.Random(f"{seed}:{user_id}")  # noqa: S311 (made-up data, not secrets)
            history = draw_history(
                user_id, days=days, now=now, time_zone=time_zone or TIME_ZONES[index % len(TIME_ZONES)],
                foods=foods, cipher=cipher, rng=rng, display_name=(display_names or {}).get(user_id))
            await write_history(history)

    async def write_history(history: History) -> None:
        user_id = history.user_id
        async with session_factory() as session, session.begin():
            await bind_user(session, user_id)
            if await repository.has_history(session, user_id):
                result.skipped.append(user_id)
                return
            current = await repository.get_profile(session, user_id)
            before = PROFILES.snapshot(current) if current is not None else None
            profile = await repository.write_profile(session, history.profile, current)
            for table in repository.TABLES:
                await repository.insert_rows(session, table, history.rows.get(table, []))
                result.rows[table] += history.count(table)
            await repository.insert_changes(session, user_id, history.changes)
            if emit_events:
                events = [lifecycle_event(PROFILES, "created" if before is None else "updated",
                                          SimpleNamespace(**profile), dates=[], before=before)]
                for item in sorted(history.lifecycle, key=lambda item: item.row["created_at"]):
                    events.append(lifecycle_event(item.kind, "created", SimpleNamespace(**item.row),
                                                  dates=item.dates, extra=item.extra))
                await repository.insert_outbox(session, events)
                result.rows["events"] += len(events)
        result.seeded.append(user_id)

    await asyncio.gather(*(seed_one(index, user_id) for index, user_id in enumerate(user_ids)))
    return result
