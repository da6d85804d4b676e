"""Account request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, EmailStr, Field

from fitjourney_auth.schemas import DisplayName, ReadSchema, RequestSchema
from fitjourney_common.text import SchemaExtra

# Generous here: the password policy names the exact rule (length, bcrypt's 72 bytes) in its own words.
# `format: password`: clients mask it, and nothing ever shows it back.
Password = Annotated[str, Field(min_length=1, max_length=1024), SchemaExtra.of({"format": "password"})]
REGISTRATION_ACCEPTED = ("Check your mail. If this email had no account, it has one now: open the link in "
                         "the mail to confirm the address, then sign in with your email and password.")


class UserCreate(RequestSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "email": "ada@example.com", "password": "Correct-horse-42", "display_name": "Ada"}]})

    email: EmailStr = Field(max_length=320)
    password: Password
    display_name: DisplayName


class RegistrationAccepted(ReadSchema):
    """The one answer to every registration: it does not say whether the email already had an account."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "status": "accepted", "detail": REGISTRATION_ACCEPTED}]})

    status: Literal["accepted"] = "accepted"
    detail: str = REGISTRATION_ACCEPTED


class UserRead(ReadSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "7d3f1a2b-9c8e-4d5f-a6b7-c8d9e0f1a2b3", "email": "ada@example.com", "display_name": "Ada",
        "roles": ["user"]}]})

    id: uuid.UUID
    email: str | None
    display_name: str
    roles: list[str]


class AdminUserRead(UserRead):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "7d3f1a2b-9c8e-4d5f-a6b7-c8d9e0f1a2b3", "email": "ada@example.com", "display_name": "Ada",
        "roles": ["user"], "created_at": "2026-11-20T09:00:00Z", "has_password": True}]})

    created_at: datetime
    has_password: bool
