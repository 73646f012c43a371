"""outbox subject: rows with the same subject are delivered in order per destination

The steps are shared by every service's outbox: `ladder.kit.outbox_schema`.

Revision ID: 16a0c0de0210
Revises: 14a7c0de0207
Create Date: 2026-12-06 22:30:00
"""

from collections.abc import Sequence

from ladder.kit.outbox_schema import downgrade_subject, upgrade_subject

revision: str = "16a0c0de0210"
down_revision: str | None = "14a7c0de0207"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "rules"


def upgrade() -> None:
    upgrade_subject(SCHEMA)


def downgrade() -> None:
    downgrade_subject(SCHEMA)
