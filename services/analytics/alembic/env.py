"""Alembic environment of the analytics service: its models' metadata, migrated in schema `analytics`."""

from fitjourney_analytics.models import SCHEMA, Base
from fitjourney_common.db.migrations import run_env

run_env(Base.metadata, SCHEMA)
