"""The kit's infrastructure tables in this service's schema."""

from ladder.identity.settings import SCHEMA
from ladder.kit.credentials import credential_cache_table
from ladder.kit.db import metadata
from ladder.kit.idempotency import idempotency_table
from ladder.kit.outbox import outbox_table

IDEMPOTENCY = idempotency_table(metadata, SCHEMA)
CREDENTIALS = credential_cache_table(metadata, SCHEMA)
OUTBOX = outbox_table(metadata, SCHEMA)  # events to the other services (a revoked client)
