"""SQL of foods: the ranked search over the catalogue plus the caller's own foods, and custom-food rows.

The catalogue (`CatalogueEntry`, no row-level security on its reads) and the caller's own foods (`Food`,
the owner's rows only) are two tables: a search asks both in one statement and orders the union."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    String,
    Subquery,
    Uuid,
    and_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from fitjourney_core.foods.models import AnyFood, CatalogueEntry, Food
from fitjourney_core.foods.search_terms import alternatives, forms, padded

# Trigram word similarity each typed word must reach in a name ("bananna" → "Bananas, raw": 0.62,
# "avacado" → "Avocados": 0.36, "zzzz" → anything: 0).
TYPO_SIMILARITY = 0.35
STRONG_SIMILARITY = 0.5

FoodTable = type[CatalogueEntry] | type[Food]


def _visible(table: FoodTable, user_id: uuid.UUID | BindParameter[uuid.UUID]) -> ColumnElement[bool]:
    """Live catalogue foods; the user's own live custom foods (RLS says the same on PostgreSQL)."""
    if table is CatalogueEntry:
        return CatalogueEntry.deleted_at.is_(None)
    return and_(Food.deleted_at.is_(None), Food.user_id == user_id)


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


def _rank(matches: Subquery, query: SearchQuery) -> ColumnElement[int]:
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
    head = matches.c.search_head
    exact_name = matches.c.search_text == padded(words)
    exact_head = head.in_([padded([*words[:-1], form]) for form in last_forms])
    head_class = case(
        (or_(*(head.like(f" {form} %") for form in first_forms)), 0),
        (or_(*(head.like(f" {prefix}%") for prefix in first)), 1),
        (or_(*(_contains_word(head, form, whole=True) for form in first_forms)), 2),
        (or_(*(_contains_word(head, prefix) for prefix in first)), 3),
        else_=4,
    )
    prior = matches.c.search_prior + 20  # priors lie in -19..19 (catalogue.py), names are at most 200 long
    length = func.length(matches.c.name)
    return (((case((exact_name, 0), else_=1) * 5 + head_class) * 40 + prior) * 2
            + case((exact_head, 0), else_=1)) * 1000 + length


def name_starts_with_the_words(rank: int) -> bool:
    """Whether a rank from `_rank` says the first word typed starts the food's name (Bananas for "banana")."""
    head_class = rank // (2 * 1000 * 40) % 5
    return head_class <= 1


def _matches(dialect: str, table: FoodTable, query: SearchQuery) -> ColumnElement[bool]:
    """Every query word (or its synonym) starts a word of the name: GIN-indexed full text on PostgreSQL,
    LIKE on SQLite; both see the same words, so both find the same foods."""
    if dialect == "postgresql":
        terms = " & ".join("(" + " | ".join(f"{prefix}:*" for prefix in options) + ")"
                           for options in query.word_alternatives())
        # The stored vector (revision 0011): the catalogue's GIN index serves it (revision 0013); a user's
        # own foods, found through the owner policy, are matched one by one.
        return literal_column("search_vector").op("@@")(func.to_tsquery(text("'simple'::regconfig"), terms))
    return and_(*(or_(*(_contains_word(table.search_text, prefix) for prefix in options))
                  for options in query.word_alternatives()))


# Bound when a search runs, so that its statement is built once per query (building it cost about as much CPU
# as the rest of the request) and then reused: SQLAlchemy's compiled form is found by the statement's key. A
# statement holds about 85 KiB: the 64 latest queries stay within ~6 MiB.
_USER = bindparam("user_id", type_=Uuid)
_LIMIT = bindparam("limit", type_=Integer)
_AFTER = (bindparam("after_rank", type_=Integer), bindparam("after_name", type_=String),
          bindparam("after_id", type_=Uuid))
STATEMENTS_KEPT = 64


def _candidates(table: FoodTable, conditions: Sequence[ColumnElement[bool]]) -> Select[*tuple[Any, ...]]:
    """One table's matches, with what ranks and orders them and which table they are from."""
    return (select(table.id, table.name, table.search_text, table.search_head, table.search_prior,
                   literal(table is Food).label("custom"))
            .where(_visible(table, _USER), *conditions))


def _matching(conditions: Callable[[FoodTable], Sequence[ColumnElement[bool]]]) -> Subquery:
    """The catalogue's and the user's matches as one set: each table is searched with its own indexes."""
    return union_all(*(_candidates(table, conditions(table)) for table in (CatalogueEntry, Food))).subquery("matches")


def _first(matches: Subquery, keys: Sequence[ColumnElement[Any]], after: Sequence[ColumnElement[bool]]) -> Select[Any]:
    """The first `limit` matches ordered by `keys` then id, as (catalogue entry or None, own food or None,
    *keys): the whole set is ordered in the database (its collation orders names, as before the catalogue had
    a table of its own), and only the page's foods are read in full."""
    page = (select(matches.c.id, matches.c.custom, *(key.label(f"key{n}") for n, key in enumerate(keys)))
            .where(*after).order_by(*keys, matches.c.id).limit(_LIMIT).subquery("page"))
    page_keys = [page.c[f"key{n}"] for n in range(len(keys))]
    return (select(CatalogueEntry, Food, *page_keys).select_from(page)
            .outerjoin(CatalogueEntry, and_(~page.c.custom, CatalogueEntry.id == page.c.id))
            .outerjoin(Food, and_(page.c.custom, Food.id == page.c.id))
            .order_by(*page_keys, page.c.id))


@lru_cache(maxsize=STATEMENTS_KEPT)
def _search_statement(words: tuple[str, ...], paged: bool, dialect: str) -> Select[Any]:
    query = SearchQuery(words)
    matches = _matching(lambda table: [_matches(dialect, table, query)] if words else [])
    lname = func.lower(matches.c.name)
    # No query: the caller's own foods first, then the catalogue, alphabetically.
    rank = _rank(matches, query) if words else case((matches.c.custom, 0), else_=1)
    return _first(matches, [rank, lname], [tuple_(rank, lname, matches.c.id) > tuple_(*_AFTER)] if paged else [])


async def search(
    session: AsyncSession, user_id: uuid.UUID, query: SearchQuery, limit: int, after: SearchPosition | None,
) -> list[tuple[AnyFood, SearchPosition]]:
    """Foods whose name has every query word, best first; ties by name, then id (stable pages)."""
    statement = _search_statement(tuple(query.words), after is not None, session.get_bind().dialect.name)
    values: dict[str, Any] = {"user_id": user_id, "limit": limit}
    if after is not None:
        values |= {"after_rank": after.rank, "after_name": after.name, "after_id": after.id}
    found = [(entry or food, rank, name) for entry, food, rank, name in (await session.execute(statement, values))]
    return [(food, SearchPosition(int(rank), name, food.id)) for food, rank, name in found]


@lru_cache(maxsize=STATEMENTS_KEPT)
def _similar_statement(words: tuple[str, ...]) -> Select[Any]:
    matches = _matching(lambda table: [literal(word).op("<%")(table.search_text) for word in words])
    text_words = matches.c.search_text
    # Close matches of every word first, then the usual prior: "bananna" is Bananas, raw before the
    # brand-named banana yogurts that happen to share more trigrams.
    close = and_(*(func.word_similarity(word, text_words) >= STRONG_SIMILARITY for word in words))
    unlike = -sum((func.word_similarity(word, text_words) for word in words), literal(0.0))
    return _first(matches, [case((close, 0), else_=1), matches.c.search_prior, unlike, func.length(matches.c.name)],
                  [])


async def search_similar(
    session: AsyncSession, user_id: uuid.UUID, query: SearchQuery, limit: int,
) -> list[AnyFood]:
    """Typo fallback when no name has the words: names with a word like each typed word, most alike first
    (PostgreSQL trigram word similarity, pg_trgm's GIN index). SQLite (dev) has no fallback."""
    if session.get_bind().dialect.name != "postgresql" or not await _has_trigrams(session):
        return []
    await session.execute(select(func.set_config("pg_trgm.word_similarity_threshold", str(TYPO_SIMILARITY), True)))
    rows = await session.execute(_similar_statement(tuple(query.words)), {"user_id": user_id, "limit": limit})
    return [entry or food for entry, food, *_ in rows]


async def _has_trigrams(session: AsyncSession) -> bool:
    found = await session.scalar(select(literal(1)).select_from(text("pg_extension"))
                                 .where(text("extname = 'pg_trgm'")))
    return found is not None


# A food a log names is nearly always a catalogue food: that look-up built once.
_VISIBLE_ENTRY = select(CatalogueEntry).where(CatalogueEntry.id == bindparam("food_id", type_=Uuid),
                                              _visible(CatalogueEntry, _USER))


async def get_visible(
    session: AsyncSession, user_id: uuid.UUID, food_id: uuid.UUID,
) -> AnyFood | None:
    """A live catalogue food, or one of the user's own live foods."""
    entry = (await session.scalars(_VISIBLE_ENTRY, {"food_id": food_id})).first()
    return entry if entry is not None else await _own(session, user_id, food_id)


async def get_for_log(session: AsyncSession, user_id: uuid.UUID, food_id: uuid.UUID) -> AnyFood | None:
    """The food a log names, a retired catalogue food included (its portions still measure old logs)."""
    entry = await session.get(CatalogueEntry, food_id)
    return entry if entry is not None else await _own(session, user_id, food_id)


async def _own(session: AsyncSession, user_id: uuid.UUID, food_id: uuid.UUID) -> Food | None:
    return (await session.scalars(select(Food).where(Food.id == food_id, _visible(Food, user_id)))).first()


async def is_catalogue_id(session: AsyncSession, food_id: uuid.UUID) -> bool:
    return await session.scalar(select(CatalogueEntry.id).where(CatalogueEntry.id == food_id)) is not None


def add(session: AsyncSession, food: Food) -> Food:
    session.add(food)
    return food
