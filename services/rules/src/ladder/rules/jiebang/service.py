"""Recording and reading 揭榜单位 (智能制造示范工厂揭榜单位 that passed 地方验收).

The seeds name the exemption (沪经信制〔2025〕430号 一(二)4: 已通过智能制造示范工厂揭榜单位地方验收
的单位不占用推荐名额) but no enterprise, so nothing is seeded: the ministry, or the province that
held the acceptance, records each one with the document it rests on. Every change is a history
row in the same transaction; an edit is under If-Match. A revoked record exempts nothing.
Which caps a record keeps its enterprise off is the quota policies' data (their exemptions
`jiebang_accepted` under an overlay of the accepting province), not the record's.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit import clock
from ladder.kit.auth import Principal
from ladder.kit.concurrency import locked_for_edit
from ladder.rules.jiebang import auth, repository
from ladder.rules.jiebang.errors import (
    InvalidProvince,
    JiebangUnitExists,
    JiebangUnitNotFound,
    NotOwnProvince,
)
from ladder.rules.jiebang.models import JiebangUnit, JiebangUnitEvent
from ladder.rules.jiebang.schemas import (
    ExemptCap,
    JiebangEventRead,
    JiebangStatus,
    JiebangUnitCreate,
    JiebangUnitEdit,
    JiebangUnitRead,
)
from ladder.rules.quotas.policy import ExemptionKey, policies
from ladder.rules.reference.regions import regions

_RECORDED = (
    "uscc",
    "enterprise_name",
    "programme",
    "acceptance",
    "accepted_by",
    "accepted_on",
    "year",
    "source_document",
)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def record(
    session: AsyncSession, principal: Principal, data: JiebangUnitCreate
) -> JiebangUnit:
    if regions().province(data.accepted_by) is None:
        raise InvalidProvince(details={"accepted_by": data.accepted_by})
    if not auth.may_record(principal, data.accepted_by):
        raise NotOwnProvince(details={"accepted_by": data.accepted_by, "region": principal.region})
    existing = await repository.find(session, data.uscc, data.accepted_by)
    if existing is not None:
        raise JiebangUnitExists(details={"id": str(existing.id), "etag": existing.etag})
    unit = JiebangUnit(
        **data.model_dump(),
        status=JiebangStatus.active.value,
        created_by=principal.sub,
        updated_by=principal.sub,
    )
    session.add(unit)
    await session.flush()
    _history(
        session,
        unit,
        "recorded",
        {f: [None, _plain(getattr(unit, f))] for f in _RECORDED},
        data.source_note,
        principal.sub,
    )
    await session.flush()
    await session.refresh(unit)
    return unit


async def edit(
    session: AsyncSession,
    principal: Principal,
    unit_id: uuid.UUID,
    data: JiebangUnitEdit,
    if_match: str,
) -> JiebangUnit:
    # Who may, before the If-Match: another province is told 403, not that its ETag is stale.
    found = await get(session, unit_id)
    if not auth.may_record(principal, found.accepted_by):
        raise NotOwnProvince(details={"accepted_by": found.accepted_by, "region": principal.region})
    unit = await locked_for_edit(session, JiebangUnit, unit_id, if_match)
    if unit is None:
        raise JiebangUnitNotFound(details={"id": str(unit_id)})
    sent = data.model_dump(exclude_unset=True, exclude={"source_note"})
    changes: dict[str, list[Any]] = {}
    for field, value in sent.items():
        value = value.value if isinstance(value, JiebangStatus) else value
        if value is not None and getattr(unit, field) != value:
            changes[field] = [_plain(getattr(unit, field)), _plain(value)]
            setattr(unit, field, value)
    status = changes.get("status")
    action = "edited" if status is None else ("revoked" if status[1] == "revoked" else "restored")
    unit.source_note = data.source_note
    unit.bump()
    unit.updated_by = principal.sub
    unit.updated_at = clock.now()
    session.add(unit)
    _history(session, unit, action, changes, data.source_note, principal.sub)
    await session.flush()
    await session.refresh(unit)
    return unit


async def get(session: AsyncSession, unit_id: uuid.UUID) -> JiebangUnit:
    unit = await repository.get(session, unit_id)
    if unit is None:
        raise JiebangUnitNotFound(details={"id": str(unit_id)})
    return unit


def _history(
    session: AsyncSession,
    unit: JiebangUnit,
    action: str,
    changes: dict[str, list[Any]],
    source_note: str,
    actor: str,
) -> None:
    session.add(
        JiebangUnitEvent(
            unit_id=unit.id,
            action=action,
            changes=changes,
            source_note=source_note,
            row_version=unit.row_version,
            actor=actor,
            at=clock.now(),
        )
    )


def exempt_from(province: str) -> list[ExemptCap]:
    """The caps of every shipped policy that exempt 揭榜单位 accepted by `province`."""
    out = []
    table = policies()
    for campaign in table.campaigns:
        policy = table.get(campaign)
        assert policy is not None
        overlay = policy.overlay_for(province)
        if overlay is None:
            continue
        for tier, rule in overlay.tiers.items():
            for exemption in rule.exemptions:
                if exemption.key is ExemptionKey.jiebang_accepted:
                    out.append(
                        ExemptCap(
                            campaign=campaign, policy=overlay.id, tier=tier, clause=exemption.clause
                        )
                    )
    return out


async def to_read(session: AsyncSession, unit: JiebangUnit) -> JiebangUnitRead:
    assert unit.created_at is not None and unit.updated_at is not None
    province = regions().province(unit.accepted_by)
    return JiebangUnitRead(
        id=unit.id,
        uscc=unit.uscc,
        enterprise_name=unit.enterprise_name,
        programme=unit.programme,
        acceptance=unit.acceptance,
        accepted_by=unit.accepted_by,
        accepted_by_name=province.name if province else None,
        accepted_on=unit.accepted_on,
        year=unit.year,
        source_document=unit.source_document,
        source_note=unit.source_note,
        status=JiebangStatus(unit.status),
        exempt_from=exempt_from(unit.accepted_by) if unit.status == "active" else [],
        etag=unit.etag,
        history=[
            JiebangEventRead.model_validate(h) for h in await repository.history(session, unit.id)
        ],
        created_by=unit.created_by,
        created_at=unit.created_at,
        updated_by=unit.updated_by,
        updated_at=unit.updated_at,
    )
