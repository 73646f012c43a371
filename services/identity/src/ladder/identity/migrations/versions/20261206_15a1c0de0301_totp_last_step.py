"""the last accepted TOTP step of an account (a one-time code is used once)

Revision ID: 15a1c0de0301
Revises: 15a0c0de0300
Create Date: 2026-12-06 08:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "15a1c0de0301"
down_revision: str | None = "15a0c0de0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user_account",
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        schema="identity",
    )


def downgrade() -> None:
    op.drop_column("user_account", "totp_last_step", schema="identity")
