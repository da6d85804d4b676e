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
from pydantic import EmailStr, TypeAdapter, ValidationError

from fitjourney_auth.schemas import DISPLAY_NAME_MAX, has_control_characters
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


SUBJECT_MAX = 255  # auth.identities.subject
EMAIL_MAX = 320
_EMAIL = TypeAdapter(EmailStr)


def _is_true(value: Any) -> bool:
    # Google sends a boolean, Apple sometimes the string "true".
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _usable_email(value: Any) -> str | None:
    """The provider's email if it is one: a list, an over-long string or NUL would otherwise reach the
    users table (a 500, or an account named "['a@b.c']")."""
    if not isinstance(value, str) or not value or len(value) > EMAIL_MAX:
        return None
    try:
        return str(_EMAIL.validate_python(value))  # the same check registration applies
    except ValidationError:
        return None


def _usable_name(value: Any) -> str | None:
    """A profile name fit for `display_name`: text without control characters, cut to the column's size."""
    if not isinstance(value, str):
        return None
    name = "".join(ch for ch in value if not has_control_characters(ch)).strip()[:DISPLAY_NAME_MAX].strip()
    return name or None


def provider_identity(provider: str, subject: Any, email: Any, email_verified: bool, name: Any) -> ProviderIdentity:
    """What we keep of a verified provider answer, every field checked to fit our tables."""
    subject = str(subject) if isinstance(subject, str | int) and not isinstance(subject, bool) else ""
    if not subject or len(subject) > SUBJECT_MAX or has_control_characters(subject):
        raise Unauthorized(f"The {provider} token names no usable subject")
    usable_email = _usable_email(email)
    return ProviderIdentity(provider=provider, subject=subject, email=usable_email,
                            email_verified=usable_email is not None and email_verified, name=_usable_name(name))


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
        return provider_identity(self.name, claims.get("sub"), claims.get("email"),
                                 _is_true(claims.get("email_verified")), claims.get("name"))


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
        user_id = data.get("user_id")
        if not isinstance(user_id, str | int) or isinstance(user_id, bool) or not str(user_id):
            raise Unauthorized("The Facebook access token names no user")
        user_id = str(user_id)
        # appsecret_proof: Graph refuses a token stolen from another app's context.
        proof = hmac.new(self.app_secret.encode(), credential.encode(), hashlib.sha256).hexdigest()
        me = await self._get(self.me_url, {"fields": "id,email,name", "access_token": credential,
                                           "appsecret_proof": proof})
        if str(me.get("id")) != user_id:
            raise Unauthorized("Facebook's profile does not match the access token")
        # Graph API states no verification flag for the email: never link an existing account on it.
        return provider_identity(self.name, user_id, me.get("email"), False, me.get("name"))


class RedactQueryStrings(logging.Filter):
    """httpx logs every request's full URL at INFO. The Graph API calls carry the app secret and the
    user's access token in their query strings, which must never reach the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_without_query(arg) for arg in record.args)
        return True


def _without_query(value: object) -> object:
    if isinstance(value, httpx.URL) and value.query:
        return f"{value.copy_with(query=None)}?[redacted]"
    return value


def redact_http_client_logs() -> None:
    """Install the filter on httpx's logger once per process."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, RedactQueryStrings) for f in logger.filters):
        logger.addFilter(RedactQueryStrings())


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
