"""What each export holds and who may read it: the same as the list it exports.

- A case export is the caller's inbox (`ladder.review.cases.service.inbox`): an authority's
  cases within its reach (`ladder.review.cases.auth`), by default those held at its level,
  with `held=false` every case in its jurisdiction; the same `tier` and `status` filters.
- A published list is public, like `GET /public/v1/published-lists/…`: only once its 公示 is
  closed (404 `published_list_not_found` before), only the entries published (not those
  withdrawn after an upheld objection), numbered in their order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy import false
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.auth import Principal
from ladder.kit.clock import beijing_date
from ladder.kit.exports import Row
from ladder.kit.jurisdiction import reach
from ladder.review.cases import repository as cases_repository
from ladder.review.cases.auth import held_level
from ladder.review.cases.machine import HELD_STATUSES
from ladder.review.exports import repository
from ladder.review.exports.schemas import STATUS_LABELS
from ladder.review.national.data import NationalTier
from ladder.review.national.errors import PublishedListNotFound
from ladder.review.national.publicity import repository as publicity_repository
from ladder.review.national.publicity.service import CLOSED

# The names of the published lists (工信厅联通装函〔2025〕251号 三(二)4-5: the 卓越级 list, the
# 领航级 培育对象 list); "智能工厂" added to say whose lists they are (interpreted).
LIST_NAMES = {
    NationalTier.excellence: "卓越级智能工厂名单",
    NationalTier.pilot: "领航级智能工厂培育对象名单",
}


def cases(
    session: AsyncSession,
    principal: Principal,
    *,
    held: bool,
    tier: str | None,
    status: str | None,
) -> AsyncIterator[Row]:
    """The rows of the caller's inbox (as `GET /v1/inbox` filters it), oldest first."""
    scope = reach(principal)
    level = held_level(principal)
    if held and level is None:
        clauses = [false()]  # no chain level (the ministry): its held inbox is empty
    else:
        clauses = cases_repository.listed(
            scope,
            held_at=level.value if held and level is not None else None,
            held_statuses=HELD_STATUSES,
            tier=tier,
            status=status,
        )
    return _with_status_labels(repository.rows(session, repository.cases(clauses)))


async def _with_status_labels(rows: AsyncIterator[Row]) -> AsyncIterator[Row]:
    async for row in rows:
        yield {**row, "status_label": STATUS_LABELS.get(row["status"], row["status"])}


def cases_file_name(principal: Principal, held: bool, now: datetime) -> tuple[str, str]:
    """(the file's name, its ASCII fallback): whose cases, which view, which day."""
    unit = principal.region or principal.org or "全国"
    day = beijing_date(now).strftime("%Y%m%d")
    view, view_en = ("待办案件", "inbox") if held else ("辖区案件", "cases")
    return f"{view}-{unit}-{day}", f"{view_en}-{unit}-{day}"


async def published_list(
    session: AsyncSession, campaign_year: int, tier: NationalTier
) -> AsyncIterator[Row]:
    """The rows of a published list (404 until its 公示 is closed). Checked before the first
    byte, so a list not yet published is an error answer, not an empty file."""
    p = await publicity_repository.publicity(session, campaign_year, tier.value)
    if p is None or p.status != CLOSED:
        raise PublishedListNotFound(details={"campaign_year": campaign_year, "tier": tier.value})
    return _numbered(
        repository.rows(session, repository.published_entries(p.id)), campaign_year, tier
    )


async def _numbered(
    rows: AsyncIterator[Row], campaign_year: int, tier: NationalTier
) -> AsyncIterator[Row]:
    number = 0
    async for row in rows:
        number += 1
        yield {**row, "number": number, "campaign_year": campaign_year, "tier": tier.value}


def published_file_name(campaign_year: int, tier: NationalTier) -> tuple[str, str]:
    return f"{campaign_year}年{LIST_NAMES[tier]}", f"published-list-{campaign_year}-{tier.value}"
