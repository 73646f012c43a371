"""The behaviour of campaigns: reading them, the deadline that applies to a declaration, and
replacing a jurisdiction's deadline chain (ministry only, If-Match, order checked)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.campaigns import repository
from ladder.declaration.campaigns.deadlines import (
    LEVEL_NAMES_ZH,
    DeadlineLevel,
    applicable_jurisdiction,
    in_beijing,
    is_late,
    jurisdiction_key,
    last_day_of,
    out_of_order,
)
from ladder.declaration.campaigns.errors import (
    DeadlineChainNotFound,
    DeadlineChainOutOfOrder,
    DeadlinePassed,
    NoSuchCampaign,
)
from ladder.declaration.campaigns.models import (
    Campaign,
    Deadline,
    DeadlineChain,
    DeadlineChainRevision,
)
from ladder.declaration.campaigns.schemas import (
    ApplicableDeadline,
    CampaignRead,
    DeadlineChainRead,
    DeadlineChainReplace,
    DeadlineRead,
    RegionDeadlines,
)
from ladder.kit import clock
from ladder.kit.auth import Principal
from ladder.kit.concurrency import check_if_match
from ladder.kit.errors import PreconditionFailed, PreconditionRequired


def chain_etag(head: DeadlineChain) -> str:
    return head.etag


def deadline_read(d: Deadline) -> DeadlineRead:
    return DeadlineRead(
        level=DeadlineLevel(d.level),
        level_name=LEVEL_NAMES_ZH[d.level],
        closes_at=in_beijing(d.closes_at),
        last_day=last_day_of(d.closes_at),
        source=d.source,
        clause=d.clause,
        clause_text=d.clause_text,
        note=d.note,
    )


def chain_read(head: DeadlineChain, deadlines: list[Deadline]) -> DeadlineChainRead:
    return DeadlineChainRead(
        campaign_year=head.campaign_year,
        jurisdiction=head.jurisdiction,
        jurisdiction_key=jurisdiction_key(head.jurisdiction),
        etag=chain_etag(head),
        row_version=head.row_version,
        updated_by=head.updated_by,
        updated_at=in_beijing(head.updated_at),
        deadlines=[deadline_read(d) for d in deadlines],
    )


async def _campaign(session: AsyncSession, year: int) -> Campaign:
    campaign = await repository.campaign(session, year)
    if campaign is None:
        raise NoSuchCampaign(details={"campaign_year": year})
    return campaign


async def _campaign_read(session: AsyncSession, campaign: Campaign) -> CampaignRead:
    return CampaignRead(
        year=campaign.year,
        title=campaign.title,
        rules_edition=campaign.rules_edition,
        source=campaign.source,
        open_tiers=campaign.open_tiers,
        deadline_chains=[
            chain_read(head, ds) for head, ds in await repository.chains(session, campaign.year)
        ],
    )


async def list_campaigns(session: AsyncSession) -> list[CampaignRead]:
    return [await _campaign_read(session, c) for c in await repository.campaigns(session)]


async def read_campaign(session: AsyncSession, year: int) -> CampaignRead:
    return await _campaign_read(session, await _campaign(session, year))


async def read_chain(session: AsyncSession, year: int, jurisdiction: str) -> DeadlineChainRead:
    await _campaign(session, year)
    head = await repository.chain(session, year, jurisdiction)
    if head is None:
        raise DeadlineChainNotFound(
            details={"campaign_year": year, "jurisdiction": jurisdiction_key(jurisdiction)}
        )
    return chain_read(head, await repository.deadlines(session, year, jurisdiction))


async def applicable_chain(
    session: AsyncSession, year: int, region_code: str
) -> tuple[str | None, list[Deadline]]:
    """The jurisdiction whose chain applies to `region_code` (longest prefix), and its
    deadlines lowest level first; (None, []) when the campaign has no chain for it."""
    chosen = applicable_jurisdiction(region_code, await repository.jurisdictions(session, year))
    if chosen is None:
        return None, []
    return chosen, await repository.deadlines(session, year, chosen)


async def deadlines_for_region(
    session: AsyncSession, year: int, region_code: str, now: datetime
) -> RegionDeadlines:
    await _campaign(session, year)
    chosen, deadlines = await applicable_chain(session, year, region_code)
    return RegionDeadlines(
        campaign_year=year,
        region=region_code,
        jurisdiction=chosen,
        jurisdiction_key=None if chosen is None else jurisdiction_key(chosen),
        now=in_beijing(now),
        deadlines=[
            ApplicableDeadline(**deadline_read(d).model_dump(), passed=is_late(now, d.closes_at))
            for d in deadlines
        ],
    )


async def ensure_open(
    session: AsyncSession,
    campaign_year: int,
    region_code: str,
    level: DeadlineLevel | str,
    now: datetime | None = None,
) -> None:
    """Raise `DeadlinePassed` (409) when the `level` deadline of the chain that applies to
    `region_code` has closed at `now` (default: the request's clock). No chain, or no such
    level in it, means no deadline."""
    now = now or clock.now()
    deadline = await repository.applicable_deadline(
        session, campaign_year, region_code, DeadlineLevel(level).value
    )
    if deadline is not None and is_late(now, deadline.closes_at):
        raise DeadlinePassed(deadline, region_code=region_code, now_at=in_beijing(now).isoformat())


def _require_create_precondition(if_match: str | None) -> None:
    """A chain that does not exist yet is created with `If-Match: *` (nothing to be stale)."""
    if if_match is None:
        raise PreconditionRequired()
    if "*" not in [v.strip() for v in if_match.split(",")]:
        raise PreconditionFailed(details={"current_etag": None})


def snapshot(deadlines: list[Deadline]) -> list[dict[str, Any]]:
    return [deadline_read(d).model_dump(mode="json") for d in deadlines]


async def replace_chain(
    session: AsyncSession,
    principal: Principal,
    year: int,
    jurisdiction: str,
    data: DeadlineChainReplace,
    if_match: str | None,
    now: datetime,
) -> DeadlineChainRead:
    await _campaign(session, year)
    head = await repository.chain(session, year, jurisdiction, for_update=True)
    if head is None:
        _require_create_precondition(if_match)
    else:
        check_if_match(if_match, chain_etag(head))
    violations = out_of_order({d.level: d.instant() for d in data.deadlines})
    if violations:
        raise DeadlineChainOutOfOrder(violations)
    if head is None:
        head = DeadlineChain(
            campaign_year=year,
            jurisdiction=jurisdiction,
            row_version=1,
            updated_by=principal.sub,
            updated_at=now,
        )
        if not await repository.insert_chain_if_absent(session, head):
            raise PreconditionFailed(details={"reason": "created concurrently"})
        head = await repository.chain(session, year, jurisdiction, for_update=True)
        assert head is not None
    else:
        await repository.delete_deadlines(session, year, jurisdiction)
        head.bump()
        head.updated_by = principal.sub
        head.updated_at = now
    deadlines = [
        Deadline(
            campaign_year=year,
            jurisdiction=jurisdiction,
            level=d.level.value,
            closes_at=d.instant(),
            source=d.source,
            clause=d.clause,
            clause_text=d.clause_text,
            note=d.note,
        )
        for d in data.deadlines
    ]
    session.add_all(deadlines)
    deadlines = repository.in_level_order(deadlines)
    session.add(
        DeadlineChainRevision(
            campaign_year=year,
            jurisdiction=jurisdiction,
            row_version=head.row_version,
            deadlines=snapshot(deadlines),
            changed_by=principal.sub,
            changed_at=now,
        )
    )
    await session.flush()
    return chain_read(head, deadlines)
