"""HTTP for proving who one is again (a fresh `auth_time`) and for changing one's password or email."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response, status

from fitjourney_auth.accounts.schemas import UserRead
from fitjourney_auth.credentials import service
from fitjourney_auth.credentials.schemas import EmailChange, PasswordChange, ReauthenticateRequest
from fitjourney_auth.sessions import service as sessions
from fitjourney_auth.sessions.schemas import TokenResponse
from fitjourney_auth.settings import API_PREFIX
from fitjourney_auth.shared import AuthRuntimeDep, ClientDep
from fitjourney_common.db.session import SessionDep
from fitjourney_common.openapi import problems
from fitjourney_common.security import CurrentUser, may_require_recent_authentication

router = APIRouter(prefix=API_PREFIX, tags=["credentials"])

CONFIRMATION_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Wrong current password, or no valid access token"},
    429: {"description": "Too many wrong passwords for this email from this address (the sign-in lockout)"},
}


@router.post("/reauthenticate", response_model=TokenResponse, response_model_exclude_none=True,
             summary="Confirm it is you with your password: a new access token with a fresh `auth_time`",
             description="Irreversible operations (`DELETE /api/v1/me`, changing the password or email of an "
                         "account without one) want a credential checked within the last 5 minutes. The new "
                         "access token belongs to the same session; the refresh token does not change.",
             responses={**CONFIRMATION_ERRORS,
                        **problems(409, _409="The account has no password: sign in with its provider again")})
async def reauthenticate(body: ReauthenticateRequest, principal: CurrentUser, session: SessionDep,
                         runtime: AuthRuntimeDep, client: ClientDep, response: Response) -> TokenResponse:
    access = await sessions.reauthenticate(session, runtime, principal, body.password, client)
    response.headers["Cache-Control"] = "no-store"
    return TokenResponse(access_token=access, expires_in=runtime.settings.access_ttl_seconds)


@router.put("/me/password", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
            dependencies=[Depends(may_require_recent_authentication)],
            summary="Change my password (with the current one); signs out every other device",
            responses={**CONFIRMATION_ERRORS,
                       422: {"description": "current_password missing, or the new one is weak (the rule is named)"}})
async def change_password(body: PasswordChange, principal: CurrentUser, session: SessionDep,
                          runtime: AuthRuntimeDep, client: ClientDep) -> Response:
    await service.change_password(session, runtime, principal, body.current_password, body.new_password, client)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/me/email", response_model=UserRead, dependencies=[Depends(may_require_recent_authentication)],
            summary="Change my sign-in email (with the current password); the old address is told",
            responses={**CONFIRMATION_ERRORS, **problems(409, _409="Another account has this email")})
async def change_email(body: EmailChange, principal: CurrentUser, session: SessionDep, runtime: AuthRuntimeDep,
                       client: ClientDep) -> UserRead:
    return await service.change_email(session, runtime, principal, str(body.email), body.current_password, client)
