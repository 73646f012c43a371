"""an index on lower(email) of accounts (a password reset finds the account by its email)

Revision ID: 15a2c0de0302
Revises: 15a1c0de0301
Create Date: 2026-12-06 20:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "15a2c0de0302"
down_revision: str | None = "15a1c0de0301"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_user_account_email_lower",
        "user_account",
        [sa.text("lower(email)")],
        schema="identity",
    )


def downgrade() -> None:
    op.drop_index("ix_user_account_email_lower", table_name="user_account", schema="identity")
