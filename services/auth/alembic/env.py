"""Alembic environment of the auth service: every model's metadata, migrated in schema `auth`."""

from fitjourney_auth.models import SCHEMA, Base
from fitjourney_common.db.migrations import run_env

run_env(Base.metadata, SCHEMA)
