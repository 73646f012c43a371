"""Events this service consumes, by topic: `POST /internal/events` (service callers only).

The kit's inbox dedupes by event id in the same transaction as the handler, so redelivery by a
publisher's outbox is harmless.
"""

from ladder.contracts.campaign import CAMPAIGN_CHANGED
from ladder.contracts.declaration import DECLARATION_SUBMITTED, DECLARATION_WITHDRAWN
from ladder.contracts.identity import CLIENT_REVOKED
from ladder.contracts.registry import producers_of
from ladder.kit.outbox import Handler, events_router
from ladder.review.campaigns.service import on_campaign_changed
from ladder.review.cases import service as cases
from ladder.review.tables import INBOX
from ladder.review.webhooks.service import on_client_revoked
from ladder.review.withdrawals import on_declaration_withdrawn

HANDLERS: dict[str, Handler] = {
    DECLARATION_SUBMITTED: cases.on_declaration_submitted,
    DECLARATION_WITHDRAWN: on_declaration_withdrawn,
    CAMPAIGN_CHANGED: on_campaign_changed,
    CLIENT_REVOKED: on_client_revoked,
}

# Who may send each topic: its contract's producer.
PRODUCERS: dict[str, str] = producers_of(HANDLERS, consumer="review")

router = events_router(INBOX, HANDLERS, producers=PRODUCERS)
