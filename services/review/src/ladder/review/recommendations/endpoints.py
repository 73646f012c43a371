"""Routes of the province's recommendation lists (推荐汇总表)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.responses import JSONResponse

from ladder.kit.auth import Principal, Role, require_roles
from ladder.kit.concurrency import IfMatchHeader
from ladder.kit.db import SessionDep
from ladder.kit.errors import responses
from ladder.kit.idempotency import IdempotencyKeyDep, claim
from ladder.review.recommendations import service
from ladder.review.recommendations.models import RecommendationList
from ladder.review.recommendations.schemas import EntryCreate, ListRead, ListTier, ProvinceCode
from ladder.review.tables import IDEMPOTENCY

router = APIRouter(prefix="/v1/recommendation-lists", tags=["recommendations"])

ProvinceDep = Annotated[Principal, require_roles(Role.province)]
"""The province authority (403 `forbidden` for anyone else; 404 outside its region)."""
Campaign = Annotated[int, Path(ge=2024, le=2100, description="campaign year", examples=[2025])]
Unit = Annotated[ProvinceCode, Path()]
LIST = "/{campaign}/{tier}/{unit}"


async def _answer(
    session: SessionDep, lst: RecommendationList, status_code: int = 200
) -> JSONResponse:
    read = await service.to_read(session, lst)
    return JSONResponse(
        read.model_dump(mode="json"), status_code=status_code, headers={"ETag": read.etag}
    )


@router.put(
    LIST,
    response_model=ListRead,
    responses={201: {"model": ListRead}, **responses(401, 403, 404, 409, 422, 502, 503)},
    summary="Open the province's list for a tier (201), or read it if it exists (200)",
)
async def open_list(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    request: Request,
    session: SessionDep,
    principal: ProvinceDep,
) -> Response:
    """The quota (`limit`, 不超过) and its derivation are read once from the rules service and
    kept with the list. Errors: 404 `recommendation_list_not_found` (another province's unit),
    409 `quota_unavailable` (the rules service has no quota for it), 503 `service_unavailable`
    (rules service down), 502 `upstream_error`."""
    lst, created = await service.open_list(session, request, principal, campaign, tier, unit)
    return await _answer(session, lst, 201 if created else 200)


@router.get(
    LIST,
    response_model=ListRead,
    responses=responses(401, 403, 404, 422),
    summary="The list: entries in rank order, quota used (counted/exempt/remaining), ETag",
)
async def read_list(
    campaign: Campaign, tier: ListTier, unit: Unit, session: SessionDep, principal: ProvinceDep
) -> Response:
    return await _answer(session, await service.read_list(session, principal, campaign, tier, unit))


@router.post(
    LIST + "/entries",
    status_code=status.HTTP_201_CREATED,
    response_model=ListRead,
    responses=responses(401, 403, 404, 409, 422, 428),
    summary="Add a case awaiting recommendation at the end of the list (Idempotency-Key)",
)
async def add_entry(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    data: EntryCreate,
    request: Request,
    session: SessionDep,
    principal: ProvinceDep,
    key: IdempotencyKeyDep,
) -> Response:
    """Race-safe: the list row is locked while the entries using the quota are counted, so
    concurrent additions never exceed the limit. An entry with `jiebang_accepted` does not use
    the quota when the rules service's answer lists that exemption. Errors: 404
    `recommendation_list_not_found`, `case_not_found`; 409 `quota_exhausted` (details: limit,
    counted), `list_locked`, `case_not_awaiting_recommendation`, `case_not_for_this_list`,
    `already_listed`; 428 `idempotency_key_required`."""
    slot = await claim(
        session,
        IDEMPOTENCY,
        principal=principal.sub,
        key=key,
        request=request,
        body=data.model_dump(mode="json"),
    )
    if (replayed := slot.replayed()) is not None:
        return replayed
    lst = await service.add_entry(
        session, principal, campaign, tier, unit, data.declaration_id, data.jiebang_accepted
    )
    read = await service.to_read(session, lst)
    body = read.model_dump(mode="json")
    await slot.store(session, 201, body)
    return JSONResponse(body, status_code=201, headers={"ETag": read.etag})


@router.delete(
    LIST + "/entries/{declaration_id}",
    response_model=ListRead,
    responses=responses(401, 403, 404, 409, 412, 422, 428),
    summary="Remove a case from the list; those below move up (If-Match on the list)",
)
async def remove_entry(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    declaration_id: uuid.UUID,
    session: SessionDep,
    principal: ProvinceDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Errors: 404 `entry_not_found`, 409 `list_locked`, 412 `stale_etag`, 428
    `if_match_required`."""
    lst = await service.remove_entry(
        session, principal, campaign, tier, unit, declaration_id, if_match
    )
    return await _answer(session, lst)


@router.post(
    LIST + "/lock",
    response_model=ListRead,
    responses=responses(401, 403, 404, 409, 412, 422, 428),
    summary="Lock the list: no more changes until unlocked (If-Match)",
)
async def lock_list(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    session: SessionDep,
    principal: ProvinceDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Errors: 409 `list_submitted`, 412 `stale_etag`, 428 `if_match_required`."""
    lst = await service.set_locked(
        session, principal, campaign, tier, unit, locked=True, if_match=if_match
    )
    return await _answer(session, lst)


@router.post(
    LIST + "/unlock",
    response_model=ListRead,
    responses=responses(401, 403, 404, 409, 412, 422, 428),
    summary="Reopen a locked list (If-Match)",
)
async def unlock_list(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    session: SessionDep,
    principal: ProvinceDep,
    if_match: IfMatchHeader = None,
) -> Response:
    """Errors: 409 `list_submitted`, 412 `stale_etag`, 428 `if_match_required`."""
    lst = await service.set_locked(
        session, principal, campaign, tier, unit, locked=False, if_match=if_match
    )
    return await _answer(session, lst)
