"""Email verification bodies."""

from __future__ import annotations

from pydantic import ConfigDict, EmailStr, Field

from fitjourney_auth.schemas import RequestSchema


class VerifyEmailRequest(RequestSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"token": "<token from the verification mail>"}]})

    token: str = Field(min_length=1, max_length=512)


class ResendVerificationRequest(RequestSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "ada@example.com"}]})

    email: EmailStr = Field(max_length=320)
