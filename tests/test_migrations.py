"""`alembic check` for every service: the models and the migrations agree."""

from __future__ import annotations

import pytest

from ladder.kit import migrations
from tools.services import SERVICES


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_models_match_migrations(service, database_url):
    migrations.check(service.migrations_dir(), database_url)


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_revisions_are_date_prefixed(service):
    files = sorted(p.name for p in (service.migrations_dir() / "versions").glob("*.py"))
    assert files, f"{service.name} has no migration"
    for name in files:
        assert name[:8].isdigit() and name[8] == "_", name
