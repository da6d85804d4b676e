"""Helpers every core domain uses: the caller's scoped session (bound to the write path), ownership,
If-Match, replays, soft deletes."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from redis.asyncio import Redis
from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fitjourney_common.db.base import utcnow
from fitjourney_common.db.engine import bind_user
from fitjourney_common.db.session import SessionDep
from fitjourney_common.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from fitjourney_common.runtime import RuntimeDep
from fitjourney_common.security import CurrentUser, Principal
from fitjourney_common.storage import ObjectStore
from fitjourney_core.runtime import CoreRuntime, core_runtime
from fitjourney_core.settings import CoreSettings
from fitjourney_core.writes import repository
from fitjourney_core.writes import service as writes
from fitjourney_core.writes.service import ResourceKind

ModelT = TypeVar("ModelT")


@dataclass(frozen=True)
class UserSession:
    """The authenticated caller and a session whose transactions run under their RLS identity."""

    session: AsyncSession
    user_id: uuid.UUID
    principal: Principal
    runtime: CoreRuntime  # the service's backends and settings, without a dependency of their own per route


async def get_core_runtime(runtime: RuntimeDep) -> CoreRuntime:
    return core_runtime(runtime)


CoreRuntimeDep = Annotated[CoreRuntime, Depends(get_core_runtime)]


async def get_user_session(request: Request, principal: CurrentUser, session: SessionDep) -> UserSession:
    # The runtime read here, not through CoreRuntimeDep: each dependency FastAPI solves costs ~13 µs a request.
    runtime = core_runtime(request.app.state.runtime)
    # Bound before any query, so PostgreSQL row-level security applies to everything the request runs.
    await bind_user(session, principal.user_id)
    writes.bind(session, runtime.writes)
    return UserSession(session=session, user_id=principal.user_id, principal=principal, runtime=runtime)


UserSessionDep = Annotated[UserSession, Depends(get_user_session)]


async def get_redis(runtime: CoreRuntimeDep) -> Redis:
    return runtime.redis


async def get_store(runtime: CoreRuntimeDep) -> ObjectStore:
    return runtime.store


async def get_settings(runtime: CoreRuntimeDep) -> CoreSettings:
    return runtime.settings


RedisDep = Annotated[Redis, Depends(get_redis)]
StoreDep = Annotated[ObjectStore, Depends(get_store)]
SettingsDep = Annotated[CoreSettings, Depends(get_settings)]


async def if_match_header(
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=64,
                                           description='The version you last saw, e.g. "3"')] = None,
) -> str | None:
    return if_match


# `If-Match: "3"` (or W/"3", or 3): the version the client last saw; absent means "don't check".
IfMatchDep = Annotated[str | None, Depends(if_match_header)]

_ETAG = re.compile(r'^(?:W/)?"?(\d{1,10})"?$')


def etag(version: int) -> str:
    """The ETag header value of a record at `version` (what clients send back in If-Match)."""
    return f'"{version}"'


def resource_label(model: type) -> str:
    """What a client calls a record of `model` ("body metric"): details never name internal tables."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower()


async def get_owned_or_404(
    session: AsyncSession, model: type[ModelT], record_id: uuid.UUID, user_id: uuid.UUID,
) -> ModelT:
    """The caller's live record with this id; another user's, a deleted or a missing one → 404 alike."""
    record = await repository.find_owned(session, model, record_id, user_id)
    if record is None:
        raise NotFound(f"No such {resource_label(model)}")
    return record


def check_if_match(if_match: str | None, current_version: int) -> None:
    """412 when the client's `If-Match` names an older (or other) version than the stored one."""
    if if_match is None:
        return
    value = if_match.strip()
    if value == "*":
        return
    matched = _ETAG.match(value)
    if matched is None:
        raise ValidationFailed("If-Match", 'must be the record\'s version, e.g. "3"')
    if int(matched.group(1)) != current_version:
        raise PreconditionFailed(
            f"You sent version {matched.group(1)}, the record is at version {current_version}",
            current_version=current_version,
        )


async def existing_for_replay(
    session: AsyncSession, model: type[ModelT], record_id: uuid.UUID | None, user_id: uuid.UUID,
) -> ModelT | None:
    """For a create with a client-generated id: the caller's record with that id if it already exists.

    - None: nothing of the caller's has that id; go on and insert (then `flush_new` maps a clash with
      a row the caller cannot see — another user's, hidden by RLS — to 409 Conflict).
    - The record: a replayed create; answer it with 200 instead of 201 and write nothing.
    - 409 Conflict if the caller already deleted the record with that id (an id is never reused).
    """
    if record_id is None:
        return None
    record = await repository.find_owned(session, model, record_id, user_id, include_deleted=True)
    if record is not None and getattr(record, "deleted_at", None) is not None:
        raise Conflict("This id belongs to a record that was deleted; create it with a new id")
    return record


# A create's client id that a row already has, whoever's it is.
ID_IN_USE = "This id is already in use; create the record with a new id"


async def flush_new(session: AsyncSession, record: Any, *, along: Select[Any] | None = None,
                    along_values: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """Insert `record` now, so an id already taken (by anyone) is a 409 instead of a 500 at commit; the row
    of `along`, a query run in the same round trip (`repository.insert_now`), if one is given."""
    try:
        return await repository.insert_now(session, record, along=along, along_values=along_values)
    except IntegrityError as exc:
        raise Conflict(ID_IN_USE) from exc


async def flush_new_reading_zone(session: AsyncSession, record: Any) -> None:
    """`flush_new`, with the owner's time zone read in the insert's round trip: the write path places the
    record on their calendar with it next (`writes.remember_time_zone`) instead of asking in a round trip
    of its own."""
    along = writes.time_zone_row(session)
    if along is None:
        await flush_new(session, record)
        return
    (zone,) = await flush_new(session, record, along=along, along_values={"zone_user_id": record.user_id})
    writes.remember_time_zone(session, record.user_id, zone or "UTC")


async def tombstone(
    session: AsyncSession, kind: ResourceKind, record: Any, if_match: str | None = None, before: Any = None,
) -> None:
    """Soft-delete a user's record (412 if `if_match` is stale) through the write path (sync tombstone,
    `<resource>.deleted`, cache). `before`: the figures to announce, when the caller changed them already."""
    check_if_match(if_match, record.version)
    before = before or kind.snapshot(record)
    record.deleted_at = utcnow()
    record.version += 1
    record.updated_at = utcnow()
    await session.flush()
    await writes.deleted(session, kind, record, before)
