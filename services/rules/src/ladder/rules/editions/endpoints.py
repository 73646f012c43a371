"""Routes for the editions of 要素条件 and their catalogues (scenes, KPIs, materials, rules)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from ladder.kit.auth import PrincipalDep
from ladder.kit.errors import declare
from ladder.rules.editions import service
from ladder.rules.editions.schemas import (
    EditionRead,
    EditionSummary,
    KpiCatalogue,
    MaterialCatalogue,
    RuleCatalogue,
    SceneCatalogue,
)
from ladder.rules.errors import EditionNotFound, NoEditionInEffect
from ladder.rules.evaluations.schemas import Jurisdiction
from ladder.rules.vocabulary import IdentifierPath, Tier

router = APIRouter(prefix="/v1/editions", tags=["editions"])


@router.get(
    "",
    response_model=list[EditionSummary],
    responses=declare(),
    summary="List the editions of 要素条件, oldest first",
)
async def list_editions(_: PrincipalDep) -> list[EditionSummary]:
    return [EditionSummary.model_validate(e, from_attributes=True) for e in service.all_editions()]


@router.get(
    "/in-effect",
    response_model=EditionSummary,
    responses=declare(NoEditionInEffect),
    summary="The edition in effect on a date (Beijing): how a campaign picks its edition",
    description=(
        "A campaign uses the edition in effect when it opens, unless it names one. Without "
        "`on`, today. 422 `no_edition_in_effect` before the first edition."
    ),
)
async def edition_in_effect(_: PrincipalDep, on: date | None = None) -> EditionSummary:
    edition = service.for_evaluation(None, on)
    return EditionSummary.model_validate(edition, from_attributes=True)


@router.get(
    "/{edition_id}",
    response_model=EditionRead,
    responses=declare(EditionNotFound),
    summary="Read one edition: segments, scene guide, KPI table, materials, tier thresholds",
)
async def read_edition(edition_id: IdentifierPath, _: PrincipalDep) -> EditionRead:
    return service.get(edition_id)


@router.get(
    "/{edition_id}/scenes",
    response_model=SceneCatalogue,
    responses=declare(EditionNotFound),
    summary="The scene guide's 环节 and scenes, with the segment each counts for",
)
async def read_scenes(edition_id: IdentifierPath, _: PrincipalDep) -> SceneCatalogue:
    return service.scenes(service.get(edition_id))


@router.get(
    "/{edition_id}/kpis",
    response_model=KpiCatalogue,
    responses=declare(EditionNotFound),
    summary="The KPI reference table: group, unit, kind and direction of each indicator",
)
async def read_kpis(edition_id: IdentifierPath, _: PrincipalDep) -> KpiCatalogue:
    edition = service.get(edition_id)
    table = edition.kpi_table
    return KpiCatalogue(
        edition=edition.id,
        clause=table.clause,
        groups=list(table.groups),
        indicators=list(table.indicators),
    )


@router.get(
    "/{edition_id}/materials",
    response_model=MaterialCatalogue,
    responses=declare(EditionNotFound),
    summary="The material sections (申报材料清单) per tier",
)
async def read_materials(edition_id: IdentifierPath, _: PrincipalDep) -> MaterialCatalogue:
    edition = service.get(edition_id)
    return MaterialCatalogue(edition=edition.id, tiers=dict(edition.materials))


@router.get(
    "/{edition_id}/rules",
    response_model=RuleCatalogue,
    responses=declare(EditionNotFound),
    summary="The rules that apply to a tier (and a jurisdiction's overlays), with clauses",
)
async def read_rules(
    edition_id: IdentifierPath,
    tier: Tier,
    _: PrincipalDep,
    jurisdiction: Annotated[Jurisdiction | None, Query()] = None,
) -> RuleCatalogue:
    return service.rule_catalogue(service.get(edition_id), tier, jurisdiction)
