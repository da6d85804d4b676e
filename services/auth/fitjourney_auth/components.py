"""The service's long-lived parts (keys, hasher, lockout, caches, providers, mail), built once per app."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from fitjourney_auth.keys import KeyStore
from fitjourney_auth.lockout import LoginLockout
from fitjourney_auth.mail import MailSender
from fitjourney_auth.oauth.providers import OAuthProviders
from fitjourney_auth.passwords import PasswordHasher
from fitjourney_auth.sessions.cache import RefreshTokenCache
from fitjourney_auth.settings import AuthSettings
from fitjourney_auth.tokens import AccessTokenIssuer
from fitjourney_common.ratelimit import RateLimiter


@dataclass
class AuthComponents:
    settings: AuthSettings
    keys: KeyStore
    issuer: AccessTokenIssuer
    passwords: PasswordHasher
    lockout: LoginLockout
    refresh_cache: RefreshTokenCache
    mail: MailSender
    oauth: OAuthProviders
    http: httpx.AsyncClient
    rate_limiter: RateLimiter
