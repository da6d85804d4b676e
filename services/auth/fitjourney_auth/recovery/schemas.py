"""Password reset bodies."""

from __future__ import annotations

from pydantic import EmailStr, Field

from fitjourney_auth.accounts.schemas import Password
from fitjourney_auth.schemas import RequestSchema


class ForgotPasswordRequest(RequestSchema):
    email: EmailStr = Field(max_length=320)


class ResetPasswordRequest(RequestSchema):
    token: str = Field(min_length=1, max_length=512)
    new_password: Password
