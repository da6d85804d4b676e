"""Rules of foods: searching, and the caller's custom foods (catalogue foods are read-only)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_common.db.pagination import encode_cursor
from fitjourney_common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fitjourney_common.events.contracts import CustomFoodCreated, CustomFoodDeleted, CustomFoodState, CustomFoodUpdated
from fitjourney_core.foods import repository
from fitjourney_core.foods.models import AnyFood, CatalogueEntry, Food
from fitjourney_core.foods.repository import SearchPosition, SearchQuery
from fitjourney_core.foods.schemas import FoodCreate, FoodPage, FoodRead, FoodUpdate
from fitjourney_core.foods.search_terms import search_head, search_text, words_of
from fitjourney_core.portability import plain_exporter
from fitjourney_core.shared import (
    ID_IN_USE,
    check_if_match,
    existing_for_replay,
    flush_new,
    get_owned_or_404,
    tombstone,
)
from fitjourney_core.writes import service as writes
from fitjourney_core.writes.service import ResourceKind

# A user's own food. Logs keep their own copy of its nutrients, so changing it changes no day.
CUSTOM_FOODS = ResourceKind(
    name="food", model=Food, id_field="food_id", state=CustomFoodState,
    events={"created": CustomFoodCreated, "updated": CustomFoodUpdated, "deleted": CustomFoodDeleted},
    invalidates="nothing",
)
# Custom foods only: the catalogue's rows have no owner, so "the user's rows" are exactly their own.
CUSTOM_FOODS_EXPORT = plain_exporter("foods", Food)

MAX_QUERY_WORDS = 8
# The caller's own foods come before catalogue foods that match as well (see catalogue.py for the others).
CUSTOM_FOOD_PRIOR = -5


def query_words(q: str | None) -> list[str]:
    """The words typed (lower-cased, punctuation gone: "Chicken, (raw)" → chicken, raw), at most 8."""
    words = words_of(q or "")
    if len(words) > MAX_QUERY_WORDS:
        raise ValidationFailed("q", f"use at most {MAX_QUERY_WORDS} words")
    return words


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
    """Best matches first; when no name has the words (a typo), the most similar names, in one page."""
    words = query_words(q)
    after = _position(cursor_key, cursor_id) if cursor_key is not None and cursor_id is not None else None
    found = await repository.search(session, user_id, SearchQuery(words), limit + 1, after)
    if not found and words and after is None:
        similar = await repository.search_similar(session, user_id, SearchQuery(words), limit)
        return FoodPage(items=[FoodRead.model_validate(food) for food in similar])
    next_cursor = _cursor(found[limit - 1][1]) if len(found) > limit else None
    return FoodPage(items=[FoodRead.model_validate(food) for food, _ in found[:limit]], next_cursor=next_cursor)


async def get_food(session: AsyncSession, user_id: uuid.UUID, food_id: uuid.UUID) -> AnyFood:
    """A catalogue food or one of the caller's own; anything else (another user's) is 404."""
    food = await repository.get_visible(session, user_id, food_id)
    if food is None:
        raise NotFound("No such food")
    return food


async def best_catalogue_match(session: AsyncSession, user_id: uuid.UUID, label: str) -> CatalogueEntry | None:
    """The catalogue food a label (e.g. a photo recogniser's "banana") names: the first search result for
    its words whose name starts with the label's first word (Bananas, raw); else None ("cheese pizza" is
    no SR28 food's name, and a Pizza Hut pizza that mentions it is not what was photographed)."""
    words = words_of(label)[:MAX_QUERY_WORDS]
    if not words:
        return None
    for food, position in await repository.search(session, user_id, SearchQuery(words), 5, None):
        if isinstance(food, CatalogueEntry):
            return food if repository.name_starts_with_the_words(position.rank) else None
    return None


async def get_food_for_log(
    session: AsyncSession, user_id: uuid.UUID, food_id: uuid.UUID,
) -> AnyFood | None:
    """The food a log was made from, if it still exists; a retired catalogue food counts (its portions
    still measure the logs made from it), a deleted custom food does not."""
    return await repository.get_for_log(session, user_id, food_id)


def _check_nutrients(values: dict[str, Any]) -> None:
    """Rules across fields that the schema cannot check one field at a time."""
    if values["protein_g"] + values["carbs_g"] + values["fat_g"] > 100:
        raise ValidationFailed("per_100g.protein_g",
                               "protein, carbs and fat together cannot exceed 100 g per 100 g")
    for part in ("fibre_g", "sugars_g"):
        if (values.get(part) or 0.0) > values["carbs_g"]:
            raise ValidationFailed(f"per_100g.{part}", "is part of carbohydrate: it cannot exceed carbs_g")
    if (values.get("saturated_fat_g") or 0.0) > values["fat_g"]:
        raise ValidationFailed("per_100g.saturated_fat_g", "is part of fat: it cannot exceed fat_g")


def _columns(per_100g: dict[str, Any]) -> dict[str, Any]:
    """API names inside `per_100g` → columns (energy is stored as kcal_per_100g)."""
    return {("kcal_per_100g" if name == "kcal" else name): value for name, value in per_100g.items()}


def _set_search_terms(food: Food) -> None:
    food.search_text, food.search_head = search_text(food.name), search_head(food.name)
    food.search_prior = CUSTOM_FOOD_PRIOR


def _payload(food: Food) -> dict[str, Any]:
    return FoodRead.model_validate(food).model_dump(mode="json")


async def create_custom_food(session: AsyncSession, user_id: uuid.UUID, data: FoodCreate) -> tuple[Food, bool]:
    """The new food and True; or, for a replayed client id, the food created before and False."""
    existing = await existing_for_replay(session, Food, data.id, user_id)
    if existing is not None:
        return existing, False
    if data.id is not None and await repository.is_catalogue_id(session, data.id):
        raise Conflict(ID_IN_USE)  # the catalogue's ids are taken too, though in a table of their own
    per_100g = data.per_100g.model_dump()
    _check_nutrients(per_100g)
    food = Food(id=data.id or uuid.uuid4(), user_id=user_id, name=data.name, category=data.category,
                portions=[p.model_dump() for p in data.portions], version=1, **_columns(per_100g))
    _set_search_terms(food)
    await flush_new(session, food)
    await writes.created(session, CUSTOM_FOODS, food, payload=_payload(food))
    return food, True


async def _own_custom_food(session: AsyncSession, user_id: uuid.UUID, food_id: uuid.UUID) -> Food:
    if isinstance(await repository.get_visible(session, user_id, food_id), CatalogueEntry):
        raise Forbidden("Catalogue foods are read-only; create a custom food instead")
    return await get_owned_or_404(session, Food, food_id, user_id)


async def update_custom_food(
    session: AsyncSession, user_id: uuid.UUID, food_id: uuid.UUID, data: FoodUpdate, if_match: str | None,
) -> Food:
    food = await _own_custom_food(session, user_id, food_id)
    check_if_match(if_match, food.version)
    changes = data.model_dump(exclude_unset=True)
    for field in ("name", "portions", "per_100g"):
        if field in changes and changes[field] is None:
            raise ValidationFailed(field, "cannot be null")
    before = CUSTOM_FOODS.snapshot(food)
    per_100g_changes = changes.pop("per_100g", {})
    for field in ("kcal", "protein_g", "carbs_g", "fat_g", "fibre_g"):
        if field in per_100g_changes and per_100g_changes[field] is None:
            raise ValidationFailed(f"per_100g.{field}", "cannot be null")
    _check_nutrients({**food.per_100g, **per_100g_changes})
    for field, value in {**changes, **_columns(per_100g_changes)}.items():
        setattr(food, field, value)
    _set_search_terms(food)
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
