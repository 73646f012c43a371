"""The 公示 period and the cultivation period of a campaign: the entries of `national.yaml` and
`cultivation.yaml` its `campaign.changed` names, so a new year needs no file or code of its
own. A campaign not announced (yet) uses the catalogue's default entry."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.campaign import CampaignChanged
from ladder.kit.outbox import Event, InvalidEventPayload, read_payload
from ladder.review.campaigns import repository
from ladder.review.campaigns.models import CampaignPeriods
from ladder.review.cultivation.data import Period, cultivation_data
from ladder.review.national.data import Publicity, national


def _publicity(name: str) -> Publicity | None:
    found = national().publicity
    return found if found.id == name else None


def _cultivation(name: str) -> Period | None:
    found = cultivation_data().period
    return found if found.id == name else None


async def on_campaign_changed(session: AsyncSession, event: Event) -> None:
    """A period the catalogues do not name is refused (422, dead-lettered where it can be
    seen) rather than stored: the declaration service cannot check the names itself."""
    changed = read_payload(CampaignChanged, event)
    unknown = [
        field
        for field, found in (
            ("publicity_period", _publicity(changed.publicity_period)),
            ("cultivation_period", _cultivation(changed.cultivation_period)),
        )
        if found is None
    ]
    if unknown:
        raise InvalidEventPayload(details={"fields": unknown})
    await repository.keep_latest(
        session,
        CampaignPeriods(
            campaign_year=changed.year,
            publicity_period=changed.publicity_period,
            cultivation_period=changed.cultivation_period,
            row_version=changed.row_version,
            changed_at=changed.changed_at,
        ),
    )


async def publicity_for(session: AsyncSession, campaign_year: int) -> Publicity:
    row = await repository.periods(session, campaign_year)
    named = None if row is None else _publicity(row.publicity_period)
    return named or national().publicity


async def cultivation_period_for(session: AsyncSession, campaign_year: int) -> Period:
    row = await repository.periods(session, campaign_year)
    named = None if row is None else _cultivation(row.cultivation_period)
    return named or cultivation_data().period
