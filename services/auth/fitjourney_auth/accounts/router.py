"""HTTP for registration and the caller's own account."""

from __future__ import annotations

from fastapi import APIRouter, status

from fitjourney_auth.accounts import service
from fitjourney_auth.accounts.schemas import UserCreate, UserRead
from fitjourney_auth.settings import API_PREFIX
from fitjourney_auth.shared import AuthRuntimeDep, ClientDep
from fitjourney_common.db.session import SessionDep
from fitjourney_common.security import CurrentUser

router = APIRouter(prefix=API_PREFIX, tags=["accounts"])


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=UserRead,
             summary="Create an account with email and password",
             responses={409: {"description": "Email already registered"},
                        422: {"description": "Invalid input or weak password (the rule is named)"}})
async def register(body: UserCreate, session: SessionDep, runtime: AuthRuntimeDep, client: ClientDep) -> UserRead:
    return await service.register(session, runtime, body, client)


@router.get("/me", response_model=UserRead, summary="The signed-in account")
async def me(principal: CurrentUser, session: SessionDep) -> UserRead:
    return await service.get_current(session, principal.user_id)
