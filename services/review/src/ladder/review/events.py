"""Events this service consumes, by topic: `POST /internal/events` (service callers only).

The kit's inbox dedupes by event id in the same transaction as the handler, so redelivery by a
publisher's outbox is harmless.
"""

from ladder.kit.outbox import Handler, events_router
from ladder.review.cases import service as cases
from ladder.review.tables import INBOX

HANDLERS: dict[str, Handler] = {
    cases.DECLARATION_SUBMITTED: cases.on_declaration_submitted,
}

PRODUCERS: dict[str, str] = {cases.DECLARATION_SUBMITTED: "declaration"}

router = events_router(INBOX, HANDLERS, producers=PRODUCERS)
