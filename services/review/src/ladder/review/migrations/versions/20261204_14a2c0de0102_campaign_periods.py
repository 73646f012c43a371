"""campaign periods: the named 公示 and cultivation periods each campaign uses, from
campaign.changed

Revision ID: 14a2c0de0102
Revises: b2236e06a9e9
Create Date: 2026-12-04 21:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "14a2c0de0102"
down_revision: str | None = "b2236e06a9e9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaign_periods",
        sa.Column("campaign_year", sa.Integer(), nullable=False),
        sa.Column("publicity_period", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "cultivation_period", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        ),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("campaign_year", name=op.f("pk_campaign_periods")),
        schema="review",
    )


def downgrade() -> None:
    op.drop_table("campaign_periods", schema="review")
