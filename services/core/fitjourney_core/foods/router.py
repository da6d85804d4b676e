"""HTTP routes of `/api/v1/foods`: catalogue search, one food, and the caller's custom foods."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from fitjourney_common.db.pagination import decode_cursor
from fitjourney_common.openapi import problems, replayed
from fitjourney_common.text import Text
from fitjourney_core.foods import service
from fitjourney_core.foods.schemas import FoodCreate, FoodPage, FoodRead, FoodUpdate
from fitjourney_core.shared import IfMatchDep, UserSessionDep, etag

router = APIRouter(prefix="/api/v1/foods", tags=["foods"])


def _read(food: object, response: Response) -> FoodRead:
    read = FoodRead.model_validate(food)
    response.headers["ETag"] = etag(read.version)
    return read


@router.get("", response_model=FoodPage, summary="Search the catalogue and your own foods")
async def search_foods(
    user: UserSessionDep,
    q: Annotated[Text | None, Query(
        max_length=100, description="Words of the name, e.g. `chicken breast` (plurals and a few synonyms count)",
    )] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> FoodPage:
    position = decode_cursor(cursor) if cursor else None
    return await service.search_foods(
        user.session, user.user_id, q, limit,
        position.key if position else None, position.id if position else None,
    )


@router.post("", response_model=FoodRead, status_code=status.HTTP_201_CREATED,
             responses={**replayed(FoodRead, "food"), **problems(409)},
             summary="Create a custom food (a replayed client id answers the same food with 200)")
async def create_food(data: FoodCreate, user: UserSessionDep, response: Response) -> FoodRead:
    food, created = await service.create_custom_food(user.session, user.user_id, data)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["Location"] = f"{router.prefix}/{food.id}"
    return _read(food, response)


@router.get("/{food_id}", response_model=FoodRead)
async def get_food(food_id: uuid.UUID, user: UserSessionDep, response: Response) -> FoodRead:
    return _read(await service.get_food(user.session, user.user_id, food_id), response)


@router.patch("/{food_id}", response_model=FoodRead, summary="Change one of your custom foods",
              responses=problems(403, _403="Catalogue foods are read-only"))
async def update_food(
    food_id: uuid.UUID, data: FoodUpdate, user: UserSessionDep, response: Response, if_match: IfMatchDep = None,
) -> FoodRead:
    food = await service.update_custom_food(user.session, user.user_id, food_id, data, if_match)
    return _read(food, response)


@router.delete("/{food_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete one of your custom foods",
               responses=problems(403, _403="Catalogue foods are read-only"))
async def delete_food(food_id: uuid.UUID, user: UserSessionDep, if_match: IfMatchDep = None) -> Response:
    await service.delete_custom_food(user.session, user.user_id, food_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
