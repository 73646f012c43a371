"""self-assessments organised by a central-SOE group HQ (251号 一(一))

Revision ID: 14a6c0de0006
Revises: 9cf11025d300
Create Date: 2026-12-04 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "14a6c0de0006"
down_revision: str | None = "9cf11025d300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "declaration"


def upgrade() -> None:
    op.add_column(
        "self_assessment",
        sa.Column("central_soe_group", sa.String(18, collation="C"), nullable=True),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_self_assessment_by_group",
        "self_assessment",
        ["campaign_year", "central_soe_group", "region_code", "enterprise_uscc", "factory_name"],
        schema=SCHEMA,
        postgresql_where=sa.text("central_soe_group IS NOT NULL"),
    )
    op.add_column(
        "self_assessment_import",
        sa.Column("central_soe_group", sa.String(18), nullable=True),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("self_assessment_import", "central_soe_group", schema=SCHEMA)
    op.drop_index("ix_self_assessment_by_group", "self_assessment", schema=SCHEMA)
    op.drop_column("self_assessment", "central_soe_group", schema=SCHEMA)
