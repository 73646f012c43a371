"""credential cache: the issuer's JWKS and the service token survive an issuer outage

The steps are shared by every service: `ladder.kit.credentials`.

Revision ID: 9cf11025d300
Revises: 4d1e8a2b6c70
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

from ladder.kit.credentials import create_cache_table_ops, drop_cache_table_ops

revision: str = "9cf11025d300"
down_revision: str | None = "4d1e8a2b6c70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "declaration"


def upgrade() -> None:
    create_cache_table_ops(SCHEMA)


def downgrade() -> None:
    drop_cache_table_ops(SCHEMA)
