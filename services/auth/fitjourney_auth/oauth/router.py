"""HTTP for OAuth / OpenID sign-in."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from fitjourney_auth.oauth import service
from fitjourney_auth.oauth.schemas import AccessTokenSignIn, IdTokenSignIn
from fitjourney_auth.sessions.router import TOKEN_RESPONSES, token_response
from fitjourney_auth.sessions.schemas import TokenResponse
from fitjourney_auth.settings import API_PREFIX
from fitjourney_auth.shared import AuthRuntimeDep, ClientDep, WantsCookie
from fitjourney_common.db.session import SessionDep

router = APIRouter(prefix=f"{API_PREFIX}/oauth", tags=["oauth"])
RESPONSES = {**TOKEN_RESPONSES, 404: {"description": "Provider not enabled"},
             409: {"description": "Email belongs to another account and is not verified by the provider"},
             503: {"description": "The provider cannot be reached"}}


# /facebook first: the `{provider}` route would otherwise catch it (and refuse it as not google/apple).
@router.post("/facebook", response_model=TokenResponse, response_model_exclude_none=True,
             summary="Sign in with a Facebook user access token", responses=RESPONSES)
async def facebook_sign_in(body: AccessTokenSignIn, session: SessionDep, runtime: AuthRuntimeDep, client: ClientDep,
                           response: Response, as_cookie: WantsCookie) -> TokenResponse:
    tokens = await service.sign_in(session, runtime, "facebook", body.access_token, body.display_name, client,
                                   "access_token")
    return token_response(tokens, response, runtime.settings, as_cookie)


@router.post("/{provider}", response_model=TokenResponse, response_model_exclude_none=True,
             summary="Sign in with a Google or Apple ID token", responses=RESPONSES)
async def openid_sign_in(provider: Literal["google", "apple"], body: IdTokenSignIn, session: SessionDep,
                         runtime: AuthRuntimeDep, client: ClientDep, response: Response,
                         as_cookie: WantsCookie) -> TokenResponse:
    tokens = await service.sign_in(session, runtime, provider, body.id_token, body.display_name, client, "id_token")
    return token_response(tokens, response, runtime.settings, as_cookie)
