"""national review

Revision ID: 6a2d9e4b8c10
Revises: 5e1f0c3a7b21
Create Date: 2026-11-22 00:00:00
"""

from collections.abc import Sequence

revision: str = "6a2d9e4b8c10"
down_revision: str | None = "5e1f0c3a7b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
