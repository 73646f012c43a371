"""campaign quota policy: which quota policy each campaign uses, from campaign.changed

Revision ID: 14a2c0de0202
Revises: 5e0b42d88307
Create Date: 2026-12-04 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "14a2c0de0202"
down_revision: str | None = "5e0b42d88307"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaign_quota_policy",
        sa.Column("campaign_year", sa.Integer(), nullable=False),
        sa.Column("quota_policy", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("campaign_year", name=op.f("pk_campaign_quota_policy")),
        schema="rules",
    )


def downgrade() -> None:
    op.drop_table("campaign_quota_policy", schema="rules")
