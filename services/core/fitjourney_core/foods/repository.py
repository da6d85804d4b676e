"""SQL of foods: the search over the catalogue plus the caller's own foods, and custom-food rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_core.foods.models import Food

LIKE_ESCAPE = "\\"


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def visible_to(user_id: uuid.UUID) -> ColumnElement[bool]:
    """Catalogue foods and the user's own live custom foods (RLS says the same on PostgreSQL)."""
    return and_(Food.deleted_at.is_(None), or_(Food.user_id.is_(None), Food.user_id == user_id))


@dataclass(frozen=True)
class SearchPosition:
    """Where a page ended: rank of the match, lower-cased name, id."""

    rank: int
    name: str
    id: uuid.UUID


async def search(
    session: AsyncSession, user_id: uuid.UUID, phrase: str, words: Sequence[str], limit: int,
    after: SearchPosition | None,
) -> list[tuple[Food, SearchPosition]]:
    """Foods whose name contains every word (case-insensitive), best matches first.

    Rank 0: the name is the phrase; 1: the name starts with it; 2: a word of the name starts with
    the first query word; 3: the words appear somewhere. Ties: by name, then id (stable pages).
    """
    lname = func.lower(Food.name)
    conditions: list[ColumnElement[bool]] = [visible_to(user_id)]
    for word in words:
        conditions.append(lname.like(f"%{_escape_like(word)}%", escape=LIKE_ESCAPE))
    if not words:  # no query: the whole visible catalogue, alphabetically
        if after is not None:
            conditions.append(or_(lname > after.name, and_(lname == after.name, Food.id > after.id)))
        query = select(Food, lname).where(*conditions).order_by(lname, Food.id).limit(limit)
        return [(food, SearchPosition(0, name, food.id)) for food, name in (await session.execute(query)).all()]

    first = _escape_like(words[0])
    rank = case(
        (lname == phrase, 0),
        (lname.like(f"{_escape_like(phrase)}%", escape=LIKE_ESCAPE), 1),
        (or_(lname.like(f"{first}%", escape=LIKE_ESCAPE),
             lname.like(f"% {first}%", escape=LIKE_ESCAPE),
             lname.like(f"%({first}%", escape=LIKE_ESCAPE)), 2),
        else_=3,
    )
    if after is not None:
        conditions.append(or_(
            rank > after.rank,
            and_(rank == after.rank, lname > after.name),
            and_(rank == after.rank, lname == after.name, Food.id > after.id),
        ))
    ranked = select(Food, rank, lname).where(*conditions).order_by(rank, lname, Food.id).limit(limit)
    return [(food, SearchPosition(int(found_rank), name, food.id))
            for food, found_rank, name in (await session.execute(ranked)).all()]


async def catalogue_food_named(session: AsyncSession, name: str) -> Food | None:
    """The catalogue food with exactly this name (case-insensitive)."""
    query = select(Food).where(Food.user_id.is_(None), Food.deleted_at.is_(None),
                               func.lower(Food.name) == name.strip().lower())
    return (await session.scalars(query.limit(1))).first()


async def get_visible(session: AsyncSession, user_id: uuid.UUID, food_id: uuid.UUID) -> Food | None:
    return (await session.scalars(select(Food).where(Food.id == food_id, visible_to(user_id)))).first()


def add(session: AsyncSession, food: Food) -> Food:
    session.add(food)
    return food
