"""Routes for declarations (申报)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse

from ladder.declaration.declarations import diff, repository, service
from ladder.declaration.declarations.schemas import (
    DeclarationCreate,
    DeclarationPatch,
    DeclarationRead,
    PrecheckResult,
    TransitionRead,
    VersionDiff,
    VersionRead,
    WithdrawRequest,
)
from ladder.declaration.errors import VersionNotFound
from ladder.declaration.peers import RulesDep
from ladder.declaration.tables import IDEMPOTENCY
from ladder.kit.auth import PrincipalDep
from ladder.kit.concurrency import IfMatchHeader
from ladder.kit.db import SessionDep
from ladder.kit.errors import responses
from ladder.kit.idempotency import IdempotencyKeyDep, claim
from ladder.kit.outbox import wake_relay
from ladder.kit.pagination import Page, PageDep

router = APIRouter(prefix="/v1/declarations", tags=["declarations"])


def _answer(read: DeclarationRead, status_code: int = 200) -> JSONResponse:
    return JSONResponse(
        read.model_dump(mode="json"), status_code=status_code, headers={"ETag": read.etag}
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DeclarationRead,
    responses=responses(401, 403, 404, 422, 428),
    summary="Create a draft declaration for one of the caller's factories",
)
async def create_declaration(
    data: DeclarationCreate,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    key: IdempotencyKeyDep,
    rules: RulesDep,
) -> Response:
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
    read = service.to_read(await service.create(session, rules, principal, data))
    await slot.store(session, 201, read.model_dump(mode="json"))
    return _answer(read, 201)


@router.get("", response_model=Page[DeclarationRead], responses=responses(401, 403))
async def list_declarations(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    status_filter: Annotated[str | None, Query(alias="status", max_length=30)] = None,
) -> Page[DeclarationRead]:
    """The caller's own declarations (enterprise) or those in its jurisdiction (authorities)."""
    rows, total = await service.list_for(
        session, principal, status=status_filter, offset=page.offset, limit=page.page_size
    )
    return Page(
        items=[service.to_read(r) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.get("/{declaration_id}", response_model=DeclarationRead, responses=responses(401, 404))
async def read_declaration(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    return _answer(service.to_read(await service.get_readable(session, principal, declaration_id)))


@router.patch(
    "/{declaration_id}",
    response_model=DeclarationRead,
    responses=responses(401, 403, 404, 409, 412, 422, 428),
    summary="Edit a draft (If-Match required)",
)
async def edit_declaration(
    declaration_id: uuid.UUID,
    data: DeclarationPatch,
    session: SessionDep,
    principal: PrincipalDep,
    rules: RulesDep,
    if_match: IfMatchHeader = None,
) -> Response:
    row = await service.patch(session, rules, principal, declaration_id, data, if_match)
    return _answer(service.to_read(row))


@router.post(
    "/{declaration_id}/precheck",
    response_model=PrecheckResult,
    responses=responses(401, 404, 502, 503),
    summary="Pre-check against 要素条件 (asks the rules service)",
)
async def precheck_declaration(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, rules: RulesDep
) -> PrecheckResult:
    return await service.precheck(session, rules, principal, declaration_id)


@router.post(
    "/{declaration_id}/submit",
    response_model=DeclarationRead,
    responses=responses(401, 403, 404, 409, 422, 428, 502, 503),
    summary="Submit (Idempotency-Key required): freezes a fingerprinted version",
)
async def submit_declaration(
    declaration_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    rules: RulesDep,
    key: IdempotencyKeyDep,
) -> Response:
    # The rules are asked first, with no connection or lock held (the request's session has
    # not touched the database yet); the key claim and the locked write follow.
    evaluated = await service.evaluate_for_submit(
        request.app.state.db,
        rules,
        principal,
        declaration_id,
        wait_seconds=request.app.state.settings.rules_evaluation_timeout_seconds,
    )
    slot = await claim(session, IDEMPOTENCY, principal=principal.sub, key=key, request=request)
    if (replayed := slot.replayed()) is not None:
        return replayed
    row = await service.submit(session, rules, principal, declaration_id, evaluated)
    read = service.to_read(row)
    await slot.store(session, 200, read.model_dump(mode="json"))
    wake_relay(request.app.state)
    return _answer(read)


@router.post(
    "/{declaration_id}/withdraw",
    response_model=DeclarationRead,
    responses=responses(401, 403, 404, 409, 412, 428),
    summary="Withdraw (If-Match required)",
)
async def withdraw_declaration(
    declaration_id: uuid.UUID,
    data: WithdrawRequest,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchHeader = None,
) -> Response:
    row = await service.withdraw(session, principal, declaration_id, data.reason, if_match)
    return _answer(service.to_read(row))


@router.get(
    "/{declaration_id}/versions", response_model=list[VersionRead], responses=responses(401, 404)
)
async def list_versions(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[VersionRead]:
    await service.get_readable(session, principal, declaration_id)
    return [
        VersionRead.model_validate(v) for v in await repository.versions(session, declaration_id)
    ]


@router.get(
    "/{declaration_id}/versions/{before}/diff/{after}",
    response_model=VersionDiff,
    responses=responses(401, 404),
    summary="What changed between two submitted versions, field by field",
)
async def diff_versions(
    declaration_id: uuid.UUID,
    before: Annotated[int, Path(ge=1, le=100_000)],
    after: Annotated[int, Path(ge=1, le=100_000)],
    session: SessionDep,
    principal: PrincipalDep,
) -> VersionDiff:
    await service.get_readable(session, principal, declaration_id)
    found = {v.number: v for v in await repository.versions(session, declaration_id)}
    missing = [n for n in (before, after) if n not in found]
    if missing:
        raise VersionNotFound(details={"declaration_id": str(declaration_id), "versions": missing})
    a, b = found[before], found[after]
    return VersionDiff(
        before=before,
        after=after,
        before_fingerprint=a.fingerprint,
        after_fingerprint=b.fingerprint,
        changes=diff.diff(a.content, b.content),
    )


@router.get(
    "/{declaration_id}/history", response_model=list[TransitionRead], responses=responses(401, 404)
)
async def list_history(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[TransitionRead]:
    await service.get_readable(session, principal, declaration_id)
    return [
        TransitionRead.model_validate(t) for t in await repository.history(session, declaration_id)
    ]
