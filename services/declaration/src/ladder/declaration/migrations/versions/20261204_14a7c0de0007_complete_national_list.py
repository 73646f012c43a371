"""complete national list: a ministry import may be the whole national list of its years

Revision ID: 14a7c0de0007
Revises: 14a1c0de0001
Create Date: 2026-12-04 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "14a7c0de0007"
down_revision: str | None = "14a1c0de0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "recognition_import",
        sa.Column(
            "complete_national_list", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        schema="declaration",
    )


def downgrade() -> None:
    op.drop_column("recognition_import", "complete_national_list", schema="declaration")
