"""HTTP for password recovery."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Response, status

from fitjourney_auth.recovery import service
from fitjourney_auth.recovery.schemas import ForgotPasswordRequest, ResetPasswordRequest
from fitjourney_auth.settings import API_PREFIX
from fitjourney_auth.shared import AuthRuntimeDep, ClientDep
from fitjourney_common.db.session import SessionDep

router = APIRouter(prefix=f"{API_PREFIX}/password", tags=["password"])


@router.post("/forgot", status_code=status.HTTP_202_ACCEPTED, response_class=Response,
             responses={202: {"description": "Accepted; the body is empty"}},
             summary="Mail a reset link (always 202, whether or not the email has an account)")
async def forgot_password(body: ForgotPasswordRequest, session: SessionDep, runtime: AuthRuntimeDep,
                          client: ClientDep, background: BackgroundTasks) -> Response:
    message = await service.request_reset(session, runtime, str(body.email), client)
    if message is not None:
        # Sent after the response: the token is committed by then, and a slow mail server adds no
        # latency that would tell registered emails apart.
        background.add_task(runtime.mail.send, message)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post("/reset", status_code=status.HTTP_204_NO_CONTENT,
             summary="Set a new password with a reset token; ends every session of the account",
             responses={400: {"description": "Invalid, expired or used token"},
                        422: {"description": "Weak password (the rule is named)"}})
async def reset_password(body: ResetPasswordRequest, session: SessionDep, runtime: AuthRuntimeDep,
                         client: ClientDep) -> Response:
    await service.reset(session, runtime, body.token, body.new_password, client)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
