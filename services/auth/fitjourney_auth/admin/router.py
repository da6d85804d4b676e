"""HTTP for administration (admins only: 401 without a token, 403 without the role)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from fitjourney_auth.accounts.schemas import AdminUserRead
from fitjourney_auth.admin import service
from fitjourney_auth.admin.schemas import RolesUpdate
from fitjourney_auth.settings import API_PREFIX
from fitjourney_auth.shared import ClientDep
from fitjourney_common.db.pagination import ListParamsDep, Page
from fitjourney_common.db.session import SessionDep
from fitjourney_common.security import Principal, require_roles
from fitjourney_common.text import Text

router = APIRouter(prefix=f"{API_PREFIX}/users", tags=["admin"])
AdminUser = Annotated[Principal, require_roles("admin")]


@router.get("", response_model=Page[AdminUserRead], summary="All accounts, oldest first")
async def list_users(_: AdminUser, session: SessionDep, params: ListParamsDep,
                     # Text: no control character (C0, DEL, C1), which no email holds and PostgreSQL cannot
                     # always store.
                     email: Annotated[Text | None, Query(max_length=320, description="Email prefix")] = None,
                     ) -> Page[AdminUserRead]:
    return await service.list_users(session, params, email)


@router.patch("/{user_id}/roles", response_model=AdminUserRead, summary="Set an account's roles",
              responses={404: {"description": "No such user"}, 409: {"description": "Would leave no admin"}})
async def set_roles(user_id: uuid.UUID, body: RolesUpdate, principal: AdminUser, session: SessionDep,
                    client: ClientDep) -> AdminUserRead:
    return await service.set_roles(session, principal.user_id, user_id, body.roles, client)
