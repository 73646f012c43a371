"""outbox dead letters: dead_at, last_attempt_at, replays; due rows exclude dead ones

The steps are shared by every service's outbox: `ladder.kit.outbox_schema`.

Revision ID: 2b9d6e4f1a83
Revises: f6bef7734b48
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

from ladder.kit.outbox_schema import downgrade_dead_letter, upgrade_dead_letter

revision: str = "2b9d6e4f1a83"
down_revision: str | None = "f6bef7734b48"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "rules"


def upgrade() -> None:
    upgrade_dead_letter(SCHEMA)


def downgrade() -> None:
    downgrade_dead_letter(SCHEMA)
