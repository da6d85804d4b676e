"""HTTP routes of `/api/v1/habits` and their check-ins."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Response, status

from fitjourney_common.db.pagination import ListParamsDep
from fitjourney_common.openapi import problems, replayed
from fitjourney_core.habits import service
from fitjourney_core.habits.schemas import (
    CheckInCreate,
    CheckInPage,
    CheckInRead,
    HabitCreate,
    HabitPage,
    HabitRead,
    HabitUpdate,
)
from fitjourney_core.shared import IfMatchDep, UserSessionDep, etag

PREFIX = "/api/v1/habits"
router = APIRouter(prefix=PREFIX, tags=["habits"])


def _with_etag(read: HabitRead, response: Response) -> HabitRead:
    response.headers["ETag"] = etag(read.version)
    return read


@router.post("", response_model=HabitRead, status_code=status.HTTP_201_CREATED,
             responses={**replayed(HabitRead, "habit"), **problems(409)},
             summary="Create a habit (a replayed client id answers the same habit with 200)")
async def create_habit(data: HabitCreate, user: UserSessionDep, response: Response) -> HabitRead:
    habit, created = await service.create_habit(user.session, user.user_id, data)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["Location"] = f"{PREFIX}/{habit.id}"
    return _with_etag(habit, response)


@router.get("", response_model=HabitPage, summary="My habits with their current and longest streaks")
async def list_habits(user: UserSessionDep, params: ListParamsDep) -> HabitPage:
    return await service.list_habits(user.session, user.user_id, params)


@router.get("/{habit_id}", response_model=HabitRead)
async def get_habit(habit_id: uuid.UUID, user: UserSessionDep, response: Response) -> HabitRead:
    return _with_etag(await service.get_habit(user.session, user.user_id, habit_id), response)


@router.patch("/{habit_id}", response_model=HabitRead)
async def update_habit(
    habit_id: uuid.UUID, data: HabitUpdate, user: UserSessionDep, response: Response,
    if_match: IfMatchDep = None,
) -> HabitRead:
    habit = await service.update_habit(user.session, user.user_id, habit_id, data, if_match)
    return _with_etag(habit, response)


@router.delete("/{habit_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_habit(habit_id: uuid.UUID, user: UserSessionDep,
                       if_match: IfMatchDep = None) -> Response:
    await service.delete_habit(user.session, user.user_id, habit_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{habit_id}/check-ins", response_model=CheckInRead, status_code=status.HTTP_201_CREATED,
             responses={200: {"model": CheckInRead, "description": "The date already had a check-in: its count is set"},
                        **problems(409)},
             summary="Check in for a scheduled local date (201); the same date again SETS its count (200; If-Match)")
async def check_in(habit_id: uuid.UUID, data: CheckInCreate, user: UserSessionDep,
                   response: Response, if_match: IfMatchDep = None) -> CheckInRead:
    read, created = await service.check_in(user.session, user.user_id, habit_id, data, if_match)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = etag(read.version)
    return read


@router.get("/{habit_id}/check-ins", response_model=CheckInPage, summary="Check-ins, newest date first")
async def list_check_ins(habit_id: uuid.UUID, user: UserSessionDep, params: ListParamsDep) -> CheckInPage:
    return await service.list_check_ins(user.session, user.user_id, habit_id, params)


@router.delete("/{habit_id}/check-ins/{day}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_check_in(habit_id: uuid.UUID, day: date, user: UserSessionDep,
                          if_match: IfMatchDep = None) -> Response:
    await service.delete_check_in(user.session, user.user_id, habit_id, day, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
