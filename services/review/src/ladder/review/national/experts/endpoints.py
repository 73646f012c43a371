"""Routes of the expert pool (专家库, ministry only) and of a case's experts (the conflict
check and the assignment of reviewers)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import declare
from ladder.kit.pagination import Page, PageDep
from ladder.kit.writes import KeyedWriteDep, answer_json
from ladder.review.errors import CaseNotFound
from ladder.review.national.auth import MinistryDep
from ladder.review.national.cases.endpoints import CASE, case_routes
from ladder.review.national.cases.schemas import NationalCaseRead
from ladder.review.national.cases.service import case_answer
from ladder.review.national.errors import (
    ConflictOfInterest,
    ExpertAccountTaken,
    ExpertCountOutOfRange,
    ExpertInactive,
    ExpertInUse,
    ExpertNotFound,
    TransitionNotAllowed,
)
from ladder.review.national.experts import service
from ladder.review.national.experts.schemas import (
    ConflictCheckRead,
    ExpertCreate,
    ExpertIds,
    ExpertRead,
    ExpertUpdate,
)

pool_router = APIRouter(prefix="/v1/national/experts", tags=["national review: experts"])
case_router = case_routes()


@pool_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ExpertRead,
    responses=declare(ExpertAccountTaken),
    summary="Add an expert to the pool (Idempotency-Key)",
)
async def create_expert(
    data: ExpertCreate,
    session: SessionDep,
    principal: MinistryDep,
    write: KeyedWriteDep,
) -> Response:
    """`account` is the `sub` the expert logs in with (role `expert`)."""

    async def run():
        expert = await service.create(session, principal, data)
        return 201, service.expert_read(expert).model_dump(mode="json")

    return await write.run(data, run)


@pool_router.get(
    "",
    response_model=Page[ExpertRead],
    responses=declare(),
    summary="The pool, by name; filters: a field (专业领域), a region prefix, active",
)
async def list_experts(
    session: SessionDep,
    principal: MinistryDep,
    page: PageDep,
    field: Annotated[str | None, Query(max_length=50, description="专业领域, exact")] = None,
    region: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{2,6}$", description="GB/T 2260 prefix: 35, 3501, 350102"),
    ] = None,
    active: bool | None = None,
) -> Page[ExpertRead]:
    rows, total = await service.page(
        session,
        field=field,
        region_prefix=region,
        active=active,
        offset=page.offset,
        limit=page.page_size,
    )
    return Page(
        items=[service.expert_read(e) for e in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@pool_router.get(
    "/{expert_id}",
    response_model=ExpertRead,
    responses=declare(ExpertNotFound),
    summary="One expert (ETag for edits)",
)
async def read_expert(
    expert_id: uuid.UUID, session: SessionDep, principal: MinistryDep
) -> Response:
    expert = await service.get(session, expert_id)
    return answer_json(service.expert_read(expert).model_dump(mode="json"))


@pool_router.patch(
    "/{expert_id}",
    response_model=ExpertRead,
    responses=declare(ExpertNotFound, ExpertAccountTaken),
    summary="Change an expert: only the fields sent (If-Match); `active: false` deactivates",
)
async def update_expert(
    expert_id: uuid.UUID,
    data: ExpertUpdate,
    session: SessionDep,
    principal: MinistryDep,
    if_match: IfMatchDep,
) -> Response:
    expert = await service.update(session, principal, expert_id, data, if_match)
    return answer_json(service.expert_read(expert).model_dump(mode="json"))


@pool_router.delete(
    "/{expert_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=declare(ExpertNotFound, ExpertInUse),
    summary="Remove an expert who never sat on a case (If-Match); otherwise deactivate",
)
async def delete_expert(
    expert_id: uuid.UUID,
    session: SessionDep,
    principal: MinistryDep,
    if_match: IfMatchDep,
) -> Response:
    await service.delete(session, expert_id, if_match)
    return Response(status_code=204)


@case_router.post(
    CASE + "/conflict-check",
    response_model=ConflictCheckRead,
    responses=declare(CaseNotFound, ExpertNotFound),
    summary="Each expert's conflicts of interest with the case, without assigning (read-only)",
)
async def conflict_check(
    declaration_id: uuid.UUID, data: ExpertIds, session: SessionDep, principal: MinistryDep
) -> ConflictCheckRead:
    """Types (national.yaml `conflicts`): same_enterprise, same_group, same_region,
    integrator_link, declared. Changes nothing, so no key is needed."""
    return await service.conflict_check(session, principal, declaration_id, data.expert_ids)


@case_router.put(
    CASE + "/experts",
    response_model=NationalCaseRead,
    responses=declare(
        CaseNotFound,
        ExpertNotFound,
        TransitionNotAllowed,
        ExpertInactive,
        ConflictOfInterest,
        ExpertCountOutOfRange,
    ),
    summary="Set the case's reviewers (If-Match on the case)",
)
async def assign_experts(
    declaration_id: uuid.UUID,
    data: ExpertIds,
    session: SessionDep,
    principal: MinistryDep,
    if_match: IfMatchDep,
) -> Response:
    """Only `in_expert_review`; how many reviewers: national.yaml `experts_per_case`."""
    case, _ = await service.assign(session, principal, declaration_id, data.expert_ids, if_match)
    return answer_json(await case_answer(session, principal, case))
