"""declaration recommending unit (who may read it, as the review service routed it)

Revision ID: 3c5d7e9f1a2b
Revises: f7a1650b7b49
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "3c5d7e9f1a2b"
down_revision: str | None = "f7a1650b7b49"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "declaration",
        sa.Column("recommending_unit", sqlmodel.sql.sqltypes.AutoString(length=22), nullable=True),
        schema="declaration",
    )


def downgrade() -> None:
    op.drop_column("declaration", "recommending_unit", schema="declaration")
