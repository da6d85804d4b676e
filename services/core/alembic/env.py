"""Alembic environment of the core service: every model's metadata, migrated in schema `core`."""

from fitjourney_common.db.migrations import run_env
from fitjourney_core.models import Base

run_env(Base.metadata, "core")
