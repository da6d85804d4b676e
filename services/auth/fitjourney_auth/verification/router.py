"""HTTP for email verification."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Response, status

from fitjourney_auth.settings import API_PREFIX
from fitjourney_auth.shared import AuthRuntimeDep, ClientDep
from fitjourney_auth.verification import service
from fitjourney_auth.verification.schemas import ResendVerificationRequest, VerifyEmailRequest
from fitjourney_common.db.session import SessionDep

router = APIRouter(prefix=f"{API_PREFIX}/verify-email", tags=["accounts"])


@router.post("", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
             summary="Confirm the account's email with the token from the mail (single use); then sign in",
             responses={400: {"description": "Invalid, expired or used token"},
                        422: {"description": "No token given"}})
async def verify_email(body: VerifyEmailRequest, session: SessionDep, client: ClientDep) -> Response:
    await service.verify(session, body.token, client)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/resend", status_code=status.HTTP_202_ACCEPTED, response_class=Response,
             responses={202: {"description": "Accepted; the body is empty"}},
             summary="Mail a new verification link (always 202, whether or not the email has an account "
                     "waiting for one; a few mails an hour at most)")
async def resend_verification(body: ResendVerificationRequest, session: SessionDep, runtime: AuthRuntimeDep,
                              client: ClientDep, background: BackgroundTasks) -> Response:
    message = await service.resend(session, runtime, str(body.email), client)
    if message is not None:
        background.add_task(runtime.mail.send, message)  # after the commit, and adding no time to the answer
    return Response(status_code=status.HTTP_202_ACCEPTED)
