"""Routes for campaigns (申报批次) and their deadline chains (截止时间)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from ladder.declaration.campaigns import service
from ladder.declaration.campaigns.auth import DeadlineEditorDep
from ladder.declaration.campaigns.deadlines import jurisdiction_from_key
from ladder.declaration.campaigns.errors import (
    DeadlineChainNotFound,
    DeadlineChainOutOfOrder,
    NoSuchCampaign,
)
from ladder.declaration.campaigns.schemas import (
    CampaignRead,
    DeadlineChainRead,
    DeadlineChainReplace,
    RegionDeadlines,
)
from ladder.kit.auth import PrincipalDep
from ladder.kit.clock import ClockDep
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import declare
from ladder.kit.params import CampaignYearPath
from ladder.kit.writes import answer_json

YearPath = CampaignYearPath

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])

JurisdictionKey = Annotated[
    str,
    Path(
        pattern=r"^(national|[0-9]{2}|[0-9]{4}|[0-9]{6})$",
        description='"national" or a GB/T 2260 prefix of 2, 4 or 6 digits (e.g. 31, 3501)',
    ),
]


@router.get(
    "",
    response_model=list[CampaignRead],
    responses=declare(),
    summary="Campaigns with their tiers, rules edition and deadline chains",
)
async def list_campaigns(session: SessionDep, _: PrincipalDep) -> list[CampaignRead]:
    return await service.list_campaigns(session)


@router.get(
    "/{year}",
    response_model=CampaignRead,
    responses=declare(NoSuchCampaign),
    summary="One campaign with its deadline chains (Beijing time, with their sources)",
)
async def read_campaign(year: YearPath, session: SessionDep, _: PrincipalDep) -> CampaignRead:
    return await service.read_campaign(session, year)


@router.get(
    "/{year}/deadlines",
    response_model=RegionDeadlines,
    responses=declare(NoSuchCampaign),
    summary="The deadline chain that applies to a region (longest prefix), levels in order",
)
async def deadlines_for_region(
    year: YearPath,
    session: SessionDep,
    _: PrincipalDep,
    clock: ClockDep,
    region: Annotated[str, Query(pattern=r"^[0-9]{6}$", description="GB/T 2260 region code")],
) -> RegionDeadlines:
    return await service.deadlines_for_region(session, year, region, clock.now())


@router.get(
    "/{year}/deadlines/{jurisdiction}",
    response_model=DeadlineChainRead,
    responses=declare(NoSuchCampaign, DeadlineChainNotFound),
    summary="One jurisdiction's deadline chain, with its ETag",
)
async def read_chain(
    year: YearPath, jurisdiction: JurisdictionKey, session: SessionDep, _: PrincipalDep
) -> Response:
    return answer_json(await service.read_chain(session, year, jurisdiction_from_key(jurisdiction)))


@router.put(
    "/{year}/deadlines/{jurisdiction}",
    response_model=DeadlineChainRead,
    responses=declare(NoSuchCampaign, DeadlineChainOutOfOrder),
    summary="Replace one jurisdiction's deadline chain (ministry; If-Match, `*` to create)",
)
async def replace_chain(
    year: YearPath,
    jurisdiction: JurisdictionKey,
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
        data,
        if_match,
        clock.now(),
    )
    return answer_json(read)
