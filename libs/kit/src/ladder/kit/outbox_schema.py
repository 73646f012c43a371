"""Migration steps of the kit's outbox table, shared by every service's alembic history.

Each service owns its outbox (`ladder.kit.outbox.outbox_table` in its own schema), so a change
to the table is one migration per service. The steps live here once and the services'
migration files call them with their schema. A step is frozen once released: a later change
to the table is a new pair of functions here, never an edit of these.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

_LIVE_BEFORE = "delivered_at IS NULL"
_LIVE_AFTER = "delivered_at IS NULL AND dead_at IS NULL"


def create_initial(schema: str) -> None:
    """The outbox as the first services' initial migrations made it (issue 1), for a service
    that gets its outbox later: create it with this, then apply every later step in order
    (`upgrade_dead_letter`, `upgrade_subject`, …), so its table is the others' exactly."""
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("destination", sa.Text(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "available_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        schema=schema,
    )
    op.create_index(
        op.f(f"ix_{schema}_outbox_event_id"),
        "outbox",
        ["event_id", "destination"],
        unique=True,
        schema=schema,
    )
    op.create_index(
        "ix_outbox_due",
        "outbox",
        ["available_at"],
        unique=False,
        schema=schema,
        postgresql_where=sa.text(_LIVE_BEFORE),
    )


def drop_initial(schema: str) -> None:
    op.drop_table("outbox", schema=schema)  # its indexes go with it


def upgrade_dead_letter(schema: str) -> None:
    """Issue 12: dead letters (`dead_at`), when the last attempt failed, how often an operator
    replayed a row; the due index leaves dead rows out, and a partial index on undelivered
    rows per destination serves the readiness detail and the read API."""
    op.add_column("outbox", sa.Column("last_attempt_at", sa.DateTime(timezone=True)), schema=schema)
    op.add_column("outbox", sa.Column("dead_at", sa.DateTime(timezone=True)), schema=schema)
    op.add_column(
        "outbox",
        sa.Column("replays", sa.Integer(), server_default=sa.text("0"), nullable=False),
        schema=schema,
    )
    op.drop_index("ix_outbox_due", table_name="outbox", schema=schema)
    op.create_index(
        "ix_outbox_due",
        "outbox",
        ["available_at"],
        schema=schema,
        postgresql_where=sa.text(_LIVE_AFTER),
    )
    op.create_index(
        "ix_outbox_undelivered",
        "outbox",
        ["destination", "id"],
        schema=schema,
        postgresql_where=sa.text(_LIVE_BEFORE),
    )


def downgrade_dead_letter(schema: str) -> None:
    op.drop_index("ix_outbox_undelivered", table_name="outbox", schema=schema)
    op.drop_index("ix_outbox_due", table_name="outbox", schema=schema)
    op.create_index(
        "ix_outbox_due",
        "outbox",
        ["available_at"],
        schema=schema,
        postgresql_where=sa.text(_LIVE_BEFORE),
    )
    op.drop_column("outbox", "replays", schema=schema)
    op.drop_column("outbox", "dead_at", schema=schema)
    op.drop_column("outbox", "last_attempt_at", schema=schema)


_LIVE_ORDERED = "delivered_at IS NULL AND dead_at IS NULL AND subject IS NOT NULL"


def upgrade_subject(schema: str) -> None:
    """Issue 16: the ordering key (`subject`) of rows delivered in order per destination,
    and the partial index that finds the head of each subject's queue."""
    op.add_column("outbox", sa.Column("subject", sa.Text()), schema=schema)
    op.create_index(
        "ix_outbox_subject",
        "outbox",
        ["destination", "subject", "id"],
        schema=schema,
        postgresql_where=sa.text(_LIVE_ORDERED),
    )


def downgrade_subject(schema: str) -> None:
    op.drop_index("ix_outbox_subject", table_name="outbox", schema=schema)
    op.drop_column("outbox", "subject", schema=schema)
