"""Routes for the local overlays (what 上海, 福建 … add to the national edition)."""

from __future__ import annotations

from fastapi import APIRouter

from ladder.kit.auth import PrincipalDep
from ladder.kit.errors import declare
from ladder.rules.errors import OverlayNotFound
from ladder.rules.overlays.catalogue import overlays
from ladder.rules.overlays.models import Overlay
from ladder.rules.vocabulary import IdentifierPath

router = APIRouter(prefix="/v1/overlays", tags=["overlays"])


@router.get(
    "",
    response_model=list[Overlay],
    responses=declare(),
    summary="List the local overlays: jurisdiction, editions extended, checks with clauses",
)
async def list_overlays(_: PrincipalDep) -> list[Overlay]:
    return list(overlays().overlays)


@router.get(
    "/{overlay_id}",
    response_model=Overlay,
    responses=declare(OverlayNotFound),
    summary="Read one local overlay",
)
async def read_overlay(overlay_id: IdentifierPath, _: PrincipalDep) -> Overlay:
    found = overlays().get(overlay_id)
    if found is None:
        raise OverlayNotFound(
            details={"overlay": overlay_id, "known": [o.id for o in overlays().overlays]}
        )
    return found
