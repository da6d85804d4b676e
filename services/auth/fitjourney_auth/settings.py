"""Auth service settings: token lifetimes, key directory, lockout, password reset, mail, OAuth providers, cookies."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from fitjourney_auth.mail import SmtpServer
from fitjourney_common.settings import DEV_DATA_DIR, CommonSettings

API_PREFIX = "/api/v1/auth"


class AuthSettings(CommonSettings):
    """Read from plain environment variables (ACCESS_TTL_SECONDS, KEY_DIR, GOOGLE_CLIENT_ID, ...)."""

    service_name: str = "auth"

    # Tokens
    access_ttl_seconds: int = Field(default=900, ge=30)
    refresh_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=60)
    # Where the RS256 signing keys live as PEM files; default `{data_dir}/keys`.
    key_dir: Path | None = None
    # How often (at most) the key directory is re-read, so a `rotate-keys` run reaches running replicas.
    key_reload_seconds: float = Field(default=10.0, ge=0)

    # Passwords: cost 12 in every real deployment; tests may lower it to stay fast.
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    # bcrypt checks at once per process (a quarter second of a core each at cost 12), on threads this many
    # nice steps below the rest: a burst of sign-ins waits for spare CPU instead of slowing every request.
    password_hash_threads: int = Field(default=1, ge=1)
    password_hash_niceness: int = Field(default=10, ge=0, le=19)

    # Lockout: this many failed sign-ins for one email from one client address within the window lock
    # that pair for the window; this many from one address (any emails) lock the address. Each further
    # lock of the same pair or address within LOCKOUT_MAX_SECONDS lasts twice as long, up to that.
    lockout_max_attempts: int = Field(default=5, ge=1)
    lockout_address_max_attempts: int = Field(default=20, ge=1)
    lockout_window_seconds: int = Field(default=900, ge=1)
    lockout_max_seconds: int = Field(default=24 * 3600, ge=1)
    # Peers whose X-Forwarded-For is believed (addresses or CIDR networks, comma-separated): Kong's.
    # Anyone else's header is ignored, so a client cannot choose the address its attempts count against.
    trusted_proxies: str = "127.0.0.1,::1"

    # Password reset
    reset_token_ttl_seconds: int = Field(default=1800, ge=60)
    # Reset mails per account, so repeated requests cannot flood someone's inbox (the answer stays 202).
    reset_mail_rate: str = "3/hour"
    # `{token}` is replaced by the reset token; the web client reads it from its own page.
    password_reset_url: str = "http://127.0.0.1:8000/reset-password?token={token}"  # noqa: S105
    # Email verification: registration mails a link (`{token}` replaced) that activates the account.
    verification_token_ttl_seconds: int = Field(default=24 * 3600, ge=3600)
    email_verification_url: str = "http://127.0.0.1:8000/verify-email?token={token}"
    mail_from: str = "FitJourney <no-reply@fitjourney.local>"
    # Outgoing mail (fitjourney_auth.mail): `smtp://user:password@host:587` (STARTTLS required), `smtps://…:465`
    # (TLS from the first byte) or `smtp+plain://host:25` (a relay on a trusted network). Unset: dev and test
    # write mails to the log; staging and production refuse to start the service and its worker (the CLI's
    # jobs need no mail), since registration and password reset only work through their mailed links.
    smtp_url: str | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)

    # OAuth / OpenID Connect providers; a provider without a client id is switched off (404). Google and
    # Apple client ids may be comma-separated lists (iOS, Android and web clients have their own).
    google_client_id: str | None = None
    google_jwks_url: str = "https://www.googleapis.com/oauth2/v3/certs"
    google_issuers: list[str] = ["https://accounts.google.com", "accounts.google.com"]
    apple_client_id: str | None = None
    apple_jwks_url: str = "https://appleid.apple.com/auth/keys"
    apple_issuers: list[str] = ["https://appleid.apple.com"]
    facebook_app_id: str | None = None
    facebook_app_secret: str | None = None
    facebook_debug_token_url: str = "https://graph.facebook.com/v19.0/debug_token"  # noqa: S105
    facebook_me_url: str = "https://graph.facebook.com/v19.0/me"
    oauth_jwks_cache_seconds: int = Field(default=3600, ge=0)
    oauth_http_timeout_seconds: float = Field(default=5.0, gt=0)
    # Clock skew tolerated on provider tokens' exp/iat.
    oauth_leeway_seconds: int = Field(default=30, ge=0)

    # Refresh-token cookie for web clients
    refresh_cookie_name: str = "refresh_token"
    refresh_cookie_path: str = API_PREFIX
    refresh_cookie_secure: bool = True
    refresh_cookie_samesite: Literal["strict", "lax", "none"] = "strict"
    refresh_cookie_domain: str | None = None

    @property
    def keys_path(self) -> Path:
        return self.key_dir if self.key_dir is not None else self.data_dir / "keys"

    @property
    def jwks_path(self) -> Path:
        """The public JWKS document other services read in embedded dev mode (`file://…/keys/jwks.json`)."""
        return self.keys_path / "jwks.json"

    @model_validator(mode="after")
    def check_refresh_cookie(self) -> AuthSettings:
        # Without Secure the 7-day refresh token would travel over plain HTTP; browsers also drop a
        # SameSite=None cookie that is not Secure. Only dev (plain http://127.0.0.1) may switch it off.
        if not self.refresh_cookie_secure and (self.refresh_cookie_samesite == "none" or not self.is_dev):
            raise ValueError("REFRESH_COOKIE_SECURE may be false only in dev, and never with SameSite=none")
        return self

    @model_validator(mode="after")
    def refuse_dev_key_dir(self) -> AuthSettings:
        # `make dev` keeps its signing keys in .data/keys: a real deployment signing with them would accept
        # tokens minted by anyone who ran the dev mode on that checkout.
        if not self.is_dev and self.keys_path == DEV_DATA_DIR / "keys":
            raise ValueError("KEY_DIR must be set outside dev (the default .data/keys holds make dev's keys)")
        return self

    @model_validator(mode="after")
    def check_mail_backend(self) -> AuthSettings:
        if self.smtp_url:
            SmtpServer.parse(self.smtp_url)  # a malformed URL stops the start, not the first registration
        return self

    @model_validator(mode="after")
    def check_facebook_secret(self) -> AuthSettings:
        if self.facebook_app_id and not self.facebook_app_secret:
            raise ValueError("FACEBOOK_APP_SECRET must be set when FACEBOOK_APP_ID is")
        return self
