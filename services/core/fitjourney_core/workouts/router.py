"""HTTP routes of /api/v1/workouts."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from fitjourney_common.db.pagination import ListParamsDep, Page
from fitjourney_common.openapi import problems, replayed
from fitjourney_core.shared import IfMatchDep, UserSessionDep, etag
from fitjourney_core.workouts import service
from fitjourney_core.workouts.schemas import WorkoutCreate, WorkoutRead, WorkoutUpdate

router = APIRouter(prefix="/api/v1/workouts", tags=["workouts"])


@router.post("", response_model=WorkoutRead, status_code=status.HTTP_201_CREATED,
             responses={**replayed(WorkoutRead, "workout"), **problems(409)},
             summary="Log a workout (201; 200 with the same record when the client id was already used)")
async def create_workout(body: WorkoutCreate, user: UserSessionDep, response: Response) -> WorkoutRead:
    workout, created = await service.create_workout(user.session, user.user_id, body)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["ETag"] = etag(workout.version)
    response.headers["Location"] = f"/api/v1/workouts/{workout.id}"
    return workout


@router.get("", response_model=Page[WorkoutRead], summary="My workouts, newest first (from/to on started_at)")
async def list_workouts(user: UserSessionDep, params: ListParamsDep) -> Page[WorkoutRead]:
    return await service.list_workouts(user.session, user.user_id, params)


@router.get("/{workout_id}", response_model=WorkoutRead)
async def get_workout(workout_id: uuid.UUID, user: UserSessionDep, response: Response) -> WorkoutRead:
    workout = await service.get_workout(user.session, user.user_id, workout_id)
    response.headers["ETag"] = etag(workout.version)
    return workout


@router.patch("/{workout_id}", response_model=WorkoutRead,
              summary="Change a workout; send If-Match with the version you saw to avoid overwriting newer data")
async def update_workout(
    workout_id: uuid.UUID, body: WorkoutUpdate, user: UserSessionDep, if_match: IfMatchDep,
    response: Response,
) -> WorkoutRead:
    workout = await service.update_workout(user.session, user.user_id, workout_id, body, if_match)
    response.headers["ETag"] = etag(workout.version)
    return workout


@router.delete("/{workout_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_workout(workout_id: uuid.UUID, user: UserSessionDep, if_match: IfMatchDep) -> None:
    await service.delete_workout(user.session, user.user_id, workout_id, if_match)
