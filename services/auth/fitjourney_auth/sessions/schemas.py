"""Sign-in, token and session bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, EmailStr, Field

from fitjourney_auth.accounts.schemas import Password
from fitjourney_auth.schemas import ReadSchema, RequestSchema


class LoginRequest(RequestSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "email": "ada@example.com", "password": "Correct-horse-42"}]})

    email: EmailStr = Field(max_length=320)
    password: Password


class RefreshRequest(RequestSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"refresh_token": "<refresh_token from /login>"}]})

    # Optional: web clients send the refresh_token cookie instead.
    refresh_token: str | None = Field(default=None, min_length=1, max_length=512)


class TokenResponse(ReadSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "access_token": "eyJhbGciOiJSUzI1NiIsImtpZCI6Ii4uLiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
        "refresh_token": "rt_4f9c2b7e1d8a4c6b9e0f3a2d5c8b1e7f", "token_type": "bearer", "expires_in": 900}]})

    access_token: str
    # Left out of the body when it travels as the refresh_token cookie.
    refresh_token: str | None = None
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int


class SessionRead(ReadSchema):
    id: uuid.UUID
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    user_agent: str | None
    ip: str | None
    current: bool = False
