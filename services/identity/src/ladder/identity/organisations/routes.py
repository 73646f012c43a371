"""Routes of organisations: the level above creates an official organisation with its first
admin, reads and deactivates it; every user reads its own organisation."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from ladder.identity.callers import AdminDep, CallerDep
from ladder.identity.errors import UsernameTaken
from ladder.identity.organisations import service
from ladder.identity.organisations.errors import (
    NotAllowedToCreate,
    NotParentOrganisation,
    OrganisationExists,
    OrganisationNotActive,
    OrganisationNotFound,
    RegionOutsideJurisdiction,
    UnknownUnit,
)
from ladder.identity.organisations.models import OrgKind, OrgStatus
from ladder.identity.organisations.schemas import (
    OrganisationCreate,
    OrganisationCreated,
    OrganisationDeactivate,
    OrganisationPage,
    OrganisationRead,
)
from ladder.identity.requests import SettingsDep
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import ServiceUnavailable, declare
from ladder.kit.pagination import PageDep
from ladder.kit.writes import KeyedWriteDep, answer_json

router = APIRouter(prefix="/v1/organisations", tags=["organisations"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganisationCreated,
    responses=declare(
        NotAllowedToCreate,
        UnknownUnit,
        RegionOutsideJurisdiction,
        OrganisationExists,
        UsernameTaken,
        ServiceUnavailable,
    ),
    summary="Create an official organisation of the level below, with its first admin "
    "(Idempotency-Key)",
    description=(
        "An admin of the level above (`organisations/hierarchy.yaml`): the ministry creates "
        "province-level units (the XPCC too), central-SOE group HQs and expert pools; a "
        "province the city-level units under it (平潭 350128 too) and, where no city stands "
        "between (Shanghai), the county-level ones; a city its county-level units. A unit's "
        "`region` is its id in the units registry and must report to the caller's unit. The "
        "new organisation's role, org and region become its users' token claims. Its admin is "
        "created `invited` and mailed a one-time link (`/invitations/accept#token=…`); when the "
        "mail cannot be sent, nothing is written (503, `details.reason: mail_unavailable`)."
    ),
)
async def create_organisation(
    data: OrganisationCreate,
    request: Request,
    caller: AdminDep,
    write: KeyedWriteDep,
    settings: SettingsDep,
) -> Response:
    if (replayed := await write.begin(data)) is not None:
        return replayed
    org, admin = await service.create(write.session, settings, request, caller, data)
    return await write.answer(await service.to_created(write.session, org, admin), 201)


@router.get(
    "",
    response_model=OrganisationPage,
    summary="The organisations the caller's organisation created or approves",
)
async def list_organisations(
    caller: CallerDep,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[OrgKind | None, Query()] = None,
    status_filter: Annotated[OrgStatus | None, Query(alias="status")] = None,
) -> OrganisationPage:
    rows, total = await service.page(session, caller, page, kind=kind, status=status_filter)
    return OrganisationPage(
        items=[await service.to_read(session, o) for o in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.get(
    "/{organisation_id}",
    response_model=OrganisationRead,
    responses=declare(OrganisationNotFound),
    summary="The caller's own organisation or one it created (with its ETag)",
)
async def read_organisation(
    organisation_id: uuid.UUID, caller: CallerDep, session: SessionDep
) -> Response:
    org = await service.get(session, caller, organisation_id)
    return answer_json(await service.to_read(session, org))


@router.post(
    "/{organisation_id}/deactivate",
    response_model=OrganisationRead,
    responses=declare(OrganisationNotFound, NotParentOrganisation, OrganisationNotActive),
    summary="Deactivate an organisation the caller's organisation created (If-Match)",
    description=(
        "An admin of the organisation above. Every refresh token of every user of it is "
        "revoked at once and this service refuses their access tokens; the other services' "
        "copies die within the access token's TTL (≤ 15 min)."
    ),
)
async def deactivate_organisation(
    organisation_id: uuid.UUID,
    request: Request,
    caller: AdminDep,
    session: SessionDep,
    if_match: IfMatchDep,
    data: OrganisationDeactivate | None = None,
) -> Response:
    org = await service.deactivate(
        session, request, caller, organisation_id, if_match, data.reason if data else None
    )
    return answer_json(await service.to_read(session, org))
