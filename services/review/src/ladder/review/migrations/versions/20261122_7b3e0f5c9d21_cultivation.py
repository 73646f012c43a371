"""cultivation and acceptance

Revision ID: 7b3e0f5c9d21
Revises: 6a2d9e4b8c10
Create Date: 2026-11-22 00:00:00
"""

from collections.abc import Sequence

revision: str = "7b3e0f5c9d21"
down_revision: str | None = "6a2d9e4b8c10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
