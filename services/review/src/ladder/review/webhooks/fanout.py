"""Queue a public event for every subscription that should receive it, in the transaction of
the change that caused it (an event exists if and only if its change committed).

Who receives what (`PublicEventType.scope`):
- `case`: subscribers whose owner may read the case (`cases.auth.may_read`, the rule of the
  inboxes: a province's client its province's cases, the ministry's all) and whose region
  filter, if any, covers the factory's region;
- `list`: subscribers whose owner may read the submitted list (its unit, the ministry);
- `public`: every subscriber of the type (公示 and published lists are public).

Each delivery is an outbox row of destination `webhook:<subscription>` with the message as
its payload and a subject (the declaration, the list, the 公示), so one subscriber gets one
subject's events in the order they happened. One event id per event, shared by its
deliveries: it is the `webhook-id` a receiver dedupes on.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts import webhooks as public
from ladder.kit import webhooks
from ladder.kit.auth import Principal
from ladder.kit.outbox import publish
from ladder.review.cases.auth import may_read as may_read_case
from ladder.review.cases.models import ReviewCase
from ladder.review.tables import OUTBOX
from ladder.review.webhooks.models import WebhookSubscription
from ladder.review.webhooks.schemas import SubscriptionState
from ladder.review.webhooks.service import principal_of

log = logging.getLogger("ladder.review.webhooks")


def in_regions(region_code: str, regions: list[str]) -> bool:
    """Whether a factory's region lies in one of the filter's codes (350000: the province's
    two digits; 350100: the city's four; else the county itself)."""
    if not regions:
        return True
    for code in regions:
        prefix = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
        if region_code.startswith(prefix):
            return True
    return False


async def _subscribers(session: AsyncSession, event_type: str) -> list[WebhookSubscription]:
    return list(
        (
            await session.execute(
                select(WebhookSubscription).where(
                    WebhookSubscription.status == SubscriptionState.active.value,
                    WebhookSubscription.event_types.contains([event_type]),  # type: ignore[attr-defined]
                )
            )
        )
        .scalars()
        .all()
    )


async def fan_out(
    session: AsyncSession,
    event_type: str,
    data: BaseModel | Callable[[], BaseModel],
    *,
    at: datetime,
    subject: str,
    admits: Callable[[WebhookSubscription, Principal], bool],
) -> int:
    """Queue `data` of `event_type` for each active subscriber `admits`; how many."""
    chosen = [s.id for s in await _subscribers(session, event_type) if admits(s, principal_of(s))]
    if not chosen:
        return 0
    event_id = uuid.uuid4()
    try:
        body = public.message(event_type, event_id, at, data() if callable(data) else data)
    except ValidationError as exc:
        # A change that its public contract cannot express is Ladder's bug: it is logged
        # (field names, no values) and the change itself goes through, untold.
        fields = [".".join(map(str, e["loc"])) for e in exc.errors(include_input=False)]
        log.error("%s event %s not queued for %d subscribers: data breaks its contract (%s)",
                  event_type, event_id, len(chosen), ", ".join(fields))  # fmt: skip
        return 0
    await publish(
        session,
        OUTBOX,
        topic=event_type,
        payload=body,
        destinations=[webhooks.destination(i) for i in chosen],
        event_id=event_id,
        subject=subject,
    )
    return len(chosen)


def case_ref(case: ReviewCase) -> dict[str, object]:
    return {
        "declaration_id": case.declaration_id,
        "version": case.version,
        "campaign_year": case.campaign_year,
        "tier": case.tier,
        "enterprise_uscc": case.enterprise_uscc,
        "enterprise_name": case.enterprise_name,
        "factory_name": case.factory_name,
        "region_code": case.region_code,
        "recommending_unit": case.recommending_unit or None,
    }


async def for_case(
    session: AsyncSession, event_type: str, case: ReviewCase, at: datetime, **fields: object
) -> int:
    """A declaration-level event (scope `case`)."""
    model = public.PUBLIC_TYPES[event_type].model

    def data() -> BaseModel:
        # Unknown fields are ignored by the public models (`at` where the type has none).
        return model.model_validate({**case_ref(case), "at": at, **fields})

    def admits(sub: WebhookSubscription, owner: Principal) -> bool:
        return may_read_case(owner, case) and in_regions(case.region_code, list(sub.regions))

    return await fan_out(
        session,
        event_type,
        data,
        at=at,
        subject=f"declaration:{case.declaration_id}",
        admits=admits,
    )


async def for_everyone(
    session: AsyncSession, event_type: str, data: BaseModel, *, at: datetime, subject: str
) -> int:
    """A public event (scope `public`): every subscriber of the type."""
    return await fan_out(
        session, event_type, data, at=at, subject=subject, admits=lambda _s, _o: True
    )
