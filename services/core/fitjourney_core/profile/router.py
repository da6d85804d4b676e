"""HTTP routes of /api/v1/profile and its avatar."""

from __future__ import annotations

import contextlib
import logging

from fastapi import APIRouter, BackgroundTasks, File, Response, UploadFile

from fitjourney_common.openapi import problems
from fitjourney_common.storage import ObjectStore
from fitjourney_core.profile import service
from fitjourney_core.profile.schemas import AvatarRead, ProfileRead, ProfileUpdate
from fitjourney_core.shared import IfMatchDep, SettingsDep, StoreDep, UserSessionDep, etag

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/profile", tags=["profile"])


@router.get("", response_model=ProfileRead, summary="My profile with derived daily targets (created on first read)")
async def get_profile(user: UserSessionDep, store: StoreDep, settings: SettingsDep, response: Response) -> ProfileRead:
    profile = await service.get_profile(user.session, user.user_id, store, settings)
    response.headers["ETag"] = etag(profile.version)
    return profile


@router.put("", response_model=ProfileRead,
            summary="Replace my profile: fields left out return to a new profile's defaults (If-Match)")
async def replace_profile(
    body: ProfileUpdate, user: UserSessionDep, store: StoreDep, settings: SettingsDep,
    if_match: IfMatchDep, response: Response,
) -> ProfileRead:
    profile = await service.update_profile(user.session, user.user_id, body, if_match, store, settings,
                                           replace=True)
    response.headers["ETag"] = etag(profile.version)
    return profile


@router.patch("", response_model=ProfileRead,
              summary="Change some fields of my profile (JSON merge patch: left out stay, null clears; If-Match)")
async def update_profile(
    body: ProfileUpdate, user: UserSessionDep, store: StoreDep, settings: SettingsDep,
    if_match: IfMatchDep, response: Response,
) -> ProfileRead:
    profile = await service.update_profile(user.session, user.user_id, body, if_match, store, settings)
    response.headers["ETag"] = etag(profile.version)
    return profile


async def _delete_quietly(store: ObjectStore, key: str) -> None:
    with contextlib.suppress(Exception):
        await store.delete(key)


@router.put("/avatar", response_model=AvatarRead, responses=problems(415),
            summary="Upload my avatar (JPEG, PNG or WebP ≤ 5 MiB; stored re-encoded without EXIF)",
            description="The picture is decoded and encoded again, so no metadata (GPS!) survives: opaque "
                        "pictures are stored as JPEG (a PNG without transparency comes back as a JPEG), "
                        "pictures with transparency as PNG.")
async def upload_avatar(
    user: UserSessionDep, store: StoreDep, settings: SettingsDep, background: BackgroundTasks,
    image: UploadFile = File(description="The picture"),
) -> AvatarRead:
    # Read one byte past the limit: enough to know it is too large without reading all of it.
    data = await image.read(settings.avatar_max_bytes + 1)
    avatar, previous_key = await service.replace_avatar(user.session, user.user_id, data, store, settings)
    if previous_key:
        # Runs after the response, so after the commit: the profile never points at a deleted object.
        background.add_task(_delete_quietly, store, previous_key)
    return avatar
