"""OAuth sign-in bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from fitjourney_auth.schemas import DisplayName, RequestSchema

ProviderToken = Annotated[str, Field(min_length=1, max_length=8192)]


class IdTokenSignIn(RequestSchema):
    """Google and Apple: the ID token the provider gave the client."""

    id_token: ProviderToken
    # Apple shares the user's name with the app only once, outside the ID token.
    display_name: DisplayName | None = None


class AccessTokenSignIn(RequestSchema):
    """Facebook: the user access token the client obtained."""

    access_token: ProviderToken
    display_name: DisplayName | None = None
