"""The review schema's migrations and its models agree (`alembic check`)."""

from __future__ import annotations

from pathlib import Path

import ladder.review
from ladder.kit.migrations import check

MIGRATIONS = Path(ladder.review.__file__).resolve().parent / "migrations"


def test_models_and_migrations_agree(database_url: str):
    check(MIGRATIONS, database_url)
