"""HTTP for registration and the caller's own account."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, status

from fitjourney_auth.accounts import service
from fitjourney_auth.accounts.schemas import RegistrationAccepted, UserCreate, UserRead
from fitjourney_auth.settings import API_PREFIX
from fitjourney_auth.shared import AuthRuntimeDep, ClientDep
from fitjourney_common.db.session import SessionDep
from fitjourney_common.security import CurrentUser

router = APIRouter(prefix=API_PREFIX, tags=["accounts"])


@router.post("/register", status_code=status.HTTP_202_ACCEPTED, response_model=RegistrationAccepted,
             summary="Create an account with email and password (the same 202 whether or not the email has one)",
             description="A new email gets its account and a mail with a verification link: once the token is "
                         "confirmed (`POST /verify-email`), sign in with `POST /login` (before that, sign-in "
                         "answers as a wrong password does). An email that already has an account gets a mail "
                         "telling its owner instead. The answer is the same either way, so it reveals no account.",
             responses={422: {"description": "Invalid input or weak password (the rule is named)"}})
async def register(body: UserCreate, session: SessionDep, runtime: AuthRuntimeDep, client: ClientDep,
                   background: BackgroundTasks) -> RegistrationAccepted:
    message = await service.register(session, runtime, body, client)
    if message is not None:
        # After the response, in both cases: a slow mail server cannot tell the two apart either.
        background.add_task(runtime.mail.send, message)
    return RegistrationAccepted()


@router.get("/me", response_model=UserRead, summary="The signed-in account")
async def me(principal: CurrentUser, session: SessionDep) -> UserRead:
    return await service.get_current(session, principal.user_id)
