"""Events this service consumes, by topic: `POST /internal/events` (service callers only).

The kit's inbox dedupes by event id in the same transaction as the handler, so redelivery by a
publisher's outbox is harmless.
"""

from ladder.contracts.registry import producers_of
from ladder.declaration.declarations import cultivation_events, expert_events, review_events
from ladder.declaration.recognitions import review_events as recognitions
from ladder.declaration.tables import INBOX
from ladder.kit.outbox import Handler, events_router

HANDLERS: dict[str, Handler] = {
    review_events.STATUS_CHANGED: review_events.on_status_changed,
    **dict.fromkeys(cultivation_events.TOPICS, cultivation_events.on_cultivation_changed),
    expert_events.TOPIC: expert_events.on_expert_access_changed,
    # Lists submitted and published, and the accepted cultivation, write the register of
    # recognised tiers (`recognitions/review_events.py`); the acceptance also updates the
    # declaration's cultivation mirror.
    **recognitions.HANDLERS,
}

# Who may send each topic: its contract's producer.
PRODUCERS: dict[str, str] = producers_of(HANDLERS, consumer="declaration")

router = events_router(INBOX, HANDLERS, producers=PRODUCERS)
