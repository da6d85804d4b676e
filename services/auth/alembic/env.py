"""Alembic environment of the auth service: every model's metadata, migrated in schema `auth`."""

import os

from alembic import context

from fitjourney_auth.models import SCHEMA, Base
from fitjourney_common.db.migrations import run_env

if os.environ.get("DATABASE_URL") and not context.config.get_main_option("sqlalchemy.url"):
    context.config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"].replace("%", "%%"))

run_env(Base.metadata, SCHEMA)
