"""HTTP routes of /api/v1/me: the user's data export and the erasure of their account."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response, status

from fitjourney_common.errors import ValidationFailed
from fitjourney_common.security import RecentlyAuthenticatedUser
from fitjourney_core.account import service
from fitjourney_core.account.export_job import ExportRunner
from fitjourney_core.account.schemas import AccountDeletion, DeletionScheduled, ExportRead
from fitjourney_core.shared import CoreRuntimeDep, RedisDep, SettingsDep, StoreDep, UserSessionDep

PREFIX = "/api/v1/me"
router = APIRouter(prefix=PREFIX, tags=["account"])


async def get_export_runner(runtime: CoreRuntimeDep) -> ExportRunner:
    return runtime.exports


ExportRunnerDep = Annotated[ExportRunner, Depends(get_export_runner)]


@router.post("/export", response_model=ExportRead, status_code=status.HTTP_202_ACCEPTED,
             summary="Export all my data as a zip (202; while one is pending, the same export again)")
async def request_export(
    user: UserSessionDep, store: StoreDep, settings: SettingsDep, runner: ExportRunnerDep, response: Response,
) -> ExportRead:
    export, _ = await service.request_export(user.session, settings, user.user_id, runner.start)
    response.headers["Location"] = f"{PREFIX}/export/{export.id}"
    return await service.to_read(export, store, settings)


@router.get("/export/{export_id}", response_model=ExportRead,
            summary="Status of an export; once ready, a short-lived download link (GET again for a fresh one)")
async def get_export(export_id: uuid.UUID, user: UserSessionDep, store: StoreDep, settings: SettingsDep) -> ExportRead:
    return await service.get_export(user.session, store, settings, user.user_id, export_id)


@router.delete("", response_model=DeletionScheduled, status_code=status.HTTP_202_ACCEPTED,
               summary='Erase my account and all my data everywhere; the body must be {"confirm": "DELETE"}',
               description="Irreversible, so a valid access token is not enough: its sign-in (`auth_time`) must be "
                           "within the last 5 minutes. Otherwise 403 `reauthentication-required`: get a fresh "
                           "token from `POST /api/v1/auth/reauthenticate` (password) or a new provider sign-in.")
async def delete_account(
    user: UserSessionDep, redis: RedisDep, _confirmed: RecentlyAuthenticatedUser,
    body: Annotated[AccountDeletion | None, Body()] = None,
) -> DeletionScheduled:
    if body is None:
        raise ValidationFailed("confirm", 'send {"confirm": "DELETE"} to erase your account')
    service.schedule_erasure(user.session, redis, user.user_id)
    return DeletionScheduled()
