"""Sign-in, token and session bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field

from fitjourney_auth.schemas import ReadSchema, RequestSchema


class LoginRequest(RequestSchema):
    email: EmailStr = Field(max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(RequestSchema):
    # Optional: web clients send the refresh_token cookie instead.
    refresh_token: str | None = Field(default=None, min_length=1, max_length=512)


class TokenResponse(ReadSchema):
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
