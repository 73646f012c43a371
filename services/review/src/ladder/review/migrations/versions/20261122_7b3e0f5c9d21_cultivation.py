"""cultivation and acceptance

Revision ID: 7b3e0f5c9d21
Revises: 6a2d9e4b8c10
Create Date: 2026-11-22 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7b3e0f5c9d21"
down_revision: str | None = "6a2d9e4b8c10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _record_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["record_id"],
        ["review.cultivation_record.id"],
        name=op.f(f"fk_{table}_record_id_cultivation_record"),
    )


def _at() -> sa.Column:
    return sa.Column(
        "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "cultivation_record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("declaration_id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_uscc", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("enterprise_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("factory_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("region_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("recommending_unit", sqlmodel.sql.sqltypes.AutoString(length=22), nullable=False),
        sa.Column("jurisdiction", sqlmodel.sql.sqltypes.AutoString(length=22), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=22), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("goals", sa.Text(), nullable=True),
        sa.Column(
            "experts",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("conclusion", sa.Text(), nullable=True),
        sa.Column("concluded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
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
            name=op.f("fk_cultivation_record_case_id_review_case"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cultivation_record")),
        sa.UniqueConstraint("case_id", name=op.f("uq_cultivation_record_case_id")),
        sa.UniqueConstraint("declaration_id", name=op.f("uq_cultivation_record_declaration_id")),
        schema="review",
    )
    op.create_index(
        op.f("ix_review_cultivation_record_enterprise_uscc"),
        "cultivation_record",
        ["enterprise_uscc"],
        unique=False,
        schema="review",
    )
    # The sweeper's claim: records in an expirable status whose deadline has passed.
    op.create_index(
        op.f("ix_review_cultivation_record_status"),
        "cultivation_record",
        ["status", "deadline"],
        unique=False,
        schema="review",
    )
    op.create_index(
        op.f("ix_review_cultivation_record_jurisdiction"),
        "cultivation_record",
        ["jurisdiction", "status"],
        unique=False,
        schema="review",
    )
    op.create_table(
        "cultivation_transition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("event", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("from_status", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("to_status", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=22), nullable=True),
        _at(),
        _record_fk("cultivation_transition"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cultivation_transition")),
        schema="review",
    )
    op.create_table(
        "cultivation_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kpis", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        _at(),
        _record_fk("cultivation_report"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cultivation_report")),
        schema="review",
    )
    op.create_table(
        "cultivation_guidance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("expert", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("expert_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        _at(),
        _record_fk("cultivation_guidance"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cultivation_guidance")),
        schema="review",
    )
    op.create_table(
        "cultivation_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("applicant", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        _at(),
        _record_fk("cultivation_application"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cultivation_application")),
        schema="review",
    )
    for table in (
        "cultivation_transition",
        "cultivation_report",
        "cultivation_guidance",
        "cultivation_application",
    ):
        op.create_index(
            op.f(f"ix_review_{table}_record_id"),
            table,
            ["record_id"],
            unique=False,
            schema="review",
        )
    op.create_table(
        "cultivation_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        _record_fk("cultivation_reminder"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cultivation_reminder")),
        sa.UniqueConstraint(
            "record_id", "days_before", name=op.f("uq_cultivation_reminder_record_id_days_before")
        ),
        schema="review",
    )
    # The sweeper's claim: pending reminders whose time has come.
    op.create_index(
        op.f("ix_review_cultivation_reminder_status"),
        "cultivation_reminder",
        ["status", "due_at"],
        unique=False,
        schema="review",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_review_cultivation_reminder_status"),
        table_name="cultivation_reminder",
        schema="review",
    )
    op.drop_table("cultivation_reminder", schema="review")
    for table in (
        "cultivation_application",
        "cultivation_guidance",
        "cultivation_report",
        "cultivation_transition",
    ):
        op.drop_index(op.f(f"ix_review_{table}_record_id"), table_name=table, schema="review")
        op.drop_table(table, schema="review")
    for name in ("jurisdiction", "status", "enterprise_uscc"):
        op.drop_index(
            op.f(f"ix_review_cultivation_record_{name}"),
            table_name="cultivation_record",
            schema="review",
        )
    op.drop_table("cultivation_record", schema="review")
