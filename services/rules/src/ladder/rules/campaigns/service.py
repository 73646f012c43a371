"""Taking a campaign's quota policy from `campaign.changed`, so a new year's quotas need no
file of their own: the campaign names one of the policies shipped in `quotas/policies/`."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.campaign import CampaignChanged
from ladder.kit.outbox import Event, InvalidEventPayload, read_payload
from ladder.rules.campaigns import repository
from ladder.rules.campaigns.models import CampaignQuotaPolicy
from ladder.rules.quotas.policy import policies


async def on_campaign_changed(session: AsyncSession, event: Event) -> None:
    """An unknown policy id is refused (422, dead-lettered where the ministry can see it)
    rather than stored: the declaration service cannot check the id itself."""
    changed = read_payload(CampaignChanged, event)
    if policies().get(changed.quota_policy) is None:
        raise InvalidEventPayload(details={"field": "quota_policy", "known": policies().campaigns})
    await repository.keep_latest(
        session,
        CampaignQuotaPolicy(
            campaign_year=changed.year,
            quota_policy=changed.quota_policy,
            row_version=changed.row_version,
            changed_at=changed.changed_at,
        ),
    )


async def policy_id(session: AsyncSession, campaign: str) -> str:
    """The policy a campaign uses: the one its campaign names, else the policy file of that
    name (a campaign the declaration service has not announced, or a demo one)."""
    if campaign.isdigit():
        named = await repository.policy_of(session, int(campaign))
        if named is not None:
            return named
    return campaign
