"""Routes of the expert pool (专家库), ministry only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import ValidationFailed, declare
from ladder.kit.pagination import Page, PageDep
from ladder.kit.writes import KeyedWriteDep, answer_json
from ladder.review.national import experts
from ladder.review.national.auth import MinistryDep
from ladder.review.national.errors import (
    ExpertAccountTaken,
    ExpertInUse,
    ExpertNotFound,
)
from ladder.review.national.schemas import ExpertCreate, ExpertRead, ExpertUpdate

router = APIRouter(prefix="/v1/national/experts", tags=["national review: experts"])


@router.post(
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
        expert = await experts.create(session, principal, data)
        return 201, experts.expert_read(expert).model_dump(mode="json")

    return await write.run(data, run)


@router.get(
    "",
    response_model=Page[ExpertRead],
    responses=declare(ValidationFailed),
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
    rows, total = await experts.page(
        session,
        field=field,
        region_prefix=region,
        active=active,
        offset=page.offset,
        limit=page.page_size,
    )
    return Page(
        items=[experts.expert_read(e) for e in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.get(
    "/{expert_id}",
    response_model=ExpertRead,
    responses=declare(ExpertNotFound),
    summary="One expert (ETag for edits)",
)
async def read_expert(
    expert_id: uuid.UUID, session: SessionDep, principal: MinistryDep
) -> Response:
    expert = await experts.get(session, expert_id)
    return answer_json(experts.expert_read(expert).model_dump(mode="json"))


@router.patch(
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
    expert = await experts.update(session, principal, expert_id, data, if_match)
    return answer_json(experts.expert_read(expert).model_dump(mode="json"))


@router.delete(
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
    await experts.delete(session, expert_id, if_match)
    return Response(status_code=204)
