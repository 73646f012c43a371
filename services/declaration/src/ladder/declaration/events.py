"""Events this service consumes, by topic: `POST /internal/events` (service callers only).

The kit's inbox dedupes by event id in the same transaction as the handler, so redelivery by a
publisher's outbox is harmless.
"""

from ladder.declaration.declarations import cultivation_events, review_events
from ladder.declaration.tables import INBOX
from ladder.kit.outbox import Handler, events_router

HANDLERS: dict[str, Handler] = {
    review_events.STATUS_CHANGED: review_events.on_status_changed,
    **dict.fromkeys(cultivation_events.TOPICS, cultivation_events.on_cultivation_changed),
}

# Every topic this service handles is the review service's.
PRODUCERS: dict[str, str] = dict.fromkeys(HANDLERS, "review")

router = events_router(INBOX, HANDLERS, producers=PRODUCERS)
