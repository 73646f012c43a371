"""Routes for campaigns (申报批次), their history and their deadline chains (截止时间) per
jurisdiction and tier."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from ladder.declaration.campaigns import service
from ladder.declaration.campaigns.auth import CampaignEditorDep, DeadlineEditorDep
from ladder.declaration.campaigns.deadlines import jurisdiction_from_key
from ladder.declaration.campaigns.errors import (
    CampaignExists,
    CampaignInvalid,
    ChainNotYours,
    DeadlineChainNotFound,
    DeadlineChainOutOfOrder,
    NoSuchCampaign,
    TierInUse,
    UnknownRulesEdition,
)
from ladder.declaration.campaigns.schemas import (
    CampaignCreate,
    CampaignHistory,
    CampaignPatch,
    CampaignRead,
    DeadlineChainRead,
    DeadlineChainReplace,
    RegionDeadlines,
)
from ladder.declaration.rules_client import RulesDep
from ladder.declaration.vocabulary import Tier
from ladder.kit.auth import PrincipalDep
from ladder.kit.clock import ClockDep
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import UpstreamError, declare
from ladder.kit.params import CampaignYearPath
from ladder.kit.writes import KeyedWriteDep, OptionalKeyedWriteDep, answer_json

YearPath = CampaignYearPath

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])

JurisdictionKey = Annotated[
    str,
    Path(
        pattern=r"^(national|[0-9]{2}|[0-9]{4}|[0-9]{6})$",
        description='"national" or a GB/T 2260 prefix of 2, 4 or 6 digits (e.g. 31, 3501)',
    ),
]
TierPath = Annotated[
    Tier, Path(description="advanced (先进级), excellence (卓越级), pilot (领航级)")
]

_PARAMETERS = (
    "`quota_policy`, `publicity_period` and `cultivation_period` name entries of the rules "
    "and review services' catalogues (e.g. `2025`, `ladder-default`, `251-2025`); they reach "
    "those services as `campaign.changed`, which is how a new year needs no code change. "
)


@router.get(
    "",
    response_model=list[CampaignRead],
    responses=declare(),
    summary="Campaigns with their tiers, rules edition, parameters and deadline chains",
)
async def list_campaigns(session: SessionDep, _: PrincipalDep) -> list[CampaignRead]:
    return await service.list_campaigns(session)


@router.post(
    "",
    response_model=CampaignRead,
    status_code=201,
    responses=declare(
        CampaignExists,
        CampaignInvalid,
        DeadlineChainOutOfOrder,
        UnknownRulesEdition,
        UpstreamError,
    ),
    summary="Create a campaign (ministry; Idempotency-Key)",
    description=(
        "The year, title, source notice, open tiers, the 要素条件 edition (`rules_edition`, or "
        "`opens_on` to take the edition in effect that day), and deadline chains per "
        "jurisdiction and tier (`tiers: [...]` writes one chain per tier). " + _PARAMETERS + "409 "
        "`campaign_exists` for a year that exists; 422 `campaign_invalid` (a chain for a tier "
        "not open, a chain repeated), `deadline_chain_out_of_order`, `unknown_rules_edition`."
    ),
)
async def create_campaign(
    data: CampaignCreate,
    session: SessionDep,
    principal: CampaignEditorDep,
    clock: ClockDep,
    rules: RulesDep,
    write: KeyedWriteDep,
) -> Response:
    if (replayed := await write.begin(data)) is not None:
        return replayed
    read = await service.create_campaign(session, rules.http, principal, data, clock.now())
    return await write.answer(read, 201)


@router.get(
    "/{year}",
    response_model=CampaignRead,
    responses=declare(NoSuchCampaign),
    summary="One campaign with its deadline chains (Beijing time, with their sources), its ETag",
)
async def read_campaign(year: YearPath, session: SessionDep, _: PrincipalDep) -> Response:
    return answer_json(await service.read_campaign(session, year))


@router.patch(
    "/{year}",
    response_model=CampaignRead,
    responses=declare(NoSuchCampaign, TierInUse, UnknownRulesEdition, UpstreamError),
    summary="Edit a campaign's own fields (ministry; If-Match)",
    description=(
        "Only the fields given change, each recorded in the history with who and when; chains "
        "are replaced one by one (`PUT /v1/campaigns/{year}/deadlines/{jurisdiction}/{tier}`). "
        "A tier with declarations or deadline chains stays open (409 `tier_in_use`). " + _PARAMETERS
    ),
)
async def edit_campaign(
    year: YearPath,
    data: CampaignPatch,
    session: SessionDep,
    principal: CampaignEditorDep,
    clock: ClockDep,
    rules: RulesDep,
    if_match: IfMatchDep,
    write: OptionalKeyedWriteDep,
) -> Response:
    read = await service.edit_campaign(
        session, rules.http, principal, year, data, if_match, clock.now()
    )
    return await write.answer(read)


@router.get(
    "/{year}/history",
    response_model=CampaignHistory,
    responses=declare(NoSuchCampaign),
    summary="Every revision of the campaign and of its chains: who, when, what",
)
async def campaign_history(year: YearPath, session: SessionDep, _: PrincipalDep) -> CampaignHistory:
    return await service.history(session, year)


@router.get(
    "/{year}/deadlines",
    response_model=RegionDeadlines,
    responses=declare(NoSuchCampaign),
    summary="The deadline chain of a tier that applies to a region (longest prefix)",
    description="No chain for the tier (e.g. 先进级 where the province set none) is `[]`.",
)
async def deadlines_for_region(
    year: YearPath,
    session: SessionDep,
    _: PrincipalDep,
    clock: ClockDep,
    region: Annotated[str, Query(pattern=r"^[1-9][0-9]{5}$", description="GB/T 2260 region code")],
    tier: Annotated[Tier, Query(description="the declaration's or the list's tier")],
) -> RegionDeadlines:
    return await service.deadlines_for_region(session, year, region, tier, clock.now())


@router.get(
    "/{year}/deadlines/{jurisdiction}/{tier}",
    response_model=DeadlineChainRead,
    responses=declare(NoSuchCampaign, DeadlineChainNotFound),
    summary="One jurisdiction's deadline chain for a tier, with its ETag",
)
async def read_chain(
    year: YearPath,
    jurisdiction: JurisdictionKey,
    tier: TierPath,
    session: SessionDep,
    _: PrincipalDep,
) -> Response:
    read = await service.read_chain(session, year, jurisdiction_from_key(jurisdiction), tier)
    return answer_json(read)


@router.put(
    "/{year}/deadlines/{jurisdiction}/{tier}",
    response_model=DeadlineChainRead,
    responses=declare(NoSuchCampaign, DeadlineChainOutOfOrder, CampaignInvalid, ChainNotYours),
    summary="Replace one jurisdiction's chain for a tier (If-Match, `*` to create)",
    description=(
        "The ministry sets any chain; a province sets the 先进级 (`advanced`) chain of its own "
        "jurisdiction (工信厅联通装函〔2025〕251号 一(二) leaves 先进级 to the province's own "
        "calendar), else 403 `deadline_chain_not_yours`. A tier the campaign does not open is "
        "422 `campaign_invalid`."
    ),
)
async def replace_chain(
    year: YearPath,
    jurisdiction: JurisdictionKey,
    tier: TierPath,
    data: DeadlineChainReplace,
    session: SessionDep,
    principal: DeadlineEditorDep,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> Response:
    read = await service.replace_chain(
        session,
        principal,
        year,
        jurisdiction_from_key(jurisdiction),
        tier,
        data,
        if_match,
        clock.now(),
    )
    return answer_json(read)
