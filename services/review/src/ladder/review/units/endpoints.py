"""Routes of the registry of units (推荐/初审单位): any authenticated caller reads it — it is the
organisation the public notices set out (an enterprise may see whom its declaration goes to)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ladder.kit.auth import PrincipalDep
from ladder.kit.errors import declare
from ladder.kit.pagination import Page, PageDep
from ladder.kit.units import Kind, Level
from ladder.review.errors import UnitNotFound
from ladder.review.units import service
from ladder.review.units.schemas import UnitRead

router = APIRouter(prefix="/v1/units", tags=["units (推荐/初审单位)"])

Region = Annotated[str, Query(pattern=r"^[1-9][0-9]{5}$", description="a factory's GB/T 2260 code")]
Uscc = Annotated[
    str,
    Query(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$", description="the enterprise's 统一社会信用代码"),
]


@router.get(
    "",
    response_model=Page[UnitRead],
    summary="The registry of units, filtered; or the chain of units of a factory",
)
async def list_units(
    _: PrincipalDep,
    page: PageDep,
    level: Annotated[Level | None, Query()] = None,
    kind: Annotated[Kind | None, Query()] = None,
    parent: Annotated[str | None, Query(max_length=23, description="a parent unit's id")] = None,
    region: Region | None = None,
    enterprise: Uscc | None = None,
) -> Page[UnitRead]:
    """The listed units (the 31 provinces first, then the units the notices name: 平潭, 福州,
    Shanghai's districts and 管委会, the XPCC), each with its level, parent, what it covers, what
    is carved out of it and its source clause. With `region` (and `enterprise`), instead the
    units a factory there climbs, lowest first, including those derived from the code
    (350102 → 350102, 350100, 350000; 350128 → 350128 平潭, 350000)."""
    items = service.select(
        level=level, kind=kind, parent=parent, region=region, enterprise=enterprise
    )
    return Page(
        items=items[page.offset : page.offset + page.page_size],
        total=len(items),
        page=page.page,
        page_size=page.page_size,
    )


@router.get(
    "/{unit_id}",
    response_model=UnitRead,
    responses=declare(UnitNotFound),
    summary="One unit: listed, or derived from a GB/T 2260 code or `soe:<USCC>`",
)
async def read_unit(
    _: PrincipalDep,
    unit_id: Annotated[str, Path(max_length=23, description="350128, xpcc, sh-lingang, soe:…")],
) -> UnitRead:
    return service.one(unit_id)
