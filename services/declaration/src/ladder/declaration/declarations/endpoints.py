"""Routes for declarations (申报)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from ladder.declaration.campaigns.errors import DeadlinePassed
from ladder.declaration.declarations import diff, repository, service
from ladder.declaration.declarations.models import DeclarationVersion
from ladder.declaration.declarations.schemas import (
    DeclarationCreate,
    DeclarationPatch,
    DeclarationRead,
    PrecheckResult,
    TransitionOf,
    TransitionRead,
    VersionDiff,
    VersionDiffOf,
    VersionOf,
    VersionRead,
    WithdrawRequest,
)
from ladder.declaration.errors import (
    CATALOGUE_ERRORS,
    CampaignNotFound,
    ChangedDuringSubmit,
    DeclarationExists,
    DeclarationIncomplete,
    DeclarationNotFound,
    FactoryNotFound,
    InvalidTransition,
    NotEditable,
    NotOwnEnterprise,
    PrecheckFailed,
    RulesUnavailable,
    TierNotOpen,
    VersionNotFound,
)
from ladder.declaration.rules_client import RulesDep
from ladder.declaration.settings import SettingsDep
from ladder.kit.auth import PrincipalDep
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import DatabaseDep, SessionDep
from ladder.kit.errors import Forbidden, UpstreamError, declare
from ladder.kit.pagination import Page, PageDep
from ladder.kit.params import MAX_VERSION
from ladder.kit.writes import KeyedWriteDep, answer_json

router = APIRouter(prefix="/v1/declarations", tags=["declarations"])

# What asking the rules service can answer besides its verdict (502 refused, 503 unreachable).
RULES_ERRORS = (UpstreamError, RulesUnavailable)
# What saving a draft's content can answer: the campaign, the tier, the catalogues.
CONTENT_ERRORS = (
    CampaignNotFound,
    TierNotOpen,
    DeclarationExists,
    *CATALOGUE_ERRORS,
    UpstreamError,
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DeclarationRead,
    responses=declare(FactoryNotFound, *CONTENT_ERRORS),
    summary="Create a draft declaration for one of the caller's factories",
)
async def create_declaration(
    data: DeclarationCreate, principal: PrincipalDep, write: KeyedWriteDep, rules: RulesDep
) -> Response:
    if (replayed := await write.begin(data)) is not None:
        return replayed
    row = await service.create(write.session, rules, principal, data)
    return await write.answer(service.to_read(row), 201)


MAX_IDS = 100
"""The most ids one batch read names (`?ids=`): a page of a client's list, at most."""

DeclarationIds = Annotated[
    list[uuid.UUID] | None,
    Query(
        max_length=MAX_IDS,
        description=f"only these declarations (at most {MAX_IDS}; repeat the parameter): a "
        "batch read, by the same rule as one read — those the caller may not read are not in "
        "the answer",
    ),
]


@router.get("", response_model=Page[DeclarationRead], responses=declare(Forbidden))
async def list_declarations(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    status_filter: Annotated[str | None, Query(alias="status", max_length=30)] = None,
    ids: DeclarationIds = None,
) -> Page[DeclarationRead]:
    """The caller's own declarations (enterprise), those in its jurisdiction (authorities), or
    those it may read as an expert (the versions under review it is granted); with `ids`, only
    those of them."""
    rows, total = await service.list_for(
        session,
        principal,
        status=status_filter,
        ids=ids,
        offset=page.offset,
        limit=page.page_size,
    )
    return Page(
        items=[service.to_read(r) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


BatchIds = Annotated[
    list[uuid.UUID],
    Query(
        alias="declaration_id",
        min_length=1,
        max_length=MAX_IDS,
        description=f"the declarations (1 to {MAX_IDS}; repeat the parameter); those the "
        "caller may not read are not in the answer, as their single reads answer 404",
    ),
]
# The batch reads of many declarations' versions, history and diffs (GraphQL's loaders), by
# the rules of `/{declaration_id}/versions`, `/history` and `/versions/{a}/diff/{b}`. They
# come before `/{declaration_id}`, whose path would take `versions` for an id.


@router.get(
    "/versions",
    response_model=list[VersionOf],
    responses=declare(),
    summary="The submitted versions of several declarations (a batch read)",
)
async def batch_versions(
    ids: BatchIds, session: SessionDep, principal: PrincipalDep
) -> list[VersionOf]:
    readable = await repository.readable_ids(session, principal, ids)
    found = await repository.versions_of(session, readable, reader=principal)
    return [VersionOf.model_validate(v, from_attributes=True) for v in found]


@router.get(
    "/history",
    response_model=list[TransitionOf],
    responses=declare(),
    summary="The history of several declarations (a batch read)",
)
async def batch_history(
    ids: BatchIds, session: SessionDep, principal: PrincipalDep
) -> list[TransitionOf]:
    readable = await repository.readable_ids(session, principal, ids)
    return [
        TransitionOf.model_validate(t, from_attributes=True)
        for t in await repository.histories(session, readable)
    ]


@router.get(
    "/diffs",
    response_model=list[VersionDiffOf],
    responses=declare(),
    summary="What changed between the same two versions of several declarations (a batch read)",
)
async def batch_diffs(
    ids: BatchIds,
    before: Annotated[int, Query(ge=1, le=MAX_VERSION)],
    after: Annotated[int, Query(ge=1, le=MAX_VERSION)],
    session: SessionDep,
    principal: PrincipalDep,
) -> list[VersionDiffOf]:
    """A declaration that lacks either version (or that the caller may not read) is not in
    the answer."""
    readable = await repository.readable_ids(session, principal, ids)
    found = await repository.versions_of(
        session, readable, reader=principal, numbers={before, after}
    )
    by_declaration: dict[uuid.UUID, dict[int, DeclarationVersion]] = {}
    for v in found:
        by_declaration.setdefault(v.declaration_id, {})[v.number] = v
    return [
        VersionDiffOf(declaration_id=did, **_diff(versions[before], versions[after]).model_dump())
        for did, versions in by_declaration.items()
        if before in versions and after in versions
    ]


def _diff(a: DeclarationVersion, b: DeclarationVersion) -> VersionDiff:
    return VersionDiff(
        before=a.number,
        after=b.number,
        before_fingerprint=a.fingerprint,
        after_fingerprint=b.fingerprint,
        changes=diff.diff(a.content, b.content),
    )


@router.get(
    "/{declaration_id}", response_model=DeclarationRead, responses=declare(DeclarationNotFound)
)
async def read_declaration(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    row = await service.get_readable(session, principal, declaration_id)
    return answer_json(service.to_read(row))


@router.patch(
    "/{declaration_id}",
    response_model=DeclarationRead,
    responses=declare(DeclarationNotFound, NotOwnEnterprise, NotEditable, *CONTENT_ERRORS),
    summary="Edit a draft (If-Match required; `facts` as a JSON Merge Patch, RFC 7396)",
)
async def edit_declaration(
    declaration_id: uuid.UUID,
    data: DeclarationPatch,
    session: SessionDep,
    principal: PrincipalDep,
    rules: RulesDep,
    if_match: IfMatchDep,
) -> Response:
    row = await service.patch(session, rules, principal, declaration_id, data, if_match)
    return answer_json(service.to_read(row))


@router.post(
    "/{declaration_id}/precheck",
    response_model=PrecheckResult,
    responses=declare(DeclarationNotFound, NotOwnEnterprise, *RULES_ERRORS),
    summary="Pre-check against 要素条件 (asks the rules service)",
)
async def precheck_declaration(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, rules: RulesDep
) -> PrecheckResult:
    return await service.precheck(session, rules, principal, declaration_id)


@router.post(
    "/{declaration_id}/submit",
    response_model=DeclarationRead,
    responses=declare(
        DeclarationNotFound,
        NotOwnEnterprise,
        InvalidTransition,
        DeadlinePassed,
        DeclarationIncomplete,
        ChangedDuringSubmit,
        PrecheckFailed,
        *RULES_ERRORS,
    ),
    summary="Submit (Idempotency-Key required): freezes a fingerprinted version",
)
async def submit_declaration(
    declaration_id: uuid.UUID,
    db: DatabaseDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    rules: RulesDep,
    write: KeyedWriteDep,
) -> Response:
    # The rules are asked first, with no connection or lock held (the request's session has
    # not touched the database yet); the key claim and the locked write follow.
    evaluated = await service.evaluate_for_submit(
        db,
        rules,
        principal,
        declaration_id,
        wait_seconds=settings.rules_evaluation_timeout_seconds,
    )
    if (replayed := await write.begin()) is not None:
        return replayed
    row = await service.submit(write.session, rules, principal, declaration_id, evaluated)
    return await write.answer(service.to_read(row))


@router.post(
    "/{declaration_id}/withdraw",
    response_model=DeclarationRead,
    responses=declare(DeclarationNotFound, NotOwnEnterprise, InvalidTransition),
    summary="Withdraw (If-Match required)",
)
async def withdraw_declaration(
    declaration_id: uuid.UUID,
    data: WithdrawRequest,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchDep,
) -> Response:
    row = await service.withdraw(session, principal, declaration_id, data.reason, if_match)
    return answer_json(service.to_read(row))


@router.get(
    "/{declaration_id}/versions",
    response_model=list[VersionRead],
    responses=declare(DeclarationNotFound),
)
async def list_versions(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[VersionRead]:
    await service.get_readable(session, principal, declaration_id)
    return [
        VersionRead.model_validate(v)
        for v in await repository.versions(session, declaration_id, reader=principal)
    ]


@router.get(
    "/{declaration_id}/versions/{before}/diff/{after}",
    response_model=VersionDiff,
    responses=declare(DeclarationNotFound, VersionNotFound),
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
    found = {
        v.number: v for v in await repository.versions(session, declaration_id, reader=principal)
    }
    missing = [n for n in (before, after) if n not in found]
    if missing:
        raise VersionNotFound(details={"declaration_id": str(declaration_id), "versions": missing})
    return _diff(found[before], found[after])


@router.get(
    "/{declaration_id}/history",
    response_model=list[TransitionRead],
    responses=declare(DeclarationNotFound),
)
async def list_history(
    declaration_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> list[TransitionRead]:
    await service.get_readable(session, principal, declaration_id)
    return [
        TransitionRead.model_validate(t) for t in await repository.history(session, declaration_id)
    ]
