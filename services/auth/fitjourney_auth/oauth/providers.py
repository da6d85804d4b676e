"""Verification of what an OAuth provider hands the client.

Google and Apple ID tokens are checked against the provider's JWKS (fetched with httpx, cached);
Facebook access tokens through the Graph API's debug_token and /me endpoints.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from jose import jwt
from jose.exceptions import ExpiredSignatureError, JWTClaimsError, JWTError

from fitjourney_auth.settings import AuthSettings
from fitjourney_common.errors import NotFound, ServiceUnavailable, Unauthorized
from fitjourney_common.security import JWKSCache

log = logging.getLogger(__name__)

PROVIDERS = ("google", "apple", "facebook")
ID_TOKEN_ALGORITHMS = ["RS256"]


@dataclass(frozen=True)
class ProviderIdentity:
    provider: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None


class Provider(Protocol):
    name: str

    async def verify(self, credential: str) -> ProviderIdentity: ...


def _is_true(value: Any) -> bool:
    # Google sends a boolean, Apple sometimes the string "true".
    return value is True or (isinstance(value, str) and value.lower() == "true")


class OpenIDProvider:
    """Google and Apple: an ID token signed with one of the provider's published keys."""

    def __init__(self, name: str, client_ids: str, issuers: list[str], jwks: JWKSCache, leeway_seconds: int):
        self.name = name
        # Comma-separated: a mobile app and a web app have different client ids at the same provider.
        self.client_ids = frozenset(c.strip() for c in client_ids.split(",") if c.strip())
        self.issuers = issuers
        self.jwks = jwks
        self.leeway = leeway_seconds

    async def verify(self, credential: str) -> ProviderIdentity:
        try:
            header = jwt.get_unverified_header(credential)
        except JWTError as exc:
            raise Unauthorized(f"The {self.name} ID token is malformed") from exc
        if header.get("alg") not in ID_TOKEN_ALGORITHMS or not header.get("kid"):
            raise Unauthorized(f"The {self.name} ID token is not signed with an accepted algorithm")
        key = await self.jwks.get_key(str(header["kid"]))
        if key is None:
            raise Unauthorized(f"The {self.name} ID token is signed with a key {self.name} does not publish")
        try:
            # python-jose skips the iss check when the claim is absent: require it explicitly. The audience
            # is checked below, against every client id of ours (jose turns "require_aud" into a single-id check).
            claims = jwt.decode(
                credential, key, algorithms=ID_TOKEN_ALGORITHMS, issuer=self.issuers,
                options={"verify_aud": False, "require_iss": True, "require_exp": True,
                         "require_sub": True, "require_iat": True, "leeway": self.leeway, "verify_at_hash": False},
            )
        except ExpiredSignatureError as exc:
            raise Unauthorized(f"The {self.name} ID token has expired") from exc
        except JWTClaimsError as exc:
            raise Unauthorized(f"The {self.name} ID token is not for this app: {exc}") from exc
        except JWTError as exc:
            raise Unauthorized(f"The {self.name} ID token is invalid") from exc
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
        if not self.client_ids.intersection(a for a in audiences if isinstance(a, str)):
            raise Unauthorized(f"The {self.name} ID token is not for this app: invalid audience")
        subject = str(claims.get("sub") or "")
        if not subject:
            raise Unauthorized(f"The {self.name} ID token names no subject")
        email = claims.get("email")
        return ProviderIdentity(provider=self.name, subject=subject,
                                email=str(email) if email else None,
                                email_verified=bool(email) and _is_true(claims.get("email_verified")),
                                name=str(claims["name"]) if claims.get("name") else None)


class FacebookProvider:
    """Facebook: the client's user access token, checked with the app's credentials (debug_token)."""

    name = "facebook"

    def __init__(self, app_id: str, app_secret: str, debug_token_url: str, me_url: str, http: httpx.AsyncClient):
        self.app_id = app_id
        self.app_secret = app_secret
        self.debug_token_url = debug_token_url
        self.me_url = me_url
        self.http = http

    async def _get(self, url: str, params: dict[str, str]) -> dict[str, Any]:
        try:
            response = await self.http.get(url, params=params)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable("Facebook cannot be reached right now; try again") from exc
        if response.status_code >= 500:
            raise ServiceUnavailable("Facebook cannot check the token right now; try again")
        try:
            document = response.json()
        except ValueError as exc:
            raise ServiceUnavailable("Facebook answered with something that is not JSON") from exc
        if response.status_code >= 400 or not isinstance(document, dict):
            raise Unauthorized("Facebook refused the access token")
        return document

    async def verify(self, credential: str) -> ProviderIdentity:
        debug = await self._get(self.debug_token_url, {"input_token": credential,
                                                       "access_token": f"{self.app_id}|{self.app_secret}"})
        data = debug.get("data")
        if not isinstance(data, dict) or data.get("is_valid") is not True:
            raise Unauthorized("The Facebook access token is not valid")
        if str(data.get("app_id")) != self.app_id:
            raise Unauthorized("The Facebook access token was issued for another app")
        expires_at = data.get("expires_at")
        if isinstance(expires_at, int | float) and 0 < expires_at < time.time():
            raise Unauthorized("The Facebook access token has expired")
        user_id = str(data.get("user_id") or "")
        if not user_id:
            raise Unauthorized("The Facebook access token names no user")
        # appsecret_proof: Graph refuses a token stolen from another app's context.
        proof = hmac.new(self.app_secret.encode(), credential.encode(), hashlib.sha256).hexdigest()
        me = await self._get(self.me_url, {"fields": "id,email,name", "access_token": credential,
                                           "appsecret_proof": proof})
        if str(me.get("id")) != user_id:
            raise Unauthorized("Facebook's profile does not match the access token")
        email = me.get("email")
        # Graph API states no verification flag for the email: never link an existing account on it.
        return ProviderIdentity(provider=self.name, subject=user_id, email=str(email) if email else None,
                                email_verified=False, name=str(me["name"]) if me.get("name") else None)


class OAuthProviders:
    """The providers switched on in settings (a provider without a client id answers 404)."""

    def __init__(self, settings: AuthSettings, http: httpx.AsyncClient):
        self._providers: dict[str, Provider] = {}
        ttl = settings.oauth_jwks_cache_seconds
        if settings.google_client_id:
            self._providers["google"] = OpenIDProvider(
                "google", settings.google_client_id, settings.google_issuers,
                JWKSCache(settings.google_jwks_url, ttl, client=http), settings.oauth_leeway_seconds)
        if settings.apple_client_id:
            self._providers["apple"] = OpenIDProvider(
                "apple", settings.apple_client_id, settings.apple_issuers,
                JWKSCache(settings.apple_jwks_url, ttl, client=http), settings.oauth_leeway_seconds)
        if settings.facebook_app_id and settings.facebook_app_secret:
            self._providers["facebook"] = FacebookProvider(
                settings.facebook_app_id, settings.facebook_app_secret, settings.facebook_debug_token_url,
                settings.facebook_me_url, http)

    def get(self, name: str) -> Provider:
        provider = self._providers.get(name)
        if provider is None:
            raise NotFound(f"Sign-in with {name} is not enabled")
        return provider

    @property
    def enabled(self) -> list[str]:
        return sorted(self._providers)
