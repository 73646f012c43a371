"""credential cache: the issuer's JWKS and the service token survive an issuer outage

The steps are shared by every service: `ladder.kit.credentials`.

Revision ID: b2236e06a9e9
Revises: 8c4f2a1d9e35
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

from ladder.kit.credentials import create_cache_table_ops, drop_cache_table_ops

revision: str = "b2236e06a9e9"
down_revision: str | None = "8c4f2a1d9e35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "review"


def upgrade() -> None:
    create_cache_table_ops(SCHEMA)


def downgrade() -> None:
    drop_cache_table_ops(SCHEMA)
