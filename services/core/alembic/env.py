"""Alembic environment of the core service: every model's metadata, migrated in schema `core`."""

import os

from alembic import context

from fitjourney_common.db.migrations import run_env
from fitjourney_core.models import Base

if os.environ.get("DATABASE_URL") and not context.config.get_main_option("sqlalchemy.url"):
    context.config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"].replace("%", "%%"))

run_env(Base.metadata, "core")
