"""Alembic environment of the review service (schema `review`)."""

from ladder.kit.migrations import run_env
from ladder.review import models  # noqa: F401  (registers every table)
from ladder.review.settings import SCHEMA

run_env(schema=SCHEMA)
