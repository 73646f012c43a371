"""Alembic environment of the rules service (schema `rules`)."""

from ladder.kit.migrations import run_env
from ladder.rules import models  # noqa: F401  (registers every table)
from ladder.rules.settings import SCHEMA

run_env(schema=SCHEMA)
