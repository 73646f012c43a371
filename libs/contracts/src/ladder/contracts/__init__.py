"""The contracts between Ladder's services: each producer's event topics and payload models.

A service never imports another, but both sides of an event import its contract: the producer
builds the payload from the model (`ladder.kit.outbox.publish` takes it), the consumer reads it
with the same model (`ladder.kit.outbox.read_payload`), and consumer tests build payloads from
the producer's `example`. The JSON Schemas under `docs/events/` are generated from these
models (`python -m ladder.contracts.export`); a test fails when one is stale.

Payload models ignore unknown fields, so a producer may add one without breaking a consumer
still on the older contract; removing or retyping a field is a new topic version.
"""

from ladder.contracts import campaign, declaration, identity, recognition, review
from ladder.contracts.registry import CONTRACTS, EventContract, contract_for

__all__ = [
    "CONTRACTS",
    "EventContract",
    "campaign",
    "contract_for",
    "declaration",
    "identity",
    "recognition",
    "review",
]
