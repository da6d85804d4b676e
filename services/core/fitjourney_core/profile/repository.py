"""SQL of profiles."""

from __future__ import annotations

import uuid

from sqlalchemy import Uuid, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_core.body_metrics.models import BodyMetric
from fitjourney_core.body_metrics.repository import latest_of
from fitjourney_core.profile.models import Profile

_USER = bindparam("user_id", type_=Uuid)
# GET /profile's one query, built once: the profile with the latest weight and body fat beside it.
_WITH_LATEST_BODY = select(
    Profile,
    latest_of(BodyMetric.weight_kg, _USER).scalar_subquery(),
    latest_of(BodyMetric.body_fat_pct, _USER).scalar_subquery(),
).where(Profile.user_id == _USER)

_ZONE_USER = bindparam("zone_user_id", type_=Uuid)
# The user's time zone (None without a profile), built once: as a query of its own (`time_zone_of`) or as
# the one-row query a write runs in its insert's round trip (`TIME_ZONE_ROW`, bound as `zone_user_id`).
_TIME_ZONE = select(Profile.time_zone).where(Profile.user_id == _ZONE_USER)
TIME_ZONE_ROW = select(_TIME_ZONE.scalar_subquery().label("time_zone"))


async def find(session: AsyncSession, user_id: uuid.UUID) -> Profile | None:
    return (await session.scalars(select(Profile).where(Profile.user_id == user_id))).first()


async def find_with_latest_body(
    session: AsyncSession, user_id: uuid.UUID,
) -> tuple[Profile, float | None, float | None] | None:
    """The profile with the user's latest weight and body fat, in one round trip; None if no profile yet."""
    row = (await session.execute(_WITH_LATEST_BODY, {"user_id": user_id})).first()
    return None if row is None else (row[0], row[1], row[2])


async def time_zone_of(session: AsyncSession, user_id: uuid.UUID) -> str:
    """The user's time zone, UTC until they set one (or have no profile yet)."""
    zone = await session.scalar(_TIME_ZONE, {"zone_user_id": user_id})
    return zone or "UTC"


async def insert_default(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Insert the default profile unless one exists (two first requests racing insert one); True if inserted."""
    make_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = utcnow()
    statement = (
        make_insert(Profile)
        .values(user_id=user_id, activity_level="sedentary", goal="maintain", units="metric", time_zone="UTC",
                version=1, created_at=now, updated_at=now)
        .on_conflict_do_nothing()
        .returning(Profile.user_id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None
