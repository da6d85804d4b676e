"""Alembic environment of the skeleton service: every model's metadata, migrated in schema `skeleton`."""

from fitjourney_common.db.migrations import run_env
from fitjourney_skeleton.models import Base

run_env(Base.metadata, "skeleton")
