"""national review: expert pool, assignments, score sheets, 现场核查, 公示 and objections

Revision ID: 6a2d9e4b8c10
Revises: 5e1f0c3a7b21
Create Date: 2026-11-22 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "6a2d9e4b8c10"
down_revision: str | None = "5e1f0c3a7b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "national_expert",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column(
            "fields",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("organisation_uscc", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True),
        sa.Column("group_uscc", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column(
            "integrators",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "declared_conflicts",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_expert")),
        sa.UniqueConstraint("account", name=op.f("uq_national_expert_account")),
        schema="review",
    )
    op.create_index(
        op.f("ix_review_national_expert_region_code"),
        "national_expert",
        ["region_code"],
        unique=False,
        schema="review",
    )
    op.create_table(
        "national_publicity",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("campaign_year", sa.Integer(), nullable=False),
        sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("announced_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("closed_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_publicity")),
        sa.UniqueConstraint(
            "campaign_year", "tier", name=op.f("uq_national_publicity_campaign_year_tier")
        ),
        schema="review",
    )
    op.create_table(
        "national_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("duty", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("assigned_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "assigned_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["review.review_case.id"],
            name=op.f("fk_national_assignment_case_id_review_case"),
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["review.national_expert.id"],
            name=op.f("fk_national_assignment_expert_id_national_expert"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_assignment")),
        sa.UniqueConstraint(
            "case_id",
            "expert_id",
            "duty",
            name=op.f("uq_national_assignment_case_id_expert_id_duty"),
        ),
        schema="review",
    )
    op.create_index(
        op.f("ix_review_national_assignment_expert_id"),
        "national_assignment",
        ["expert_id"],
        unique=False,
        schema="review",
    )
    op.create_table(
        "national_objection",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("publicity_id", sa.Uuid(), nullable=False),
        sa.Column("declaration_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("contact", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("content", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("resolution", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("resolved_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["publicity_id"],
            ["review.national_publicity.id"],
            name=op.f("fk_national_objection_publicity_id_national_publicity"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_objection")),
        schema="review",
    )
    op.create_index(
        op.f("ix_review_national_objection_publicity_id"),
        "national_objection",
        ["publicity_id", "status"],
        unique=False,
        schema="review",
    )
    op.create_table(
        "national_onsite",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("scheduled_on", sa.Date(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("conclusion", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("concluded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["review.review_case.id"],
            name=op.f("fk_national_onsite_case_id_review_case"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_onsite")),
        sa.UniqueConstraint("case_id", name=op.f("uq_national_onsite_case_id")),
        schema="review",
    )
    op.create_table(
        "national_publicity_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publicity_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("declaration_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("enterprise_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("factory_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["review.review_case.id"],
            name=op.f("fk_national_publicity_entry_case_id_review_case"),
        ),
        sa.ForeignKeyConstraint(
            ["publicity_id"],
            ["review.national_publicity.id"],
            name=op.f("fk_national_publicity_entry_publicity_id_national_publicity"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_publicity_entry")),
        sa.UniqueConstraint(
            "publicity_id",
            "declaration_id",
            name=op.f("uq_national_publicity_entry_publicity_id_declaration_id"),
        ),
        schema="review",
    )
    op.create_table(
        "national_score_sheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("expert_id", sa.Uuid(), nullable=False),
        sa.Column("scores", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "submitted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["review.review_case.id"],
            name=op.f("fk_national_score_sheet_case_id_review_case"),
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["review.national_expert.id"],
            name=op.f("fk_national_score_sheet_expert_id_national_expert"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_score_sheet")),
        sa.UniqueConstraint(
            "case_id", "expert_id", name=op.f("uq_national_score_sheet_case_id_expert_id")
        ),
        schema="review",
    )
    op.create_table(
        "national_onsite_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("onsite_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("text_en", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("declared_value", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("finding", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["onsite_id"],
            ["review.national_onsite.id"],
            name=op.f("fk_national_onsite_item_onsite_id_national_onsite"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_onsite_item")),
        sa.UniqueConstraint("onsite_id", "key", name=op.f("uq_national_onsite_item_onsite_id_key")),
        schema="review",
    )


def downgrade() -> None:
    op.drop_table("national_onsite_item", schema="review")
    op.drop_table("national_score_sheet", schema="review")
    op.drop_table("national_publicity_entry", schema="review")
    op.drop_table("national_onsite", schema="review")
    op.drop_index(
        op.f("ix_review_national_objection_publicity_id"),
        table_name="national_objection",
        schema="review",
    )
    op.drop_table("national_objection", schema="review")
    op.drop_index(
        op.f("ix_review_national_assignment_expert_id"),
        table_name="national_assignment",
        schema="review",
    )
    op.drop_table("national_assignment", schema="review")
    op.drop_table("national_publicity", schema="review")
    op.drop_index(
        op.f("ix_review_national_expert_region_code"), table_name="national_expert", schema="review"
    )
    op.drop_table("national_expert", schema="review")
