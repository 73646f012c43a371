"""Alembic environment of the identity service (schema `identity`)."""

from ladder.identity import models  # noqa: F401  (registers every table)
from ladder.identity.settings import SCHEMA
from ladder.kit.migrations import run_env

run_env(schema=SCHEMA)
