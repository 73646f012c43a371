"""expert grants: which expert reads which declaration version under review (review events)

Revision ID: 14a5c0de0005
Revises: 14a6c0de0006
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "14a5c0de0005"
down_revision: str | None = "14a6c0de0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "expert_grant",
        sa.Column("declaration_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("expert", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cause", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declaration.declaration.id"],
            name=op.f("fk_expert_grant_declaration_id_declaration"),
        ),
        sa.PrimaryKeyConstraint(
            "declaration_id", "version", "expert", name=op.f("pk_expert_grant")
        ),
        schema="declaration",
    )
    op.create_index(
        op.f("ix_declaration_expert_grant_expert"),
        "expert_grant",
        ["expert", "declaration_id"],
        unique=False,
        schema="declaration",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_declaration_expert_grant_expert"), table_name="expert_grant", schema="declaration"
    )
    op.drop_table("expert_grant", schema="declaration")
