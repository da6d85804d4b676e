"""Account request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import EmailStr, Field

from fitjourney_auth.schemas import DisplayName, ReadSchema, RequestSchema

# Generous here: the password policy names the exact rule (length, bcrypt's 72 bytes) in its own words.
Password = Annotated[str, Field(min_length=1, max_length=1024)]


class UserCreate(RequestSchema):
    email: EmailStr = Field(max_length=320)
    password: Password
    display_name: DisplayName


class UserRead(ReadSchema):
    id: uuid.UUID
    email: str | None
    display_name: str
    roles: list[str]


class AdminUserRead(UserRead):
    created_at: datetime
    has_password: bool
