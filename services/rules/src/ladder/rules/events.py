"""Events this service consumes, by topic: `POST /internal/events` (service callers only).

The kit's inbox dedupes by event id in the same transaction as the handler, so redelivery by a
publisher's outbox is harmless.
"""

from ladder.contracts.campaign import CAMPAIGN_CHANGED
from ladder.contracts.recognition import TIER_COUNTS
from ladder.contracts.registry import producers_of
from ladder.kit.outbox import Handler, events_router
from ladder.rules.campaigns.service import on_campaign_changed
from ladder.rules.tables import INBOX
from ladder.rules.tiercounts.service import on_tier_counts

HANDLERS: dict[str, Handler] = {
    CAMPAIGN_CHANGED: on_campaign_changed,
    TIER_COUNTS: on_tier_counts,
}

# Who may send each topic: its contract's producer.
PRODUCERS: dict[str, str] = producers_of(HANDLERS, consumer="rules")

router = events_router(INBOX, HANDLERS, producers=PRODUCERS)
