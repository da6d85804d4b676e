"""An account made through auth's API as its owner makes one: register, read the mailed token, confirm it.
Password sign-in works only after that (an unconfirmed account answers as a wrong password)."""

from __future__ import annotations

import httpx

from fitjourney_common.testing.smtp import VERIFICATION_TOKEN, SmtpInbox

AUTH = "/api/v1/auth"


async def register_confirmed(auth: httpx.AsyncClient, inbox: SmtpInbox, email: str, password: str,
                             display_name: str = "Test User") -> str:
    """`auth` is a client of auth (or of a gateway in front of it); `inbox` the SMTP server auth mails to.
    Returns the verification token (spent)."""
    created = await auth.post(f"{AUTH}/register", json={"email": email, "password": password,
                                                        "display_name": display_name})
    assert created.status_code == 202, created.text
    token = await inbox.token(email, VERIFICATION_TOKEN)
    confirmed = await auth.post(f"{AUTH}/verify-email", json={"token": token})
    assert confirmed.status_code == 204, confirmed.text
    return token
