"""SQL of foods: the ranked search over the catalogue plus the caller's own foods, and custom-food rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, literal, literal_column, or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from fitjourney_core.foods.models import Food
from fitjourney_core.foods.search_terms import alternatives, forms, padded

# Trigram word similarity each typed word must reach in a name ("bananna" → "Bananas, raw": 0.62,
# "avacado" → "Avocados": 0.36, "zzzz" → anything: 0).
TYPO_SIMILARITY = 0.35
STRONG_SIMILARITY = 0.5


def visible_to(user_id: uuid.UUID) -> ColumnElement[bool]:
    """Live catalogue foods and the user's own live custom foods (RLS says the same on PostgreSQL)."""
    return and_(Food.deleted_at.is_(None), or_(Food.user_id.is_(None), Food.user_id == user_id))


@dataclass(frozen=True)
class SearchPosition:
    """Where a page ended: the match's rank (lower is better), lower-cased name, id."""

    rank: int
    name: str
    id: uuid.UUID


@dataclass(frozen=True)
class SearchQuery:
    """What was typed, as words (lower case, punctuation gone)."""

    words: Sequence[str]

    def word_alternatives(self) -> list[list[str]]:
        return [alternatives(word) for word in self.words]


def _contains_word(
    column: ColumnElement[str] | InstrumentedAttribute[str], prefix: str, *, whole: bool = False,
) -> ColumnElement[bool]:
    # Stored texts are lower-case words between single spaces, and query words are [a-z0-9]+ (nothing
    # for LIKE to escape): ' word' finds a word start, ' word ' a whole word.
    return column.like(f"% {prefix} %" if whole else f"% {prefix}%")


def _rank(query: SearchQuery) -> ColumnElement[int]:
    """One integer, lower is better, computed the same way on PostgreSQL and SQLite:

    1. the whole name is what was typed ("Water");
    2. how the first word meets the name's first part: its first word (Bananas), the start of it
       (Breadfruit), another whole word of it, the start of another word, or only later in the name;
    3. the food's prior (your own foods and common foods first, baby food and brands later);
    4. the name's first part is all that was typed ("Sweet potato, raw" before "Sweet potato leaves");
    5. shorter names first (the plain food before its variants).
    """
    words = list(query.words)
    first = query.word_alternatives()[0]
    first_forms = sorted({f for word in [words[0], *first[1:]] for f in forms(word)})
    last_forms = forms(words[-1])
    exact_name = Food.search_text == padded(words)
    exact_head = Food.search_head.in_([padded([*words[:-1], form]) for form in last_forms])
    head_class = case(
        (or_(*(Food.search_head.like(f" {form} %") for form in first_forms)), 0),
        (or_(*(Food.search_head.like(f" {prefix}%") for prefix in first)), 1),
        (or_(*(_contains_word(Food.search_head, form, whole=True) for form in first_forms)), 2),
        (or_(*(_contains_word(Food.search_head, prefix) for prefix in first)), 3),
        else_=4,
    )
    prior = Food.search_prior + 20  # priors lie in -19..19 (catalogue.py), names are at most 200 long
    length = func.length(Food.name)
    return (((case((exact_name, 0), else_=1) * 5 + head_class) * 40 + prior) * 2
            + case((exact_head, 0), else_=1)) * 1000 + length


def name_starts_with_the_words(rank: int) -> bool:
    """Whether a rank from `_rank` says the first word typed starts the food's name (Bananas for "banana")."""
    head_class = rank // (2 * 1000 * 40) % 5
    return head_class <= 1


def _matches(session: AsyncSession, query: SearchQuery) -> ColumnElement[bool]:
    """Every query word (or its synonym) starts a word of the name: GIN-indexed full text on PostgreSQL,
    LIKE on SQLite; both see the same words, so both find the same foods."""
    if session.get_bind().dialect.name == "postgresql":
        terms = " & ".join("(" + " | ".join(f"{prefix}:*" for prefix in options) + ")"
                           for options in query.word_alternatives())
        # The stored vector of revision 0011: row-level security keeps the GIN index from serving the
        # service's role, so each row is matched, and building its vector per search cost ~100 ms.
        return literal_column("search_vector").op("@@")(func.to_tsquery(text("'simple'::regconfig"), terms))
    return and_(*(or_(*(_contains_word(Food.search_text, prefix) for prefix in options))
                  for options in query.word_alternatives()))


async def search(
    session: AsyncSession, user_id: uuid.UUID, query: SearchQuery, limit: int, after: SearchPosition | None,
) -> list[tuple[Food, SearchPosition]]:
    """Foods whose name has every query word, best first; ties by name, then id (stable pages)."""
    lname = func.lower(Food.name)
    conditions: list[ColumnElement[bool]] = [visible_to(user_id)]
    if not query.words:  # no query: the caller's own foods first, then the catalogue, alphabetically
        rank: ColumnElement[int] = case((Food.user_id.is_(None), 1), else_=0)
    else:
        rank = _rank(query)
        conditions.append(_matches(session, query))
    if after is not None:
        conditions.append(tuple_(rank, lname, Food.id) > tuple_(after.rank, after.name, after.id))
    ranked = select(Food, rank, lname).where(*conditions).order_by(rank, lname, Food.id).limit(limit)
    return [(food, SearchPosition(int(found_rank), name, food.id))
            for food, found_rank, name in (await session.execute(ranked)).all()]


async def search_similar(
    session: AsyncSession, user_id: uuid.UUID, query: SearchQuery, limit: int,
) -> Sequence[Food]:
    """Typo fallback when no name has the words: names with a word like each typed word, most alike first
    (PostgreSQL trigram word similarity, pg_trgm's GIN index). SQLite (dev) has no fallback."""
    if session.get_bind().dialect.name != "postgresql" or not await _has_trigrams(session):
        return []
    await session.execute(select(func.set_config("pg_trgm.word_similarity_threshold", str(TYPO_SIMILARITY), True)))
    alike = [literal(word).op("<%")(Food.search_text) for word in query.words]
    # Close matches of every word first, then the usual prior: "bananna" is Bananas, raw before the
    # brand-named banana yogurts that happen to share more trigrams.
    close = and_(*(func.word_similarity(word, Food.search_text) >= STRONG_SIMILARITY for word in query.words))
    likeness = sum((func.word_similarity(word, Food.search_text) for word in query.words), literal(0.0))
    statement = (select(Food).where(visible_to(user_id), *alike)
                 .order_by(case((close, 0), else_=1), Food.search_prior, likeness.desc(), func.length(Food.name),
                           Food.id)
                 .limit(limit))
    return (await session.scalars(statement)).all()


async def _has_trigrams(session: AsyncSession) -> bool:
    found = await session.scalar(select(literal(1)).select_from(text("pg_extension"))
                                 .where(text("extname = 'pg_trgm'")))
    return found is not None


async def get_visible(session: AsyncSession, user_id: uuid.UUID, food_id: uuid.UUID) -> Food | None:
    return (await session.scalars(select(Food).where(Food.id == food_id, visible_to(user_id)))).first()


async def get_for_log(session: AsyncSession, user_id: uuid.UUID, food_id: uuid.UUID) -> Food | None:
    """The food a log names, a retired catalogue food included (its portions still measure old logs)."""
    return (await session.scalars(select(Food).where(
        Food.id == food_id, or_(Food.user_id.is_(None), and_(Food.user_id == user_id, Food.deleted_at.is_(None))),
    ))).first()


def add(session: AsyncSession, food: Food) -> Food:
    session.add(food)
    return food
