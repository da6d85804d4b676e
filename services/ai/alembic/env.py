"""Alembic environment of the ai service: every model's metadata, migrated in schema `ai`."""

from fitjourney_ai.models import Base
from fitjourney_common.db.migrations import run_env

run_env(Base.metadata, "ai")
