"""Profile rules: created on first read, merged on PUT, metric storage, targets, avatar."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_common.events.contracts import ProfileCreated, ProfileState, ProfileUpdated, ResourceState
from fitjourney_common.fitness.targets import age_on, bmi, daily_targets
from fitjourney_common.images import check_image, reencode_without_metadata
from fitjourney_common.storage import ObjectStore
from fitjourney_core import objects
from fitjourney_core.body_metrics.repository import latest_weight_and_body_fat
from fitjourney_core.local_time import zone_or_utc
from fitjourney_core.objects import AVATARS
from fitjourney_core.portability import Exporter, ExportPart, MediaFile, columns, extension
from fitjourney_core.profile import repository
from fitjourney_core.profile.models import Profile
from fitjourney_core.profile.schemas import AvatarRead, ImperialRead, ProfileRead, ProfileUpdate, TargetsRead
from fitjourney_core.profile.units import cm_to_inches, inches_to_cm, kg_to_lb, lb_to_kg
from fitjourney_core.settings import CoreSettings
from fitjourney_core.shared import check_if_match
from fitjourney_core.writes import service as writes
from fitjourney_core.writes.repository import all_rows_of_user
from fitjourney_core.writes.service import ResourceKind, WriteContext

# One per user (its id is the user's), created by the first read, never deleted but by erasure. Targets
# and the day boundaries of a new time zone change every day's summary.
PROFILES = ResourceKind(
    name="profile", model=Profile, id_field="user_id", state=ProfileState,
    events={"created": ProfileCreated, "updated": ProfileUpdated}, invalidates="every_day",
    moves_time_zone=True, record_id=lambda profile: profile.user_id,
)


async def user_time_zone(session: AsyncSession, user_id: uuid.UUID) -> ZoneInfo:
    """The zone of the user's profile; UTC for a user who has not saved a profile yet."""
    return zone_or_utc(await repository.time_zone_of(session, user_id))


def write_context(redis: Redis) -> WriteContext:
    """The write path's binding: the summary cache, and the user's time zone from their profile."""
    return WriteContext(redis=redis, time_zone_of=repository.time_zone_of, time_zone_row=repository.TIME_ZONE_ROW)


async def get_or_create(session: AsyncSession, user_id: uuid.UUID) -> tuple[Profile, bool]:
    """The user's profile and whether this call created it (the first read creates it with defaults)."""
    profile = await repository.find(session, user_id)
    if profile is not None:
        return profile, False
    created = await repository.insert_default(session, user_id)
    profile = await repository.find(session, user_id)
    assert profile is not None
    return profile, created


def _targets(profile: Profile, weight_kg: float | None, body_fat_pct: float | None, on_day: date) -> TargetsRead:
    """Targets of the user's local calendar day `on_day` (their age on that day, in their time zone)."""
    missing = [name for name, value in (("birth_date", profile.birth_date), ("sex", profile.sex),
                                        ("height_cm", profile.height_cm), ("weight (a body metric)", weight_kg))
               if value is None]
    if missing:
        return TargetsRead(missing=missing)
    assert profile.birth_date and profile.sex and profile.height_cm and weight_kg
    targets = daily_targets(
        weight_kg=weight_kg, height_cm=profile.height_cm, age_years=age_on(profile.birth_date, on_day),
        sex=profile.sex, activity_level=profile.activity_level, goal=profile.goal,
        weekly_rate_kg=profile.weekly_rate_kg, body_fat_pct=body_fat_pct,
    )
    return TargetsRead(kcal=targets.kcal, protein_g=targets.protein_g, carbs_g=targets.carbs_g, fat_g=targets.fat_g,
                       bmr_kcal=targets.bmr_kcal, protein_basis=targets.protein_basis,
                       protein_reference_kg=targets.protein_reference_kg)


def _local_today(profile: Profile) -> date:
    return datetime.now(zone_or_utc(profile.time_zone)).date()


def targets_of(profile: Profile | None, weight_kg: float | None, body_fat_pct: float | None,
               on_day: date | None = None) -> TargetsRead:
    """Targets with the weight and body fat known at the end of the user's local day `on_day` (default
    today in their time zone); None for a profile not made yet."""
    if profile is None:
        return TargetsRead(missing=["birth_date", "sex", "height_cm", "weight (a body metric)"])
    return _targets(profile, weight_kg, body_fat_pct, on_day or _local_today(profile))


async def to_read(
    session: AsyncSession, profile: Profile, store: ObjectStore | None, url_seconds: int,
    weight_and_body_fat: tuple[float | None, float | None] | None = None,
) -> ProfileRead:
    today = _local_today(profile)
    weight, body_fat = weight_and_body_fat or await latest_weight_and_body_fat(session, profile.user_id)
    avatar_url = None
    if profile.avatar_key and store is not None:
        avatar_url = await store.presigned_url(profile.avatar_key, url_seconds)
    imperial = None
    if profile.units == "imperial":
        imperial = ImperialRead(
            height_in=cm_to_inches(profile.height_cm) if profile.height_cm else None,
            target_weight_lb=kg_to_lb(profile.target_weight_kg) if profile.target_weight_kg else None,
            weekly_rate_lb=kg_to_lb(profile.weekly_rate_kg) if profile.weekly_rate_kg is not None else None,
            latest_weight_lb=kg_to_lb(weight) if weight else None,
        )
    return ProfileRead(
        user_id=profile.user_id, display_name=profile.display_name, birth_date=profile.birth_date,
        age=age_on(profile.birth_date, today) if profile.birth_date else None, sex=profile.sex,  # type: ignore[arg-type]
        height_cm=profile.height_cm, activity_level=profile.activity_level, goal=profile.goal,  # type: ignore[arg-type]
        target_weight_kg=profile.target_weight_kg, weekly_rate_kg=profile.weekly_rate_kg,
        units=profile.units, time_zone=profile.time_zone, avatar_url=avatar_url,  # type: ignore[arg-type]
        targets=_targets(profile, weight, body_fat, today),
        bmi=bmi(weight, profile.height_cm) if weight and profile.height_cm else None,
        latest_weight_kg=weight, imperial=imperial, version=profile.version, updated_at=profile.updated_at,
    )


async def _record(session: AsyncSession, profile: Profile, read: ProfileRead, before: ResourceState | None) -> None:
    """Through the write path: `profile.created` when `before` is None (this transaction created it)."""
    # The feed carries the profile without its short-lived avatar URL (it would be stale when replayed).
    payload = read.model_dump(mode="json")
    payload["avatar_url"] = None
    if before is None:
        await writes.created(session, PROFILES, profile, payload=payload)
    else:
        await writes.updated(session, PROFILES, profile, before, payload=payload)


async def get_profile(
    session: AsyncSession, user_id: uuid.UUID, store: ObjectStore | None, settings: CoreSettings,
) -> ProfileRead:
    found = await repository.find_with_latest_body(session, user_id)
    if found is not None:  # the usual case: one query answers it
        profile, weight, body_fat = found
        return await to_read(session, profile, store, settings.presigned_url_seconds, (weight, body_fat))
    profile, created = await get_or_create(session, user_id)
    read = await to_read(session, profile, store, settings.presigned_url_seconds)
    if created:
        await _record(session, profile, read, None)
    return read


async def adopt_registered_name(
    session: AsyncSession, user_id: uuid.UUID, display_name: str, store: ObjectStore | None, settings: CoreSettings,
) -> None:
    """A new account's name becomes its profile's display name, unless the user already chose one."""
    profile, created = await get_or_create(session, user_id)
    if profile.display_name:
        return
    before = None if created else PROFILES.snapshot(profile)
    profile.display_name = display_name[:100]
    if not created:
        profile.version += 1
        profile.updated_at = utcnow()
    await session.flush()
    await _record(session, profile, await to_read(session, profile, store, settings.presigned_url_seconds), before)


def _metric_changes(data: ProfileUpdate) -> dict[str, object]:
    changes = data.model_dump(exclude_unset=True)
    conversions = (("height_in", "height_cm", inches_to_cm), ("target_weight_lb", "target_weight_kg", lb_to_kg),
                   ("weekly_rate_lb", "weekly_rate_kg", lb_to_kg))
    for imperial, metric, convert in conversions:
        if imperial in changes:
            value = changes.pop(imperial)
            changes[metric] = None if value is None else convert(value)  # type: ignore[operator]
    return changes


# What a field left out of a replacing PUT becomes: what a new profile has.
REPLACED_DEFAULTS: dict[str, object] = {
    "display_name": None, "birth_date": None, "sex": None, "height_cm": None, "activity_level": "sedentary",
    "goal": "maintain", "target_weight_kg": None, "weekly_rate_kg": None, "units": "metric", "time_zone": "UTC",
}


async def update_profile(
    session: AsyncSession, user_id: uuid.UUID, data: ProfileUpdate, if_match: str | None,
    store: ObjectStore | None, settings: CoreSettings, *, replace: bool = False,
) -> ProfileRead:
    """Merge the fields sent into the profile (PATCH), or with `replace` make them the whole profile (PUT)."""
    profile, created = await get_or_create(session, user_id)
    check_if_match(if_match, profile.version)
    sent = _metric_changes(data)
    wanted = {**REPLACED_DEFAULTS, **sent} if replace else sent
    # A write that changes nothing keeps the version, so a replayed PUT or PATCH is harmless.
    changes = {field: value for field, value in wanted.items() if getattr(profile, field) != value}
    before = None if created else PROFILES.snapshot(profile)
    for field, value in changes.items():
        setattr(profile, field, value)
    if changes:
        profile.version += 1
        profile.updated_at = utcnow()
    await session.flush()
    read = await to_read(session, profile, store, settings.presigned_url_seconds)
    if changes or created:
        await _record(session, profile, read, before)
    return read


async def replace_avatar(
    session: AsyncSession, user_id: uuid.UUID, data: bytes, store: ObjectStore, settings: CoreSettings,
) -> tuple[AvatarRead, str | None]:
    """Store the re-encoded image; returns its short-lived URL and the previous object key (to delete
    once this transaction committed)."""
    # Off the event loop, like the photo upload: verifying a 5 MiB image would stall every other request.
    await asyncio.to_thread(check_image, data, max_bytes=settings.avatar_max_bytes,
                            max_pixels=settings.max_image_pixels)
    encoded = await asyncio.to_thread(reencode_without_metadata, data, max_side=settings.avatar_max_side_px)
    key = await objects.put(store, AVATARS, user_id, f"{uuid.uuid4()}.{encoded.extension}", encoded.data,
                            encoded.content_type)
    profile, created = await get_or_create(session, user_id)
    before = None if created else PROFILES.snapshot(profile)
    previous = profile.avatar_key
    profile.avatar_key = key
    profile.version += 1
    profile.updated_at = utcnow()
    await session.flush()
    read = await to_read(session, profile, store, settings.presigned_url_seconds)
    await _record(session, profile, read, before)
    url = await store.presigned_url(key, settings.presigned_url_seconds)
    return AvatarRead(avatar_url=url, expires_in=settings.presigned_url_seconds), previous


async def _export(session: AsyncSession, user_id: uuid.UUID, settings: CoreSettings) -> ExportPart:
    """The profile as stored, with the avatar as a file of the export instead of its object key."""
    rows = await all_rows_of_user(session, Profile, user_id)
    if not rows:
        return ExportPart(None)
    profile = rows[0]
    record = columns(profile, leave_out=frozenset({"avatar_key"}))
    record["avatar_file"] = None
    media = []
    if profile.avatar_key:
        record["avatar_file"] = f"media/avatar{extension(profile.avatar_key)}"
        media.append(MediaFile(record["avatar_file"], profile.avatar_key, record, "avatar_file"))
    return ExportPart(record, media)


PROFILE_EXPORT = Exporter("profile", Profile, _export)
