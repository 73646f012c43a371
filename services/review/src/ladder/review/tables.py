"""The kit's infrastructure tables in this service's schema."""

from ladder.kit.credentials import credential_cache_table
from ladder.kit.db import metadata
from ladder.kit.idempotency import idempotency_table
from ladder.kit.outbox import inbox_table, outbox_table
from ladder.review.settings import SCHEMA

OUTBOX = outbox_table(metadata, SCHEMA)
INBOX = inbox_table(metadata, SCHEMA)
IDEMPOTENCY = idempotency_table(metadata, SCHEMA)
CREDENTIALS = credential_cache_table(metadata, SCHEMA)
