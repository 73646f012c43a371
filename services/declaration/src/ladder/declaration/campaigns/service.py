"""The behaviour of campaigns: creating and editing one (ministry; Idempotency-Key, If-Match,
every revision kept), reading them, the deadline that applies to a declaration of a tier, and
replacing one chain (ministry; a province for its own 先进级 calendar).

The seeded campaigns are made by `create_campaign` too (`campaigns/seed.py`), so the seed
and the API validate and record the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.campaign import CAMPAIGN_CHANGED, CampaignChanged
from ladder.contracts.registry import destinations
from ladder.declaration.campaigns import repository
from ladder.declaration.campaigns.auth import may_set_chain
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
    CampaignExists,
    CampaignInvalid,
    ChainNotYours,
    DeadlineChainNotFound,
    DeadlineChainOutOfOrder,
    DeadlinePassed,
    NoSuchCampaign,
    TierInUse,
    UnknownRulesEdition,
)
from ladder.declaration.campaigns.models import (
    Campaign,
    CampaignRevision,
    Deadline,
    DeadlineChain,
    DeadlineChainRevision,
)
from ladder.declaration.campaigns.schemas import (
    ApplicableDeadline,
    CampaignCreate,
    CampaignHistory,
    CampaignPatch,
    CampaignRead,
    DeadlineChainRead,
    DeadlineChainReplace,
    DeadlineRead,
    RegionDeadlines,
    RevisionRead,
)
from ladder.declaration.rules_client import edition_in_effect, edition_known
from ladder.declaration.tables import OUTBOX
from ladder.declaration.vocabulary import Tier
from ladder.kit import clock
from ladder.kit.auth import Principal
from ladder.kit.concurrency import check_if_match
from ladder.kit.errors import PreconditionFailed, PreconditionRequired
from ladder.kit.outbox import publish

# The campaign's own fields, as its history records them.
CAMPAIGN_FIELDS = (
    "title",
    "source",
    "open_tiers",
    "rules_edition",
    "quota_policy",
    "publicity_period",
    "cultivation_period",
)


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
        tier=Tier(head.tier),
        etag=head.etag,
        row_version=head.row_version,
        updated_by=head.updated_by,
        updated_at=in_beijing(head.updated_at),
        deadlines=[deadline_read(d) for d in deadlines],
    )


async def _campaign(session: AsyncSession, year: int, *, for_update: bool = False) -> Campaign:
    campaign = await repository.campaign(session, year, for_update=for_update)
    if campaign is None:
        raise NoSuchCampaign(details={"campaign_year": year})
    return campaign


async def campaign_read(session: AsyncSession, campaign: Campaign) -> CampaignRead:
    return CampaignRead(
        year=campaign.year,
        **_fields(campaign),
        etag=campaign.etag,
        row_version=campaign.row_version,
        updated_by=campaign.updated_by,
        updated_at=in_beijing(campaign.updated_at),
        deadline_chains=[
            chain_read(head, ds) for head, ds in await repository.chains(session, campaign.year)
        ],
    )


def _fields(campaign: Campaign) -> dict[str, Any]:
    return {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS}


async def list_campaigns(session: AsyncSession) -> list[CampaignRead]:
    return [await campaign_read(session, c) for c in await repository.campaigns(session)]


async def read_campaign(session: AsyncSession, year: int) -> CampaignRead:
    return await campaign_read(session, await _campaign(session, year))


# --- create and edit -----------------------------------------------------------------------


async def _checked_edition(http: httpx.AsyncClient, edition: str) -> str:
    if not await edition_known(http, edition):
        raise UnknownRulesEdition(details={"field": "rules_edition", "rules_edition": edition})
    return edition


async def _chosen_edition(http: httpx.AsyncClient, data: CampaignCreate) -> str:
    if data.rules_edition is not None:
        return await _checked_edition(http, data.rules_edition)
    assert data.opens_on is not None  # the schema asks for one of the two
    chosen = await edition_in_effect(http, data.opens_on)
    if chosen is None:
        raise UnknownRulesEdition(
            "该日期没有生效的要素条件版本",
            "No edition of 要素条件 is in effect on that date",
            details={"field": "opens_on", "opens_on": data.opens_on.isoformat()},
        )
    return chosen


def _check_chains(data: CampaignCreate) -> None:
    """Each (jurisdiction, tier) once, only open tiers, each chain in order."""
    seen: set[tuple[str, Tier]] = set()
    for i, chain in enumerate(data.deadline_chains):
        for tier in chain.tiers:
            if tier not in data.open_tiers:
                raise CampaignInvalid(
                    details={
                        "field": f"deadline_chains[{i}].tiers",
                        "reason": "tier_not_open",
                        "tier": tier.value,
                        "open_tiers": [t.value for t in data.open_tiers],
                    }
                )
            if (chain.jurisdiction, tier) in seen:
                raise CampaignInvalid(
                    details={
                        "field": f"deadline_chains[{i}]",
                        "reason": "chain_repeated",
                        "jurisdiction_key": jurisdiction_key(chain.jurisdiction),
                        "tier": tier.value,
                    }
                )
            seen.add((chain.jurisdiction, tier))
        _in_order(chain)


def _in_order(data: DeadlineChainReplace) -> None:
    violations = out_of_order({d.level: d.instant() for d in data.deadlines})
    if violations:
        raise DeadlineChainOutOfOrder(violations)


async def create_campaign(
    session: AsyncSession,
    rules_http: httpx.AsyncClient | None,
    principal: Principal,
    data: CampaignCreate,
    now: datetime,
) -> CampaignRead:
    """A new campaign with its chains, its first revision and its `campaign.changed` event.
    `rules_http` None (the seed, before the rules service runs) takes `rules_edition` as
    given."""
    _check_chains(data)
    if rules_http is None:
        assert data.rules_edition is not None
        edition = data.rules_edition
    else:
        edition = await _chosen_edition(rules_http, data)
    campaign = Campaign(
        year=data.year,
        title=data.title,
        source=data.source,
        open_tiers=[t.value for t in data.open_tiers],
        rules_edition=edition,
        quota_policy=data.quota_policy,
        publicity_period=data.publicity_period,
        cultivation_period=data.cultivation_period,
        row_version=1,
        updated_by=principal.sub,
        updated_at=now,
    )
    if not await repository.insert_campaign_if_absent(session, campaign):
        raise CampaignExists(details={"field": "year", "campaign_year": data.year})
    campaign = await _campaign(session, data.year, for_update=True)
    await _record(session, campaign, list(CAMPAIGN_FIELDS), principal, now)
    for chain in data.deadline_chains:
        for tier in chain.tiers:
            head = DeadlineChain(
                campaign_year=data.year,
                jurisdiction=chain.jurisdiction,
                tier=tier.value,
                row_version=1,
                updated_by=principal.sub,
                updated_at=now,
            )
            session.add(head)
            await session.flush()
            await _write_deadlines(session, head, chain, principal, now)
    return await campaign_read(session, campaign)


async def edit_campaign(
    session: AsyncSession,
    rules_http: httpx.AsyncClient,
    principal: Principal,
    year: int,
    data: CampaignPatch,
    if_match: str | None,
    now: datetime,
) -> CampaignRead:
    campaign = await _campaign(session, year, for_update=True)
    check_if_match(if_match, campaign.etag)
    given = data.model_dump(exclude_unset=True)
    if "open_tiers" in given:
        given["open_tiers"] = [Tier(t).value for t in given["open_tiers"]]
        for tier in sorted(set(campaign.open_tiers) - set(given["open_tiers"])):
            declarations, chains = await repository.tier_use(session, year, tier)
            if declarations or chains:
                raise TierInUse(
                    details={
                        "field": "open_tiers",
                        "tier": tier,
                        "declarations": declarations,
                        "deadline_chains": chains,
                    }
                )
    if "rules_edition" in given and given["rules_edition"] != campaign.rules_edition:
        await _checked_edition(rules_http, given["rules_edition"])
    changed = [
        name for name in CAMPAIGN_FIELDS if name in given and given[name] != getattr(campaign, name)
    ]
    if not changed:
        return await campaign_read(session, campaign)
    for name in changed:
        setattr(campaign, name, given[name])
    campaign.bump()
    campaign.updated_by = principal.sub
    campaign.updated_at = now
    session.add(campaign)
    await _record(session, campaign, changed, principal, now)
    return await campaign_read(session, campaign)


async def _record(
    session: AsyncSession,
    campaign: Campaign,
    changed: list[str],
    principal: Principal,
    now: datetime,
) -> None:
    """The revision row and the `campaign.changed` event of one write, in its transaction."""
    session.add(
        CampaignRevision(
            campaign_year=campaign.year,
            row_version=campaign.row_version,
            fields=_fields(campaign),
            changed=changed,
            changed_by=principal.sub,
            changed_at=now,
        )
    )
    event = CampaignChanged(
        year=campaign.year,
        row_version=campaign.row_version,
        title=campaign.title,
        open_tiers=campaign.open_tiers,
        rules_edition=campaign.rules_edition,
        quota_policy=campaign.quota_policy,
        publicity_period=campaign.publicity_period,
        cultivation_period=campaign.cultivation_period,
        changed_at=now,
    )
    await publish(
        session,
        OUTBOX,
        topic=CAMPAIGN_CHANGED,
        payload=event,
        destinations=destinations(CAMPAIGN_CHANGED),
    )
    await session.flush()


async def history(session: AsyncSession, year: int) -> CampaignHistory:
    """Every revision of the campaign and of each of its chains, oldest first."""
    await _campaign(session, year)
    entries = [
        RevisionRead(
            kind="campaign",
            row_version=r.row_version,
            changed_by=r.changed_by,
            changed_at=in_beijing(r.changed_at),
            changed=r.changed,
            fields=r.fields,
        )
        for r in await repository.campaign_revisions(session, year)
    ] + [
        RevisionRead(
            kind="deadline_chain",
            row_version=r.row_version,
            changed_by=r.changed_by,
            changed_at=in_beijing(r.changed_at),
            jurisdiction_key=jurisdiction_key(r.jurisdiction),
            tier=Tier(r.tier),
            changed=["deadlines"],
            fields={"deadlines": r.deadlines},
        )
        for r in await repository.chain_revisions(session, year)
    ]
    entries.sort(key=lambda e: e.changed_at)
    return CampaignHistory(campaign_year=year, revisions=entries)


# --- deadlines -----------------------------------------------------------------------------


async def read_chain(
    session: AsyncSession, year: int, jurisdiction: str, tier: Tier
) -> DeadlineChainRead:
    await _campaign(session, year)
    head = await repository.chain(session, year, jurisdiction, tier.value)
    if head is None:
        raise DeadlineChainNotFound(
            details={
                "campaign_year": year,
                "jurisdiction": jurisdiction_key(jurisdiction),
                "tier": tier.value,
            }
        )
    return chain_read(head, await repository.deadlines(session, year, jurisdiction, tier.value))


async def applicable_chain(
    session: AsyncSession, year: int, region_code: str, tier: Tier
) -> tuple[str | None, list[Deadline]]:
    """The jurisdiction whose `tier` chain applies to `region_code` (longest prefix), and its
    deadlines lowest level first; (None, []) when the campaign has no chain for it."""
    chosen = applicable_jurisdiction(
        region_code, await repository.jurisdictions(session, year, tier.value)
    )
    if chosen is None:
        return None, []
    return chosen, await repository.deadlines(session, year, chosen, tier.value)


async def deadlines_for_region(
    session: AsyncSession, year: int, region_code: str, tier: Tier, now: datetime
) -> RegionDeadlines:
    await _campaign(session, year)
    chosen, deadlines = await applicable_chain(session, year, region_code, tier)
    return RegionDeadlines(
        campaign_year=year,
        region=region_code,
        tier=tier,
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
    tier: Tier | str,
    level: DeadlineLevel | str,
    now: datetime | None = None,
) -> None:
    """Raise `DeadlinePassed` (409) when the `level` deadline of the `tier` chain that applies
    to `region_code` has closed at `now` (default: the request's clock). No chain for the tier,
    or no such level in it, means no deadline (a 先进级 declaration where the province set no
    calendar: 251号 一(二) sets none)."""
    now = now or clock.now()
    deadline = await repository.applicable_deadline(
        session, campaign_year, region_code, Tier(tier).value, DeadlineLevel(level).value
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


async def _write_deadlines(
    session: AsyncSession,
    head: DeadlineChain,
    data: DeadlineChainReplace,
    principal: Principal,
    now: datetime,
) -> list[Deadline]:
    """The chain's deadlines as `data` gives them, and its revision row."""
    deadlines = [
        Deadline(
            campaign_year=head.campaign_year,
            jurisdiction=head.jurisdiction,
            tier=head.tier,
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
            campaign_year=head.campaign_year,
            jurisdiction=head.jurisdiction,
            tier=head.tier,
            row_version=head.row_version,
            deadlines=snapshot(deadlines),
            changed_by=principal.sub,
            changed_at=now,
        )
    )
    await session.flush()
    return deadlines


async def replace_chain(
    session: AsyncSession,
    principal: Principal,
    year: int,
    jurisdiction: str,
    tier: Tier,
    data: DeadlineChainReplace,
    if_match: str | None,
    now: datetime,
) -> DeadlineChainRead:
    if not may_set_chain(principal, jurisdiction, tier):
        raise ChainNotYours(
            details={
                "jurisdiction": jurisdiction_key(jurisdiction),
                "tier": tier.value,
                "yours": principal.region_prefix(),
                "clause": "工信厅联通装函〔2025〕251号 一(二)",
            }
        )
    campaign = await _campaign(session, year)
    if tier.value not in campaign.open_tiers:
        raise CampaignInvalid(
            details={
                "field": "tier",
                "reason": "tier_not_open",
                "tier": tier.value,
                "open_tiers": campaign.open_tiers,
            }
        )
    head = await repository.chain(session, year, jurisdiction, tier.value, for_update=True)
    if head is None:
        _require_create_precondition(if_match)
    else:
        check_if_match(if_match, head.etag)
    _in_order(data)
    if head is None:
        head = DeadlineChain(
            campaign_year=year,
            jurisdiction=jurisdiction,
            tier=tier.value,
            row_version=1,
            updated_by=principal.sub,
            updated_at=now,
        )
        if not await repository.insert_chain_if_absent(session, head):
            raise PreconditionFailed(details={"reason": "created concurrently"})
        head = await repository.chain(session, year, jurisdiction, tier.value, for_update=True)
        assert head is not None
    else:
        await repository.delete_deadlines(session, year, jurisdiction, tier.value)
        head.bump()
        head.updated_by = principal.sub
        head.updated_at = now
    deadlines = await _write_deadlines(session, head, data, principal, now)
    return chain_read(head, deadlines)
