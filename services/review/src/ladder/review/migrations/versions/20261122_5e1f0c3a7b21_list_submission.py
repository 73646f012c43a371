"""recommendation list submission

Revision ID: 5e1f0c3a7b21
Revises: be27cfd7a5ad
Create Date: 2026-11-22 00:00:00
"""

from collections.abc import Sequence

revision: str = "5e1f0c3a7b21"
down_revision: str | None = "be27cfd7a5ad"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
