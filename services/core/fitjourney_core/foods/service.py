"""Rules of foods: searching, and the caller's custom foods (catalogue foods are read-only)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_common.db.pagination import encode_cursor
from fitjourney_common.errors import Forbidden, NotFound, ValidationFailed
from fitjourney_common.events.contracts import CustomFoodCreated, CustomFoodDeleted, CustomFoodState, CustomFoodUpdated
from fitjourney_core.foods import repository
from fitjourney_core.foods.models import Food
from fitjourney_core.foods.repository import SearchPosition
from fitjourney_core.foods.schemas import FoodCreate, FoodPage, FoodRead, FoodUpdate
from fitjourney_core.shared import check_if_match, existing_for_replay, flush_new, get_owned_or_404, tombstone
from fitjourney_core.writes import service as writes
from fitjourney_core.writes.service import ResourceKind

# A user's own food. Logs keep their own copy of its nutrients, so changing it changes no day.
CUSTOM_FOODS = ResourceKind(
    name="food", model=Food, id_field="food_id", state=CustomFoodState,
    events={"created": CustomFoodCreated, "updated": CustomFoodUpdated, "deleted": CustomFoodDeleted},
    invalidates="nothing",
)

MAX_QUERY_WORDS = 8
# Punctuation around words ("chicken," or "(raw)") must not stop a match.
_WORD_EDGES = re.compile(r"^[^\w%]+|[^\w%]+$")


def query_words(q: str | None) -> tuple[str, list[str]]:
    """The normalised phrase and its words (lower-cased, punctuation trimmed, at most 8)."""
    phrase = " ".join((q or "").lower().split())
    words = [w for w in (_WORD_EDGES.sub("", word) for word in phrase.split()) if w]
    if len(words) > MAX_QUERY_WORDS:
        raise ValidationFailed("q", f"use at most {MAX_QUERY_WORDS} words")
    return phrase, words


def _cursor(position: SearchPosition) -> str:
    return encode_cursor(f"{position.rank}:{position.name}", position.id)


def _position(key: str, item_id: uuid.UUID) -> SearchPosition:
    rank, sep, name = key.partition(":")
    if not sep or not rank.isdigit():
        raise ValidationFailed("cursor", "is not a cursor this API issued")
    return SearchPosition(int(rank), name, item_id)


async def search_foods(
    session: AsyncSession, user_id: uuid.UUID, q: str | None, limit: int, cursor_key: str | None,
    cursor_id: uuid.UUID | None,
) -> FoodPage:
    phrase, words = query_words(q)
    after = _position(cursor_key, cursor_id) if cursor_key is not None and cursor_id is not None else None
    found = await repository.search(session, user_id, phrase, words, limit + 1, after)
    next_cursor = _cursor(found[limit - 1][1]) if len(found) > limit else None
    return FoodPage(items=[FoodRead.model_validate(food) for food, _ in found[:limit]], next_cursor=next_cursor)


async def get_food(session: AsyncSession, user_id: uuid.UUID, food_id: uuid.UUID) -> Food:
    """A catalogue food or one of the caller's own; anything else (another user's) is 404."""
    food = await repository.get_visible(session, user_id, food_id)
    if food is None:
        raise NotFound("No such food")
    return food


def _check_nutrients(values: dict[str, Any]) -> None:
    """Rules across fields that the schema cannot check one field at a time."""
    if values["protein_g"] + values["carbs_g"] + values["fat_g"] > 100:
        raise ValidationFailed("protein_g", "protein, carbs and fat together cannot exceed 100 g per 100 g")
    if values["fibre_g"] > values["carbs_g"]:
        raise ValidationFailed("fibre_g", "fibre is part of carbohydrate: it cannot exceed carbs_g")


def _payload(food: Food) -> dict[str, Any]:
    return FoodRead.model_validate(food).model_dump(mode="json")


async def catalogue_food_named(session: AsyncSession, name: str) -> Food | None:
    """The catalogue food with exactly this name (case-insensitive), e.g. to link a photo's label to."""
    return await repository.catalogue_food_named(session, name)


async def create_custom_food(session: AsyncSession, user_id: uuid.UUID, data: FoodCreate) -> tuple[Food, bool]:
    """The new food and True; or, for a replayed client id, the food created before and False."""
    existing = await existing_for_replay(session, Food, data.id, user_id)
    if existing is not None:
        return existing, False
    values = data.model_dump(exclude={"id"})
    _check_nutrients(values)
    food = Food(id=data.id or uuid.uuid4(), user_id=user_id, alcohol_g=0.0, version=1, **values)
    await flush_new(session, food)
    await writes.created(session, CUSTOM_FOODS, food, payload=_payload(food))
    return food, True


async def _own_custom_food(session: AsyncSession, user_id: uuid.UUID, food_id: uuid.UUID) -> Food:
    food = await repository.get_visible(session, user_id, food_id)
    if food is not None and food.user_id is None:
        raise Forbidden("Catalogue foods are read-only; create a custom food instead")
    return await get_owned_or_404(session, Food, food_id, user_id)


async def update_custom_food(
    session: AsyncSession, user_id: uuid.UUID, food_id: uuid.UUID, data: FoodUpdate, if_match: str | None,
) -> Food:
    food = await _own_custom_food(session, user_id, food_id)
    check_if_match(if_match, food.version)
    changes = data.model_dump(exclude_unset=True)
    for field in ("name", "kcal_per_100g", "protein_g", "carbs_g", "fat_g", "fibre_g", "portions"):
        if field in changes and changes[field] is None:
            raise ValidationFailed(field, "cannot be null")
    merged = {field: changes.get(field, getattr(food, field))
              for field in ("protein_g", "carbs_g", "fat_g", "fibre_g")}
    _check_nutrients(merged)
    before = CUSTOM_FOODS.snapshot(food)
    for field, value in changes.items():
        setattr(food, field, value)
    food.version += 1
    food.updated_at = utcnow()
    await session.flush()
    await writes.updated(session, CUSTOM_FOODS, food, before, payload=_payload(food))
    return food


async def delete_custom_food(
    session: AsyncSession, user_id: uuid.UUID, food_id: uuid.UUID, if_match: str | None,
) -> None:
    """Soft delete: food logs keep their own copy of the name and nutrients, so history is untouched."""
    food = await _own_custom_food(session, user_id, food_id)
    await tombstone(session, CUSTOM_FOODS, food, if_match)
