"""HTTP for registration and the caller's own account."""

from __future__ import annotations

from fastapi import APIRouter, status

from fitjourney_auth.accounts.schemas import UserCreate, UserRead
from fitjourney_auth.deps import Accounts, Client
from fitjourney_common.security import CurrentUser

router = APIRouter(tags=["accounts"])


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=UserRead,
             summary="Create an account with email and password",
             responses={409: {"description": "Email already registered"},
                        422: {"description": "Invalid input or weak password (the rule is named)"}})
async def register(body: UserCreate, accounts: Accounts, client: Client) -> UserRead:
    return UserRead.model_validate(await accounts.register(body, client))


@router.get("/me", response_model=UserRead, summary="The signed-in account")
async def me(principal: CurrentUser, accounts: Accounts) -> UserRead:
    return UserRead.model_validate(await accounts.get_current(principal.user_id))
