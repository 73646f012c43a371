"""credential cache: the issuer's JWKS and the service token survive an issuer outage

The steps are shared by every service: `ladder.kit.credentials`.

Revision ID: 5e0b42d88307
Revises: 2b9d6e4f1a83
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

from ladder.kit.credentials import create_cache_table_ops, drop_cache_table_ops

revision: str = "5e0b42d88307"
down_revision: str | None = "2b9d6e4f1a83"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "rules"


def upgrade() -> None:
    create_cache_table_ops(SCHEMA)


def downgrade() -> None:
    drop_cache_table_ops(SCHEMA)
