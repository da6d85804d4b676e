"""Food-log rules: amounts by grams or portion, nutrients computed once, day views with meal totals."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_common.db.pagination import ListParams
from fitjourney_common.errors import ValidationFailed
from fitjourney_common.events.contracts import FoodLogCreated, FoodLogDeleted, FoodLogState, FoodLogUpdated
from fitjourney_core.food_logs import repository
from fitjourney_core.food_logs.models import MEALS, FoodLog
from fitjourney_core.food_logs.nutrition import NUTRIENTS, Nutrients, per_100g, portion_grams, rescaled
from fitjourney_core.food_logs.schemas import (
    FoodLogCreate,
    FoodLogDay,
    FoodLogPage,
    FoodLogRead,
    FoodLogUpdate,
    Totals,
)
from fitjourney_core.foods.models import AnyFood
from fitjourney_core.foods.service import get_food, get_food_for_log
from fitjourney_core.local_time import day_bounds
from fitjourney_core.pagination import next_cursor
from fitjourney_core.portability import plain_exporter
from fitjourney_core.profile.service import user_time_zone
from fitjourney_core.shared import (
    check_if_match,
    existing_for_replay,
    flush_new_reading_zone,
    get_owned_or_404,
    tombstone,
)
from fitjourney_core.writes import service as writes
from fitjourney_core.writes.service import ResourceKind

FOOD_LOGS = ResourceKind(
    name="food_log", model=FoodLog, id_field="food_log_id", state=FoodLogState,
    events={"created": FoodLogCreated, "updated": FoodLogUpdated, "deleted": FoodLogDeleted},
    day_field="eaten_at",
)

FOOD_LOGS_EXPORT = plain_exporter("food_logs", FoodLog)


def to_read(log: FoodLog) -> FoodLogRead:
    return FoodLogRead.model_validate(log)


def _amount(
    portions: list[dict[str, Any]], grams: float | None, portion: str | None, quantity: float | None,
) -> float:
    """Grams from exactly one of `grams` / `portion` (times quantity); 422 naming the offending field."""
    if grams is not None and portion is not None:
        raise ValidationFailed("portion", "send either grams or portion, not both")
    if quantity is not None and portion is None:
        raise ValidationFailed("quantity", "only applies to a portion")
    if portion is not None:
        return portion_grams(portions, portion, quantity)
    if grams is None:
        raise ValidationFailed("grams", "send grams or a portion of the food")
    return grams


def _apply(log: FoodLog, nutrients: Nutrients) -> None:
    for name, value in nutrients.as_dict().items():
        setattr(log, name, value)


async def add_log(session: AsyncSession, log: FoodLog) -> FoodLogRead:
    """Insert a new log (409 if its id is taken) through the write path."""
    await flush_new_reading_zone(session, log)
    read = to_read(log)
    await writes.created(session, FOOD_LOGS, log, payload=read.model_dump(mode="json"))
    return read


async def create_food_log(
    session: AsyncSession, user_id: uuid.UUID, data: FoodLogCreate,
) -> tuple[FoodLogRead, bool]:
    """The log and whether it was created now (False: a replay of a create already applied)."""
    existing = await existing_for_replay(session, FoodLog, data.id, user_id)
    if existing is not None:
        return to_read(existing), False
    food = await get_food(session, user_id, data.food_id)
    grams = _amount(food.portions, data.grams, data.portion, data.quantity)
    log = FoodLog(
        id=data.id or uuid.uuid4(), user_id=user_id, food_id=food.id, food_name=food.name, grams=grams,
        portion=data.portion, quantity=data.quantity if data.portion else None, meal=data.meal,
        eaten_at=data.eaten_at, source="manual", version=1, **per_100g(food, grams).as_dict(),
    )
    return await add_log(session, log), True


async def get_food_log(session: AsyncSession, user_id: uuid.UUID, log_id: uuid.UUID) -> FoodLogRead:
    return to_read(await get_owned_or_404(session, FoodLog, log_id, user_id))


def _totals(logs: list[FoodLog]) -> Totals:
    return Totals(**{name: round(sum(getattr(log, name) for log in logs), 1) for name in NUTRIENTS})


async def food_log_day(session: AsyncSession, user_id: uuid.UUID, day: date) -> FoodLogDay:
    zone = await user_time_zone(session, user_id)
    start, end = day_bounds(day, zone)
    logs = list(await repository.list_between(session, user_id, start, end))
    by_meal: dict[str, list[FoodLog]] = defaultdict(list)
    for log in logs:
        by_meal[log.meal].append(log)
    return FoodLogDay(
        date=day, time_zone=zone.key, items=[to_read(log) for log in logs],
        totals_by_meal={meal: _totals(by_meal[meal]) for meal in MEALS},  # type: ignore[misc]
        totals=_totals(logs),
    )


async def list_food_logs(session: AsyncSession, user_id: uuid.UUID, params: ListParams) -> FoodLogPage:
    rows, cursor = next_cursor(list(await repository.list_page(session, user_id, params)), params.limit, "eaten_at")
    return FoodLogPage(items=[to_read(row) for row in rows], next_cursor=cursor)


async def _food_of(session: AsyncSession, user_id: uuid.UUID, log: FoodLog) -> AnyFood | None:
    """The food a log was made from, if it still exists (a custom food may have been deleted since)."""
    if log.food_id is None:
        return None
    return await get_food_for_log(session, user_id, log.food_id)


async def _new_amount(
    session: AsyncSession, user_id: uuid.UUID, log: FoodLog, changes: dict[str, Any],
) -> tuple[AnyFood | None, float, str | None, float | None] | None:
    """(food to recompute from or None to rescale the stored values, grams, portion, quantity), or None
    when neither the food nor the amount changes."""
    if not {"food_id", "grams", "portion", "quantity"} & changes.keys():
        return None
    new_food = await get_food(session, user_id, changes["food_id"]) if changes.get("food_id") else None
    grams, portion, quantity = changes.get("grams"), changes.get("portion"), changes.get("quantity")
    if portion is None and quantity is not None and grams is None:
        portion = log.portion  # "two of those" instead of one: same portion, new quantity
        if portion is None:
            raise ValidationFailed("quantity", "only applies to a portion")
    if grams is None and portion is None:
        return new_food, log.grams, None, None  # another food, same amount
    if portion is not None:
        food = new_food or await _food_of(session, user_id, log)
        if food is None:
            raise ValidationFailed("portion", "this log has no catalogue food to take portions from; send grams")
        return new_food, _amount(food.portions, grams, portion, quantity), portion, quantity
    return new_food, _amount([], grams, None, quantity), None, None


async def update_food_log(
    session: AsyncSession, user_id: uuid.UUID, log_id: uuid.UUID, data: FoodLogUpdate,
    if_match: str | None,
) -> FoodLogRead:
    log = await get_owned_or_404(session, FoodLog, log_id, user_id)
    check_if_match(if_match, log.version)
    changes = data.model_dump(exclude_unset=True)
    for field in ("meal", "eaten_at", "food_id"):
        if field in changes and changes[field] is None:
            raise ValidationFailed(field, "cannot be null")
    if not changes:
        return to_read(log)
    before = FOOD_LOGS.snapshot(log)
    amount = await _new_amount(session, user_id, log, changes)
    if amount is not None:
        new_food, grams, portion, quantity = amount
        if new_food is not None:
            _apply(log, per_100g(new_food, grams))
            log.food_id, log.food_name = new_food.id, new_food.name
        else:
            # Same food: rescale what was stored, so a catalogue change since never rewrites this log.
            _apply(log, rescaled(log, log.grams, grams))
        log.grams, log.portion, log.quantity = grams, portion, quantity if portion else None
    if "meal" in changes:
        log.meal = changes["meal"]
    if "eaten_at" in changes:
        log.eaten_at = changes["eaten_at"]
    log.version += 1
    log.updated_at = utcnow()
    await session.flush()
    read = to_read(log)
    await writes.updated(session, FOOD_LOGS, log, before, payload=read.model_dump(mode="json"))
    return read


async def delete_food_log(
    session: AsyncSession, user_id: uuid.UUID, log_id: uuid.UUID, if_match: str | None,
) -> None:
    log = await get_owned_or_404(session, FoodLog, log_id, user_id)
    await tombstone(session, FOOD_LOGS, log, if_match)
