"""Routes for the editions of 要素条件."""

from __future__ import annotations

from fastapi import APIRouter

from ladder.kit.auth import PrincipalDep
from ladder.kit.errors import responses
from ladder.rules.editions import service
from ladder.rules.editions.schemas import EditionRead, EditionSummary

router = APIRouter(prefix="/v1/editions", tags=["editions"])


@router.get(
    "",
    response_model=list[EditionSummary],
    responses=responses(401),
    summary="List the editions of 要素条件, oldest first",
)
async def list_editions(_: PrincipalDep) -> list[EditionSummary]:
    return [EditionSummary.model_validate(e, from_attributes=True) for e in service.all_editions()]


@router.get(
    "/{edition_id}",
    response_model=EditionRead,
    responses=responses(401, 404),
    summary="Read one edition: its segments (环节) and each tier's requirements",
)
async def read_edition(edition_id: str, _: PrincipalDep) -> EditionRead:
    return service.get(edition_id)
