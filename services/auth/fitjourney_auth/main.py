"""Builds the auth service's FastAPI app (the only place it is built; nothing happens at import time)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing

import httpx
from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from fitjourney_auth.accounts.router import router as accounts_router
from fitjourney_auth.admin.router import router as admin_router
from fitjourney_auth.consumers import subscriptions
from fitjourney_auth.credentials.router import router as credentials_router
from fitjourney_auth.jwks import router as jwks_router
from fitjourney_auth.keys import KeyStore, LocalJWKS
from fitjourney_auth.lockout import LoginLockout
from fitjourney_auth.mail import MailSender, mail_sender_for
from fitjourney_auth.oauth.providers import OAuthProviders, redact_http_client_logs
from fitjourney_auth.oauth.router import router as oauth_router
from fitjourney_auth.passwords import PasswordHasher
from fitjourney_auth.recovery.router import router as recovery_router
from fitjourney_auth.runtime import NEEDS, AuthRuntime
from fitjourney_auth.sessions.router import router as sessions_router
from fitjourney_auth.settings import AuthSettings
from fitjourney_auth.tokens import AccessTokenIssuer
from fitjourney_auth.verification.router import router as verification_router
from fitjourney_common.runtime import open_runtime, running_events, runtime_lifespan
from fitjourney_common.security import TokenVerifier
from fitjourney_common.service_defaults import install_service_defaults


def create_key_store(settings: AuthSettings) -> KeyStore:
    return KeyStore(settings.keys_path, settings.access_ttl_seconds, settings.key_reload_seconds)


@asynccontextmanager
async def open_auth_runtime(settings: AuthSettings, *, run_event_worker: bool,
                            mail_sender: MailSender | None = None) -> AsyncIterator[AuthRuntime]:
    """Auth's backends, keys and components and (with `run_event_worker`) its events: what the app's
    lifespan and `python -m fitjourney_auth.worker` both run."""
    redact_http_client_logs()
    mail = mail_sender or mail_sender_for(settings)  # outside dev without SMTP_URL: refuse to start
    keys = create_key_store(settings)
    # Outside dev a missing key is a deployment mistake: refuse to start rather than invent one.
    await asyncio.to_thread(keys.load, generate_if_missing=settings.is_dev)
    # Auth verifies its own tokens from its key store, not by fetching its own JWKS over HTTP.
    verifier = TokenVerifier(LocalJWKS(keys), settings.jwt_issuer, settings.jwt_audience)
    async with (
        open_runtime(settings, NEEDS, token_verifier=verifier) as backends,
        httpx.AsyncClient(timeout=settings.oauth_http_timeout_seconds,
                          headers={"User-Agent": "fitjourney-auth"}) as http,
    ):
        with closing(PasswordHasher(settings.bcrypt_rounds, settings.password_hash_threads,
                                    settings.password_hash_niceness)) as passwords:
            await passwords.warm_up()
            runtime = AuthRuntime(
                **backends.backends(),
                keys=keys,
                issuer=AccessTokenIssuer(keys, settings.jwt_issuer, settings.jwt_audience, settings.access_ttl_seconds),
                passwords=passwords,
                lockout=LoginLockout(backends.redis, max_attempts=settings.lockout_max_attempts,
                                     address_max_attempts=settings.lockout_address_max_attempts,
                                     window_seconds=settings.lockout_window_seconds,
                                     max_lock_seconds=settings.lockout_max_seconds),
                mail=mail,
                oauth=OAuthProviders(settings, http),
                http=http,
            )
            async with running_events(runtime, subscriptions(runtime), consume=run_event_worker):
                yield runtime


def create_app(settings: AuthSettings | None = None, *, mail_sender: MailSender | None = None) -> FastAPI:
    """The auth app; `mail_sender` replaces the configured one (SMTP, or the log in dev), e.g. to collect
    mails in tests."""
    settings = settings or AuthSettings()
    open_service = functools.partial(open_auth_runtime, mail_sender=mail_sender)
    app = FastAPI(
        title="FitJourney auth",
        version="1.0.0",
        summary="Accounts, tokens, sessions, OAuth sign-in and roles",
        lifespan=runtime_lifespan(open_service, settings),
        redoc_url=None,
    )
    install_service_defaults(app, settings)
    # The client's address (lockout, audit, sessions) from X-Forwarded-For only when the peer is one of
    # TRUSTED_PROXIES (Kong), walking the header from the right: a client cannot pick its own address.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    for router in (accounts_router, verification_router, sessions_router, credentials_router, oauth_router,
                   recovery_router, admin_router, jwks_router):
        app.include_router(router)
    return app
