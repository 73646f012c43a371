"""register tier count: the register's 卓越级 counts per year, from recognition.tier_counts

Revision ID: 14a7c0de0207
Revises: 14a4c0de0204
Create Date: 2026-12-04 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "14a7c0de0207"
down_revision: str | None = "14a4c0de0204"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "register_tier_count",
        sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("counts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("source_kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("source_ref", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tier", "year", name=op.f("pk_register_tier_count")),
        schema="rules",
    )


def downgrade() -> None:
    op.drop_table("register_tier_count", schema="rules")
