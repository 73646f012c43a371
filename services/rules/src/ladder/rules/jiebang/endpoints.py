"""Routes of the 揭榜单位 registry: the ministry or the accepting province records, anyone
authenticated reads."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from ladder.kit.auth import PrincipalDep
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import declare
from ladder.kit.pagination import Page, PageDep
from ladder.kit.writes import KeyedWriteDep, answer_json
from ladder.rules.jiebang import repository, service
from ladder.rules.jiebang.auth import RecorderDep
from ladder.rules.jiebang.errors import (
    InvalidProvince,
    JiebangUnitExists,
    JiebangUnitNotFound,
    NotOwnProvince,
)
from ladder.rules.jiebang.schemas import (
    JiebangStatus,
    JiebangUnitCreate,
    JiebangUnitEdit,
    JiebangUnitRead,
)

router = APIRouter(prefix="/v1/jiebang-units", tags=["jiebang units"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=JiebangUnitRead,
    responses=declare(InvalidProvince, NotOwnProvince, JiebangUnitExists),
    summary="Record a 揭榜单位 that passed 地方验收 (ministry or that province; Idempotency-Key)",
)
async def record_unit(
    data: JiebangUnitCreate, principal: RecorderDep, write: KeyedWriteDep
) -> Response:
    """While active, the enterprise's entries take no slot of the caps whose policy exempts
    揭榜单位 accepted by `accepted_by` (`exempt_from`; 沪经信制〔2025〕430号 一(二)4 for a
    Shanghai district's 卓越级). One record per enterprise and province: 409
    `jiebang_unit_exists` names the one to edit."""
    if (replayed := await write.begin(data)) is not None:
        return replayed
    unit = await service.record(write.session, principal, data)
    return await write.answer(await service.to_read(write.session, unit), 201)


@router.get(
    "",
    response_model=Page[JiebangUnitRead],
    responses=declare(),
    summary="The 揭榜单位 recorded, by province then USCC",
)
async def list_units(
    session: SessionDep,
    _: PrincipalDep,
    page: PageDep,
    uscc: Annotated[str | None, Query(min_length=18, max_length=18)] = None,
    accepted_by: Annotated[str | None, Query(pattern=r"^[1-8][0-9]0000$")] = None,
    status_filter: Annotated[JiebangStatus | None, Query(alias="status")] = None,
) -> Page[JiebangUnitRead]:
    rows, total = await repository.page(
        session,
        uscc=uscc.upper() if uscc else None,
        accepted_by=accepted_by,
        status=status_filter.value if status_filter else None,
        offset=page.offset,
        limit=page.page_size,
    )
    return Page(
        items=[await service.to_read(session, u) for u in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.get(
    "/{unit_id}",
    response_model=JiebangUnitRead,
    responses=declare(JiebangUnitNotFound),
    summary="One 揭榜单位 record with its history (ETag)",
)
async def read_unit(unit_id: uuid.UUID, session: SessionDep, _: PrincipalDep) -> Response:
    return answer_json(await service.to_read(session, await service.get(session, unit_id)))


@router.patch(
    "/{unit_id}",
    response_model=JiebangUnitRead,
    responses=declare(JiebangUnitNotFound, NotOwnProvince),
    summary="Correct or revoke a record (If-Match; `source_note` says why)",
)
async def edit_unit(
    unit_id: uuid.UUID,
    data: JiebangUnitEdit,
    session: SessionDep,
    principal: RecorderDep,
    if_match: IfMatchDep,
) -> Response:
    """`status: revoked` ends the exemption (`restored` by `status: active`); every change is
    a history row with the fields before and after."""
    unit = await service.edit(session, principal, unit_id, data, if_match)
    return answer_json(await service.to_read(session, unit))
