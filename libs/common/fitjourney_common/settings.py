"""Settings every service shares, read from the environment only (12-factor)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_DATA_DIR = Path(".data")
# Placeholders that are fine on a laptop and refused anywhere else (see `refuse_dev_secrets`).
DEV_SECRET = "dev-only-not-a-secret"  # noqa: S105 - a marker that is refused outside dev


class CommonSettings(BaseSettings):
    """Backends are chosen by URL (DESIGN §2); a service subclasses this for its own settings."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    environment: Literal["dev", "test", "staging", "production"] = "dev"
    service_name: str = "fitjourney"
    data_dir: Path = DEV_DATA_DIR

    database_url: str = f"sqlite+aiosqlite:///{DEV_DATA_DIR}/fitjourney.db"
    # Only for a service that declares `BackendNeeds(read_only_database=True)`: a read-only role or a
    # replica it reads other data through; DATABASE_URL when unset.
    read_database_url: str | None = None
    # Connections each process keeps open, sized for its concurrency: a request holds one for its whole
    # transaction. No overflow by default: connections opened and closed per burst cost more than a short
    # wait for a pooled one (a wait longer than DB_POOL_TIMEOUT_SECONDS is a 503).
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=0, ge=0)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    # Renew connections before a proxy or load balancer cuts idle ones (PgBouncer, RDS Proxy, NAT timeouts).
    db_pool_recycle_seconds: int = Field(default=1800, ge=1)
    db_echo: bool = False
    redis_url: str = "memory://"
    broker_url: str = "memory://"
    events_exchange: str = "fitjourney.events"
    object_store_url: str = f"file://{DEV_DATA_DIR}/objects"
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    object_url_secret: str = DEV_SECRET

    # Token verification (every service) — RS256 keys published by auth at its JWKS URL.
    jwks_url: str = f"file://{DEV_DATA_DIR}/keys/jwks.json"
    jwks_cache_seconds: int = 300
    jwt_issuer: str = "https://auth.fitjourney.local"
    jwt_audience: str = "fitjourney"

    rate_limit_api: str = "100/minute"
    max_json_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_json_depth: int = Field(default=32, ge=4)
    max_upload_bytes: int = Field(default=12 * 1024 * 1024, ge=1024)

    log_level: str = "INFO"
    log_json: bool = True
    # No endpoint: nothing is traced or instrumented (no cost). With one, this share of the traces that
    # start in the service is kept (parent-based: a sampled caller's trace is always continued).
    otlp_endpoint: str | None = None
    trace_sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)
    outbox_poll_seconds: float = 0.5
    # On SIGTERM a worker lets in-flight handlers finish this long before it disconnects (unacked ones are
    # redelivered); keep it under the orchestrator's grace period (Kubernetes: 30 s).
    shutdown_drain_seconds: float = Field(default=20.0, ge=0)
    # API replicas relay the outbox and consume events too, unless a separate worker process does
    # (`python -m fitjourney_<service>.worker` with RUN_EVENT_WORKER=false on the API).
    run_event_worker: bool = True
    # A worker process serves no HTTP API; it serves its metrics (events, lag, outbox) on this port, 0 = off.
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    # Prepended to the service's queue names, so test runs (each with its own exchange) never share a queue.
    events_queue_prefix: str = Field(default="", max_length=100)

    def queue_name(self, name: str) -> str:
        """The durable queue `name` of this deployment; replicas share it (competing consumers)."""
        return self.events_queue_prefix + name

    @property
    def events_queue(self) -> str:
        """The one durable queue the service consumes from, `<service>.events` (replicas share it)."""
        return self.queue_name(f"{self.service_name}.events")

    # Outside dev/test the in-process backends (SQLite, memory://, file://) are refused unless this is
    # set: a single-box demo may want them, a production deployment never by accident.
    allow_dev_backends: bool = False

    @property
    def is_dev(self) -> bool:
        return self.environment in ("dev", "test")

    @model_validator(mode="after")
    def refuse_dev_secrets(self) -> CommonSettings:
        """Outside dev and test, a default secret is a deployment mistake: refuse to start."""
        if not self.is_dev:
            for name, value in self.model_dump().items():
                # The URL-signing secret only matters to the local-folder store.
                unused = name == "object_url_secret" and not self.object_store_url.startswith("file://")
                if value == DEV_SECRET and not unused:
                    raise ValueError(f"{name.upper()} must be set outside dev (it still has the dev default)")
        return self


def dev_extra(module: str, needed_for: str) -> Any:
    """Import a package of the `dev` extra (in-process backends), saying how to get it when it is missing."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise RuntimeError(f"{needed_for} is an in-process dev backend; it needs the dev extra "
                           "(pip install 'fitjourney-common[dev]'), which images leave out") from exc
