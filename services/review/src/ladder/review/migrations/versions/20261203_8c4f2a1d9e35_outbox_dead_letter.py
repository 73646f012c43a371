"""outbox dead letters: dead_at, last_attempt_at, replays; due rows exclude dead ones

The steps are shared by every service's outbox: `ladder.kit.outbox_schema`.

Revision ID: 8c4f2a1d9e35
Revises: ec55b9a21aa9
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

from ladder.kit.outbox_schema import downgrade_dead_letter, upgrade_dead_letter

revision: str = "8c4f2a1d9e35"
down_revision: str | None = "ec55b9a21aa9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "review"


def upgrade() -> None:
    upgrade_dead_letter(SCHEMA)


def downgrade() -> None:
    downgrade_dead_letter(SCHEMA)
