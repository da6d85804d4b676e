"""Habit rules: schedules, one check-in per habit and local date, streaks in the user's time zone."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_common.db.pagination import ListParams
from fitjourney_common.errors import Conflict, NotFound, ValidationFailed
from fitjourney_common.events.contracts import (
    CheckInCreated,
    CheckInDeleted,
    CheckInState,
    CheckInUpdated,
    HabitCreated,
    HabitDeleted,
    HabitState,
    HabitUpdated,
)
from fitjourney_common.fitness.streaks import WEEKDAYS, Schedule, compute_streaks, schedule_for_api, stored_schedule
from fitjourney_core.habits import repository
from fitjourney_core.habits.models import Habit, HabitCheckIn
from fitjourney_core.habits.schemas import (
    CheckInCreate,
    CheckInPage,
    CheckInRead,
    HabitCreate,
    HabitPage,
    HabitRead,
    HabitUpdate,
)
from fitjourney_core.local_time import local_today, surely_not_future
from fitjourney_core.pagination import next_cursor
from fitjourney_core.portability import plain_exporter
from fitjourney_core.profile.service import user_time_zone
from fitjourney_core.shared import (
    check_if_match,
    existing_for_replay,
    flush_new,
    get_owned_or_404,
    resource_label,
    tombstone,
)
from fitjourney_core.writes import service as writes
from fitjourney_core.writes.service import ResourceKind

# A habit's name, schedule and target decide every day's "habits scheduled/done": every cached day goes.
HABITS = ResourceKind(
    name="habit", model=Habit, id_field="habit_id", state=HabitState,
    events={"created": HabitCreated, "updated": HabitUpdated, "deleted": HabitDeleted}, invalidates="every_day",
)
CHECK_INS = ResourceKind(
    name="check_in", model=HabitCheckIn, id_field="check_in_id", state=CheckInState,
    events={"created": CheckInCreated, "updated": CheckInUpdated, "deleted": CheckInDeleted}, day_field="date",
)

HABITS_EXPORT = plain_exporter("habits", Habit)
CHECK_INS_EXPORT = plain_exporter("check_ins", HabitCheckIn)


def to_read(habit: Habit, counts: dict[date, int], today: date) -> HabitRead:
    streaks = compute_streaks(Schedule.of(habit.schedule), habit.target_count, counts, today)
    return HabitRead(
        id=habit.id, name=habit.name, schedule=schedule_for_api(habit.schedule),  # type: ignore[arg-type]
        target_count=habit.target_count, current_streak=streaks.current, longest_streak=streaks.longest,
        done_today=streaks.done_today, version=habit.version, created_at=habit.created_at,
        updated_at=habit.updated_at,
    )


async def _today(session: AsyncSession, user_id: uuid.UUID) -> date:
    return local_today(await user_time_zone(session, user_id))


async def _read_one(session: AsyncSession, habit: Habit) -> HabitRead:
    counts = await repository.counts_by_habit(session, habit.user_id, [habit.id])
    return to_read(habit, counts.get(habit.id, {}), await _today(session, habit.user_id))


async def create_habit(
    session: AsyncSession, user_id: uuid.UUID, data: HabitCreate,
) -> tuple[HabitRead, bool]:
    existing = await existing_for_replay(session, Habit, data.id, user_id)
    if existing is not None:
        return await _read_one(session, existing), False
    habit = Habit(id=data.id or uuid.uuid4(), user_id=user_id, name=data.name,
                  schedule=stored_schedule(data.schedule), target_count=data.target_count, version=1)
    await flush_new(session, habit)
    read = await _read_one(session, habit)
    await writes.created(session, HABITS, habit, payload=read.model_dump(mode="json"))
    return read, True


async def list_habits(session: AsyncSession, user_id: uuid.UUID, params: ListParams) -> HabitPage:
    rows, cursor = next_cursor(list(await repository.list_habits(session, user_id, params)), params.limit,
                               "created_at")
    counts = await repository.counts_by_habit(session, user_id, [habit.id for habit in rows])
    today = await _today(session, user_id)
    return HabitPage(items=[to_read(habit, counts.get(habit.id, {}), today) for habit in rows], next_cursor=cursor)


async def get_habit(session: AsyncSession, user_id: uuid.UUID, habit_id: uuid.UUID) -> HabitRead:
    return await _read_one(session, await get_owned_or_404(session, Habit, habit_id, user_id))


async def update_habit(
    session: AsyncSession, user_id: uuid.UUID, habit_id: uuid.UUID, data: HabitUpdate,
    if_match: str | None,
) -> HabitRead:
    habit = await get_owned_or_404(session, Habit, habit_id, user_id)
    check_if_match(if_match, habit.version)
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None:
            raise ValidationFailed(field, "cannot be null")
    if not changes:
        return await _read_one(session, habit)
    before = HABITS.snapshot(habit)
    if "name" in changes:
        habit.name = changes["name"]
    if "schedule" in changes:
        habit.schedule = stored_schedule(changes["schedule"])
    if "target_count" in changes:
        habit.target_count = changes["target_count"]
    habit.version += 1
    habit.updated_at = utcnow()
    await session.flush()
    read = await _read_one(session, habit)
    await writes.updated(session, HABITS, habit, before, payload=read.model_dump(mode="json"))
    return read


async def delete_habit(
    session: AsyncSession, user_id: uuid.UUID, habit_id: uuid.UUID, if_match: str | None,
) -> None:
    """Soft delete; its check-ins stay in the database but are reachable only through the habit."""
    habit = await get_owned_or_404(session, Habit, habit_id, user_id)
    await tombstone(session, HABITS, habit, if_match)


async def check_in(
    session: AsyncSession, user_id: uuid.UUID, habit_id: uuid.UUID, data: CheckInCreate,
    if_match: str | None,
) -> tuple[CheckInRead, bool]:
    """Record `count` for the date: a new row (True), or the date's existing row updated (False).

    Setting the count of a date already checked in is an update: `If-Match` guards it (412 when stale).
    The check-in's own id sent again without `If-Match` is its create replayed: answered, not applied.
    """
    found = await repository.habit_with_check_in_on(session, user_id, habit_id, data.date)
    if found is None:
        raise NotFound(f"No such {resource_label(Habit)}")
    habit, row = found
    if not surely_not_future(data.date):  # only a day near today needs the user's zone (a round trip)
        today = await _today(session, user_id)
        if data.date > today:
            raise ValidationFailed("date", f"is after today ({today.isoformat()}) in your time zone")
    if data.date.weekday() not in Schedule.of(habit.schedule).weekdays:
        # It would never count towards a streak: refusing it says so instead of accepting and ignoring it.
        raise ValidationFailed("date", f"is a {WEEKDAYS[data.date.weekday()]}, which is not in this habit's "
                                       f"schedule ({habit.schedule.replace(',', ', ')})")
    if data.id is not None and (row is None or row.id != data.id):
        clash = await repository.check_in_by_id(session, user_id, data.id)
        if clash is not None:
            raise Conflict("This id belongs to a check-in of another habit or date; use a new id")
    if row is not None and data.id is not None and row.id == data.id:
        if row.deleted_at is not None:
            raise Conflict("This id belongs to a check-in that was deleted; check in with a new id")
        if if_match is None:
            # A queued create arriving after the count was changed must not set the old count back.
            return CheckInRead.model_validate(row), False
    if row is not None and row.deleted_at is None and row.count == data.count:
        return CheckInRead.model_validate(row), False  # nothing changes: a replay, or the same count again
    if row is not None and row.deleted_at is None:
        check_if_match(if_match, row.version)
    if row is None:
        row = HabitCheckIn(id=data.id or uuid.uuid4(), user_id=user_id, habit_id=habit.id, date=data.date,
                           count=data.count, version=1)
        await flush_new(session, row)
        created, before = True, None
    else:
        created = row.deleted_at is not None  # checking in again after a delete brings the day back
        before = None if created else CHECK_INS.snapshot(row)
        row.count, row.deleted_at = data.count, None
        row.version += 1
        row.updated_at = utcnow()
        await session.flush()
    read = CheckInRead.model_validate(row)
    if before is None:
        await writes.created(session, CHECK_INS, row, payload=read.model_dump(mode="json"))
    else:
        await writes.updated(session, CHECK_INS, row, before, payload=read.model_dump(mode="json"))
    return read, created


async def list_check_ins(
    session: AsyncSession, user_id: uuid.UUID, habit_id: uuid.UUID, params: ListParams,
) -> CheckInPage:
    habit = await get_owned_or_404(session, Habit, habit_id, user_id)
    rows, cursor = next_cursor(list(await repository.list_check_ins(session, user_id, habit.id, params)),
                               params.limit, "date")
    return CheckInPage(items=[CheckInRead.model_validate(row) for row in rows], next_cursor=cursor)


async def delete_check_in(
    session: AsyncSession, user_id: uuid.UUID, habit_id: uuid.UUID, day: date,
    if_match: str | None,
) -> None:
    habit = await get_owned_or_404(session, Habit, habit_id, user_id)
    row = await repository.check_in_on(session, user_id, habit.id, day)
    if row is None or row.deleted_at is not None:
        raise NotFound("No check-in on that date")
    await tombstone(session, CHECK_INS, row, if_match)
