"""Routes of enterprise registration (企业注册): filed without a token, read and decided by
the enterprise's authority (`authority.py`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from ladder.identity.callers import CallerDep
from ladder.identity.errors import AlreadyRegistered, UsernameTaken
from ladder.identity.registrations import service
from ladder.identity.registrations.errors import (
    NoAuthority,
    NotAnAuthority,
    RegistrationDecided,
    RegistrationNotFound,
)
from ladder.identity.registrations.schemas import (
    STATUS_DESCRIPTION,
    RegistrationCreate,
    RegistrationRead,
    RegistrationReject,
    RegistrationStatus,
)
from ladder.identity.requests import anonymous_scope
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import declare
from ladder.kit.pagination import Page, PageDep
from ladder.kit.writes import KeyedWriteDep, answer_json

router = APIRouter(prefix="/v1/registrations", tags=["registrations"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RegistrationRead,
    responses=declare(NoAuthority, AlreadyRegistered, UsernameTaken),
    summary="File an enterprise's registration (企业注册; no token; Idempotency-Key)",
)
async def register(data: RegistrationCreate, request: Request, write: KeyedWriteDep) -> Response:
    """The enterprise (its USCC, name, county and a contact) and its first user, the admin.
    The registration is `pending` until the authority of its county approves it — the county or
    district unit, or the unit above where the units registry has no county (平潭 350128); it
    is named in `authority`. 422 `validation_error` names the field (a wrong USCC check
    character, an email, a region, a refused password); 422 `no_authority` when no authority
    of the region has an account yet; 409 `already_registered` for a USCC pending or approved,
    `username_taken`. A rejected USCC may be filed again, under the same username too."""
    if (
        replayed := await write.begin(data, scope=anonymous_scope(request, "registration"))
    ) is not None:
        return replayed
    org, approver = await service.register(write.session, request, data)
    return await write.answer(service.to_read(org, approver), 201)


@router.get(
    "",
    response_model=Page[RegistrationRead],
    responses=declare(NotAnAuthority),
    summary="The registrations filed with the caller's authority, newest first",
)
async def list_registrations(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    status_filter: Annotated[
        RegistrationStatus | None, Query(alias="status", description=STATUS_DESCRIPTION)
    ] = None,
) -> Page[RegistrationRead]:
    """For users (admin or member) of an authority organisation: the enterprises whose
    registration it decides (403 `not_an_authority` for anyone else)."""
    rows, total = await service.list_for(
        session, caller, status=status_filter, offset=page.offset, limit=page.page_size
    )
    return Page(
        items=[service.to_read(r, caller.org) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.get(
    "/{registration_id}",
    response_model=RegistrationRead,
    responses=declare(RegistrationNotFound),
    summary="One registration filed with the caller's authority (with its ETag)",
)
async def read_registration(
    registration_id: uuid.UUID, session: SessionDep, caller: CallerDep
) -> Response:
    """404 `not_found` for any registration not filed with the caller's organisation."""
    org = await service.get_readable(session, caller, registration_id)
    return answer_json(service.to_read(org, caller.org))


@router.post(
    "/{registration_id}/approve",
    response_model=RegistrationRead,
    responses=declare(RegistrationNotFound, RegistrationDecided),
    summary="Approve a registration (If-Match): the enterprise becomes active",
)
async def approve(
    registration_id: uuid.UUID, session: SessionDep, caller: CallerDep, if_match: IfMatchDep
) -> Response:
    """The enterprise's users may sign in from now on. 409 `registration_decided` when it was
    approved or rejected already."""
    org = await service.decide(session, caller, registration_id, if_match, approve=True)
    return answer_json(service.to_read(org, caller.org))


@router.post(
    "/{registration_id}/reject",
    response_model=RegistrationRead,
    responses=declare(RegistrationNotFound, RegistrationDecided),
    summary="Reject a registration with a reason (If-Match)",
)
async def reject(
    registration_id: uuid.UUID,
    data: RegistrationReject,
    session: SessionDep,
    caller: CallerDep,
    if_match: IfMatchDep,
) -> Response:
    """The reason (1–500 characters) is kept as `status_reason`; the USCC may be filed again."""
    org = await service.decide(
        session, caller, registration_id, if_match, approve=False, reason=data.reason
    )
    return answer_json(service.to_read(org, caller.org))
