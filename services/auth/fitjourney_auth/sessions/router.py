"""HTTP for sign-in, refresh, sign-out and the caller's sessions."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Body, Request, Response, status

from fitjourney_auth.sessions import service
from fitjourney_auth.sessions.cookies import clear_refresh_cookie, refresh_cookie, set_refresh_cookie
from fitjourney_auth.sessions.schemas import LoginRequest, RefreshRequest, SessionRead, TokenResponse
from fitjourney_auth.sessions.service import IssuedTokens
from fitjourney_auth.settings import API_PREFIX, AuthSettings
from fitjourney_auth.shared import AuthRuntimeDep, ClientDep, WantsCookie
from fitjourney_common.db.pagination import ListParamsDep, Page
from fitjourney_common.db.session import SessionDep
from fitjourney_common.errors import Unauthorized
from fitjourney_common.security import CurrentUser

router = APIRouter(prefix=API_PREFIX, tags=["sessions"])

TOKEN_RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "Wrong credentials or invalid token"},
}


def token_response(tokens: IssuedTokens, response: Response, settings: AuthSettings, as_cookie: bool) -> TokenResponse:
    """The token pair; with `as_cookie` the refresh token goes in the cookie and not in the body."""
    response.headers["Cache-Control"] = "no-store"
    if as_cookie:
        set_refresh_cookie(response, settings, tokens.refresh_token, tokens.refresh_expires_in)
    return TokenResponse(access_token=tokens.access_token, expires_in=tokens.expires_in,
                         refresh_token=None if as_cookie else tokens.refresh_token)


@router.post("/login", response_model=TokenResponse, response_model_exclude_none=True,
             summary="Sign in with email and password",
             responses={**TOKEN_RESPONSES, 429: {"description": "Email locked after too many failures"}})
async def login(body: LoginRequest, session: SessionDep, runtime: AuthRuntimeDep, client: ClientDep,
                response: Response, as_cookie: WantsCookie) -> TokenResponse:
    tokens = await service.password_sign_in(session, runtime, str(body.email), body.password, client)
    return token_response(tokens, response, runtime.settings, as_cookie)


@router.post("/refresh", response_model=TokenResponse, response_model_exclude_none=True,
             summary="Swap a refresh token (body or cookie) for a new token pair", responses=TOKEN_RESPONSES)
async def refresh(request: Request, runtime: AuthRuntimeDep, client: ClientDep,
                  response: Response, as_cookie: WantsCookie,
                  body: RefreshRequest | None = Body(default=None)) -> TokenResponse:
    settings = runtime.settings
    token = body.refresh_token if body and body.refresh_token else None
    from_cookie = token is None
    token = token or refresh_cookie(request, settings)
    if token is None:
        raise Unauthorized("Send refresh_token in the body or the refresh_token cookie")
    tokens = await service.refresh(runtime, token, client)
    return token_response(tokens, response, settings, as_cookie or from_cookie)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=TOKEN_RESPONSES,
             summary="End the session of a refresh token (body or cookie)")
async def logout(request: Request, session: SessionDep, runtime: AuthRuntimeDep, client: ClientDep,
                 body: RefreshRequest | None = Body(default=None)) -> Response:
    settings = runtime.settings
    token = (body.refresh_token if body else None) or refresh_cookie(request, settings)
    if token is None:
        raise Unauthorized("Send refresh_token in the body or the refresh_token cookie")
    await service.logout(session, runtime, token, client)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_refresh_cookie(response, settings)
    return response


@router.get("/sessions", response_model=Page[SessionRead], summary="The caller's active sessions")
async def list_sessions(principal: CurrentUser, session: SessionDep, params: ListParamsDep) -> Page[SessionRead]:
    return await service.list_active(session, principal.user_id, params, principal.claims.get("sid"))


@router.delete("/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="End one of the caller's sessions", responses={404: {"description": "No such session"}})
async def revoke_session(session_id: uuid.UUID, principal: CurrentUser, session: SessionDep,
                         runtime: AuthRuntimeDep, client: ClientDep) -> Response:
    await service.revoke(session, runtime, principal.user_id, session_id, client)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
