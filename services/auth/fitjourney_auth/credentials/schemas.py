"""Bodies of re-authentication and of changing one's password or email."""

from __future__ import annotations

from pydantic import ConfigDict, EmailStr, Field

from fitjourney_auth.accounts.schemas import Password
from fitjourney_auth.schemas import RequestSchema


class ReauthenticateRequest(RequestSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"password": "<your password>"}]})

    password: Password


class PasswordChange(RequestSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "current_password": "<your password>", "new_password": "Another-horse-43"}]})

    # Required while the account has a password; an account that signs in only with a provider has none
    # and instead needs a sign-in within the last 5 minutes.
    current_password: Password | None = None
    new_password: Password


class EmailChange(RequestSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "email": "ada.lovelace@example.com", "current_password": "<your password>"}]})

    email: EmailStr = Field(max_length=320)
    current_password: Password | None = None
