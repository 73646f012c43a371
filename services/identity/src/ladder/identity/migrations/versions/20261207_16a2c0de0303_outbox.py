"""the identity service's outbox: it publishes events now (a revoked machine client)

Revision ID: 16a2c0de0303
Revises: 15a2c0de0302
Create Date: 2026-12-07 01:30:00
"""

from collections.abc import Sequence

from ladder.kit import outbox_schema

revision: str = "16a2c0de0303"
down_revision: str | None = "15a2c0de0302"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    outbox_schema.create_initial("identity")
    outbox_schema.upgrade_dead_letter("identity")
    outbox_schema.upgrade_subject("identity")


def downgrade() -> None:
    outbox_schema.drop_initial("identity")
