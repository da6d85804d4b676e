"""Admin request bodies."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from fitjourney_auth.schemas import RequestSchema

Role = Literal["user", "coach", "admin"]


class RolesUpdate(RequestSchema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"roles": ["user", "coach"]}]})

    # Every account keeps `user`; send the full set the account should have.
    roles: list[Role] = Field(min_length=1, max_length=3)
