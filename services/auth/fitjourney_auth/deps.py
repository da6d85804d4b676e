"""`Annotated` dependencies the routers share: the service objects, the client, the cookie choice."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query

from fitjourney_auth.accounts.service import AccountService
from fitjourney_auth.admin.service import AdminService
from fitjourney_auth.client import ClientInfo
from fitjourney_auth.oauth.service import OAuthService
from fitjourney_auth.recovery.service import RecoveryService
from fitjourney_auth.runtime import AuthRuntime, auth_runtime
from fitjourney_auth.sessions.service import SessionService
from fitjourney_common.db.session import SessionDep
from fitjourney_common.runtime import RuntimeDep


def get_components(runtime: RuntimeDep) -> AuthRuntime:
    return auth_runtime(runtime)


Components = Annotated[AuthRuntime, Depends(get_components)]
Client = Annotated[ClientInfo, Depends(ClientInfo.from_request)]


def _accounts(db: SessionDep, components: Components) -> AccountService:
    return AccountService(db, components)


def _sessions(db: SessionDep, components: Components) -> SessionService:
    return SessionService(db, components)


def _oauth(db: SessionDep, components: Components) -> OAuthService:
    return OAuthService(db, components)


def _recovery(db: SessionDep, components: Components) -> RecoveryService:
    return RecoveryService(db, components)


def _admin(db: SessionDep, components: Components) -> AdminService:
    return AdminService(db, components)


Accounts = Annotated[AccountService, Depends(_accounts)]
Sessions = Annotated[SessionService, Depends(_sessions)]
OAuth = Annotated[OAuthService, Depends(_oauth)]
Recovery = Annotated[RecoveryService, Depends(_recovery)]
Admin = Annotated[AdminService, Depends(_admin)]


def wants_refresh_cookie(
    cookie: Annotated[bool, Query(description="Send the refresh token as an HttpOnly cookie")] = False,
    x_refresh_cookie: Annotated[str | None, Header(description="`1` = same as ?cookie=true")] = None,
) -> bool:
    return cookie or (x_refresh_cookie or "").strip().lower() in ("1", "true", "yes")


WantsCookie = Annotated[bool, Depends(wants_refresh_cookie)]
