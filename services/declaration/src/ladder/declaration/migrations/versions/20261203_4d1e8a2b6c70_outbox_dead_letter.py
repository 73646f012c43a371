"""outbox dead letters: dead_at, last_attempt_at, replays; due rows exclude dead ones

The steps are shared by every service's outbox: `ladder.kit.outbox_schema`.

Revision ID: 4d1e8a2b6c70
Revises: 3c5d7e9f1a2b
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

from ladder.kit.outbox_schema import downgrade_dead_letter, upgrade_dead_letter

revision: str = "4d1e8a2b6c70"
down_revision: str | None = "3c5d7e9f1a2b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "declaration"


def upgrade() -> None:
    upgrade_dead_letter(SCHEMA)


def downgrade() -> None:
    downgrade_dead_letter(SCHEMA)
