"""campaigns through the API: a campaign is Versioned with a revision log and names its quota
policy, 公示 period and cultivation period; deadline chains are per jurisdiction and tier

A chain written before this revision applied to every tier; 251号 sets its dates for 卓越级
(二(二)1) and 领航级 (三(二)1) only, so each becomes an `excellence` and a `pilot` chain (the same
deadlines, the same revisions); no 先进级 chain is made (一(二): the province's own calendar).

Revision ID: 14a2c0de0002
Revises: 14a5c0de0005
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "14a2c0de0002"
down_revision: str | None = "14a5c0de0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "declaration"
TIERS = "'basic', 'advanced', 'excellence', 'pilot'"
# Each chain written before this revision, copied as its pilot chain (the old one becomes the
# excellence chain by the column's default).
COPY_AS_PILOT = (
    "INSERT INTO declaration.campaign_deadline_chain"
    " (campaign_year, jurisdiction, row_version, updated_by, updated_at, tier)"
    " SELECT campaign_year, jurisdiction, row_version, updated_by, updated_at, 'pilot'"
    " FROM declaration.campaign_deadline_chain",
    "INSERT INTO declaration.campaign_deadline"
    " (campaign_year, jurisdiction, level, closes_at, source, clause, clause_text, note, tier)"
    " SELECT campaign_year, jurisdiction, level, closes_at, source, clause, clause_text, note,"
    " 'pilot' FROM declaration.campaign_deadline",
    "INSERT INTO declaration.campaign_deadline_revision"
    " (campaign_year, jurisdiction, row_version, deadlines, changed_by, changed_at, tier)"
    " SELECT campaign_year, jurisdiction, row_version, deadlines, changed_by, changed_at,"
    " 'pilot' FROM declaration.campaign_deadline_revision",
)
KEEP_EXCELLENCE = (
    "DELETE FROM declaration.campaign_deadline_revision WHERE tier <> 'excellence'",
    "DELETE FROM declaration.campaign_deadline WHERE tier <> 'excellence'",
    "DELETE FROM declaration.campaign_deadline_chain WHERE tier <> 'excellence'",
)


def _string(name: str, length: int, default: str) -> sa.Column:
    return sa.Column(
        name,
        sqlmodel.sql.sqltypes.AutoString(length=length),
        nullable=False,
        server_default=default,
    )


def upgrade() -> None:
    # The campaign: versioned, who last changed it, the named parameters it passes on.
    op.add_column(
        "campaign",
        sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        schema=S,
    )
    op.add_column("campaign", _string("quota_policy", 40, "2025"), schema=S)
    op.add_column("campaign", _string("publicity_period", 40, "ladder-default"), schema=S)
    op.add_column("campaign", _string("cultivation_period", 40, "251-2025"), schema=S)
    op.add_column("campaign", _string("updated_by", 200, "seed"), schema=S)
    op.add_column(
        "campaign",
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        schema=S,
    )
    for column in (
        "quota_policy",
        "publicity_period",
        "cultivation_period",
        "updated_by",
        "updated_at",
    ):
        op.alter_column("campaign", column, server_default=None, schema=S)
    op.create_table(
        "campaign_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_year", sa.Integer(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("changed", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_revision")),
        schema=S,
    )
    op.create_index(
        op.f("ix_declaration_campaign_revision_campaign_year"),
        "campaign_revision",
        ["campaign_year"],
        unique=False,
        schema=S,
    )

    # The chains: a tier in every key; each old chain becomes an excellence and a pilot one.
    op.drop_constraint(
        "fk_campaign_deadline_campaign_year_campaign_deadline_chain",
        "campaign_deadline",
        type_="foreignkey",
        schema=S,
    )
    for table in ("campaign_deadline_chain", "campaign_deadline", "campaign_deadline_revision"):
        op.add_column(table, _string("tier", 20, "excellence"), schema=S)
        op.alter_column(table, "tier", server_default=None, schema=S)
    op.drop_constraint("pk_campaign_deadline", "campaign_deadline", schema=S)
    op.drop_constraint("pk_campaign_deadline_chain", "campaign_deadline_chain", schema=S)
    op.create_primary_key(
        op.f("pk_campaign_deadline_chain"),
        "campaign_deadline_chain",
        ["campaign_year", "jurisdiction", "tier"],
        schema=S,
    )
    op.create_primary_key(
        op.f("pk_campaign_deadline"),
        "campaign_deadline",
        ["campaign_year", "jurisdiction", "tier", "level"],
        schema=S,
    )
    for statement in COPY_AS_PILOT:
        op.execute(statement)
    op.create_foreign_key(
        op.f("fk_campaign_deadline_campaign_year_campaign_deadline_chain"),
        "campaign_deadline",
        "campaign_deadline_chain",
        ["campaign_year", "jurisdiction", "tier"],
        ["campaign_year", "jurisdiction", "tier"],
        source_schema=S,
        referent_schema=S,
        ondelete="CASCADE",
    )
    op.create_check_constraint(
        op.f("ck_campaign_deadline_chain_tier_known"),
        "campaign_deadline_chain",
        f"tier IN ({TIERS})",
        schema=S,
    )


def downgrade() -> None:
    # Back to one chain per jurisdiction: the excellence chain is kept (it was the old one).
    op.drop_constraint(
        op.f("ck_campaign_deadline_chain_tier_known"), "campaign_deadline_chain", schema=S
    )
    op.drop_constraint(
        op.f("fk_campaign_deadline_campaign_year_campaign_deadline_chain"),
        "campaign_deadline",
        type_="foreignkey",
        schema=S,
    )
    for statement in KEEP_EXCELLENCE:
        op.execute(statement)
    op.drop_constraint("pk_campaign_deadline", "campaign_deadline", schema=S)
    op.drop_constraint("pk_campaign_deadline_chain", "campaign_deadline_chain", schema=S)
    for table in ("campaign_deadline_chain", "campaign_deadline", "campaign_deadline_revision"):
        op.drop_column(table, "tier", schema=S)
    op.create_primary_key(
        "pk_campaign_deadline_chain",
        "campaign_deadline_chain",
        ["campaign_year", "jurisdiction"],
        schema=S,
    )
    op.create_primary_key(
        "pk_campaign_deadline",
        "campaign_deadline",
        ["campaign_year", "jurisdiction", "level"],
        schema=S,
    )
    op.create_foreign_key(
        "fk_campaign_deadline_campaign_year_campaign_deadline_chain",
        "campaign_deadline",
        "campaign_deadline_chain",
        ["campaign_year", "jurisdiction"],
        ["campaign_year", "jurisdiction"],
        source_schema=S,
        referent_schema=S,
        ondelete="CASCADE",
    )
    op.drop_index(
        op.f("ix_declaration_campaign_revision_campaign_year"),
        table_name="campaign_revision",
        schema=S,
    )
    op.drop_table("campaign_revision", schema=S)
    for column in (
        "updated_at",
        "updated_by",
        "cultivation_period",
        "publicity_period",
        "quota_policy",
        "row_version",
    ):
        op.drop_column("campaign", column, schema=S)
