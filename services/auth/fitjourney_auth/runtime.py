"""Auth's runtime: the backends it declares (database, outbox) plus its long-lived parts (keys, hasher,
lockout, OAuth providers, mail), built once per process by `main.open_auth_runtime`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from fitjourney_auth.keys import KeyStore
from fitjourney_auth.lockout import LoginLockout
from fitjourney_auth.mail import MailSender
from fitjourney_auth.models import SCHEMA, OutboxMessage
from fitjourney_auth.oauth.providers import OAuthProviders
from fitjourney_auth.passwords import PasswordHasher
from fitjourney_auth.settings import AuthSettings
from fitjourney_auth.tokens import AccessTokenIssuer
from fitjourney_common.runtime import BackendNeeds, Runtime

NEEDS = BackendNeeds(schema=SCHEMA, outbox_model=OutboxMessage)


@dataclass(kw_only=True)
class AuthRuntime(Runtime[AuthSettings]):
    """What an auth request, event handler or worker receives."""

    keys: KeyStore
    issuer: AccessTokenIssuer
    passwords: PasswordHasher
    lockout: LoginLockout
    mail: MailSender
    oauth: OAuthProviders
    http: httpx.AsyncClient


def auth_runtime(runtime: Any) -> AuthRuntime:
    """`runtime` as auth's runtime (for dependencies that receive the common type)."""
    assert isinstance(runtime, AuthRuntime)
    return runtime
