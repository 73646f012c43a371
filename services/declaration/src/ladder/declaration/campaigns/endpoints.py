"""Routes for campaigns (申报批次) and their deadline chains (截止时间)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import JSONResponse

from ladder.declaration.campaigns import service
from ladder.declaration.campaigns.auth import DeadlineEditorDep
from ladder.declaration.campaigns.deadlines import jurisdiction_from_key
from ladder.declaration.campaigns.schemas import (
    CampaignRead,
    DeadlineChainRead,
    DeadlineChainReplace,
    RegionDeadlines,
)
from ladder.kit.auth import PrincipalDep
from ladder.kit.clock import ClockDep
from ladder.kit.concurrency import IfMatchHeader
from ladder.kit.db import SessionDep
from ladder.kit.errors import responses
from ladder.kit.params import CampaignYearPath

YearPath = CampaignYearPath

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])

JurisdictionKey = Annotated[
    str,
    Path(
        pattern=r"^(national|[0-9]{2}|[0-9]{4}|[0-9]{6})$",
        description='"national" or a GB/T 2260 prefix of 2, 4 or 6 digits (e.g. 31, 3501)',
    ),
]


def _chain_answer(read: DeadlineChainRead) -> JSONResponse:
    return JSONResponse(read.model_dump(mode="json"), headers={"ETag": read.etag})


@router.get(
    "",
    response_model=list[CampaignRead],
    responses=responses(401),
    summary="Campaigns with their tiers, rules edition and deadline chains",
)
async def list_campaigns(session: SessionDep, _: PrincipalDep) -> list[CampaignRead]:
    return await service.list_campaigns(session)


@router.get(
    "/{year}",
    response_model=CampaignRead,
    responses=responses(401, 404),
    summary="One campaign with its deadline chains (Beijing time, with their sources)",
)
async def read_campaign(year: YearPath, session: SessionDep, _: PrincipalDep) -> CampaignRead:
    return await service.read_campaign(session, year)


@router.get(
    "/{year}/deadlines",
    response_model=RegionDeadlines,
    responses=responses(401, 404, 422),
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
    responses=responses(401, 404, 422),
    summary="One jurisdiction's deadline chain, with its ETag",
)
async def read_chain(
    year: YearPath, jurisdiction: JurisdictionKey, session: SessionDep, _: PrincipalDep
) -> Response:
    return _chain_answer(
        await service.read_chain(session, year, jurisdiction_from_key(jurisdiction))
    )


@router.put(
    "/{year}/deadlines/{jurisdiction}",
    response_model=DeadlineChainRead,
    responses=responses(401, 403, 404, 412, 422, 428),
    summary="Replace one jurisdiction's deadline chain (ministry; If-Match, `*` to create)",
)
async def replace_chain(
    year: YearPath,
    jurisdiction: JurisdictionKey,
    data: DeadlineChainReplace,
    session: SessionDep,
    principal: DeadlineEditorDep,
    clock: ClockDep,
    if_match: IfMatchHeader = None,
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
    return _chain_answer(read)
