"""Admin request bodies."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fitjourney_auth.schemas import RequestSchema

Role = Literal["user", "coach", "admin"]


class RolesUpdate(RequestSchema):
    # Every account keeps `user`; send the full set the account should have.
    roles: list[Role] = Field(min_length=1, max_length=3)
