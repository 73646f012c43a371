"""Alembic environment of the declaration service (schema `declaration`)."""

from ladder.kit.migrations import run_env

from ladder.declaration import models  # noqa: F401  (registers every table)
from ladder.declaration.settings import SCHEMA

run_env(schema=SCHEMA)
