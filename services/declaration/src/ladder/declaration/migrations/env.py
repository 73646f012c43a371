"""Alembic environment of the declaration service (schema `declaration`)."""

from ladder.declaration import models  # noqa: F401  (registers every table)
from ladder.declaration.settings import SCHEMA
from ladder.kit.migrations import run_env

run_env(schema=SCHEMA)
