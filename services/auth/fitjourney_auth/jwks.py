"""HTTP for the public signing keys (JWKS) every service verifies access tokens with."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from fitjourney_auth.settings import API_PREFIX
from fitjourney_auth.shared import AuthRuntimeDep

router = APIRouter(prefix=API_PREFIX, tags=["keys"])


@router.get("/.well-known/jwks.json", summary="Public keys that verify access tokens (by `kid`)")
async def jwks(runtime: AuthRuntimeDep, response: Response) -> dict[str, Any]:
    # Verifiers cache it; a token with an unknown kid makes them fetch it again (after a rotation).
    response.headers["Cache-Control"] = "public, max-age=300"
    return runtime.keys.jwks()
