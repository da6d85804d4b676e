"""Password reset bodies."""

from __future__ import annotations

from pydantic import ConfigDict, EmailStr, Field

from fitjourney_auth.accounts.schemas import Password
from fitjourney_auth.schemas import RequestSchema


class ForgotPasswordRequest(RequestSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "ada@example.com"}]})

    email: EmailStr = Field(max_length=320)


class ResetPasswordRequest(RequestSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "token": "<token from the reset mail>", "new_password": "Another-horse-43"}]})

    token: str = Field(min_length=1, max_length=512)
    new_password: Password
