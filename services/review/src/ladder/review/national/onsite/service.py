"""现场核查 (on-site verification) of a 领航级 case (工信厅联通装函〔2025〕251号 三(二)4; the
declarant must cooperate, 三(一)4).

The checklist is generated from what the case declared — one item per scene instance
(环节—场景—实例), one per KPI with its declared value — plus the template items of
`national.yaml`. The team records a finding per item and a conclusion; all of it recorded is
what the decision's guard `onsite_findings_recorded` asks."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit import clock
from ladder.kit.auth import Principal
from ladder.kit.concurrency import check_if_match, etag
from ladder.review.cases import transitions
from ladder.review.cases.machine import ONSITE_SCHEDULED
from ladder.review.cases.models import ReviewCase
from ladder.review.cases.service import case_etag
from ladder.review.national.cases.service import brief, reach
from ladder.review.national.data import national
from ladder.review.national.errors import (
    ChecklistItemNotFound,
    FindingNoteRequired,
    OnsiteClosed,
    OnsiteNotFound,
)
from ladder.review.national.experts import access
from ladder.review.national.experts import repository as experts_repository
from ladder.review.national.experts.repository import ONSITE
from ladder.review.national.experts.service import check_team_size, vet
from ladder.review.national.onsite import repository
from ladder.review.national.onsite.checklist import checklist
from ladder.review.national.onsite.models import NationalOnsite, NationalOnsiteItem
from ladder.review.national.onsite.schemas import (
    ChecklistItemRead,
    Finding,
    FindingPut,
    OnsiteCreate,
    OnsiteRead,
    OnsiteReschedule,
)

IN_VERIFICATION = "onsite_verification"


ONSITE_RESCHEDULED = "onsite_rescheduled"  # history only: the status stays


def onsite_etag(case: ReviewCase, visit: NationalOnsite) -> str:
    return etag(visit.etag_kind, case.declaration_id, visit.row_version)


def item_etag(case: ReviewCase, item: NationalOnsiteItem) -> str:
    return etag(item.etag_kind, f"{case.declaration_id}-{item.key}", item.row_version)


async def schedule(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    data: OnsiteCreate,
    if_match: str | None,
) -> ReviewCase:
    """Move the case to 现场核查 with its team (vetted like reviewers) and checklist."""
    case = await reach(session, principal, declaration_id, for_update=True)
    check_if_match(if_match, case_etag(case))
    check_team_size(len(data.team))
    await transitions.move(
        session,
        case,
        "schedule_onsite",
        actor=principal.sub,
        event=ONSITE_SCHEDULED,
        reason=f"{data.scheduled_on.isoformat()} {data.place}",
        tier=case.tier,
        **national().onsite_verification.facts(),
    )
    await vet(session, case, data.team)  # raising here rolls the move back with the request
    now = clock.now()
    visit = NationalOnsite(
        case_id=case.id,
        scheduled_on=data.scheduled_on,
        place=data.place,
        created_by=principal.sub,
        created_at=now,
        updated_at=now,
    )
    session.add(visit)
    await session.flush()
    for position, item in enumerate(checklist(case.details, national().onsite_template), 1):
        session.add(NationalOnsiteItem(onsite_id=visit.id, position=position, **item))
    before = await access.readers(session, case)
    await experts_repository.replace_assignments(session, case.id, ONSITE, data.team, principal.sub)
    await access.changed(session, case, before, granted="assigned", revoked="unassigned")
    return case


async def reschedule(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    data: OnsiteReschedule,
    if_match: str | None,
) -> tuple[ReviewCase, NationalOnsite]:
    """Change the date, place or team of a 现场核查 not yet concluded (If-Match on the
    verification). A new team is vetted for conflicts like the first; findings already
    recorded stay. The change and its reason go into the case's history."""
    case, visit = await _visit(session, principal, declaration_id, lock=True)
    check_if_match(if_match, onsite_etag(case, visit))
    _open(case)
    if visit.conclusion:
        raise OnsiteClosed(details={"status": case.status, "concluded": True})
    if data.team is not None:
        check_team_size(len(data.team))
        await vet(session, case, data.team)
        before = await access.readers(session, case)
        await experts_repository.replace_assignments(
            session, case.id, ONSITE, data.team, principal.sub
        )
        await access.changed(session, case, before, granted="assigned", revoked="unassigned")
    if data.scheduled_on is not None:
        visit.scheduled_on = data.scheduled_on
    if data.place is not None:
        visit.place = data.place
    now = clock.now()
    visit.bump()
    visit.updated_at = now
    session.add(visit)
    await transitions.note(
        session,
        case,
        actor=principal.sub,
        event=ONSITE_RESCHEDULED,
        reason=f"{visit.scheduled_on.isoformat()} {visit.place}: {data.reason}",
    )
    await session.flush()
    return case, visit


async def _visit(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID, *, lock: bool
) -> tuple[ReviewCase, NationalOnsite]:
    case = await reach(session, principal, declaration_id, duty=ONSITE)
    visit = await repository.onsite(session, case.id, for_update=lock)
    if visit is None:
        raise OnsiteNotFound(details={"declaration_id": str(declaration_id)})
    return case, visit


def _open(case: ReviewCase) -> None:
    if case.status != IN_VERIFICATION:
        raise OnsiteClosed(details={"status": case.status})


async def record_finding(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    key: str,
    data: FindingPut,
    if_match: str | None,
) -> tuple[ReviewCase, NationalOnsite]:
    """One item's finding (If-Match on the item): a discrepancy or an unchecked item needs a
    note. Findings are open while the case is in 现场核查."""
    case, visit = await _visit(session, principal, declaration_id, lock=False)
    item = await repository.item(session, visit.id, key, for_update=True)
    if item is None:
        raise ChecklistItemNotFound(details={"key": key})
    check_if_match(if_match, item_etag(case, item))
    _open(case)
    if data.finding is not Finding.verified and not data.note:
        raise FindingNoteRequired(details={"key": key, "finding": data.finding.value})
    item.finding = data.finding.value
    item.note = data.note or None
    item.recorded_by = principal.sub
    item.recorded_at = clock.now()
    item.bump()
    session.add(item)
    await session.flush()
    return case, visit


async def conclude(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    conclusion: str,
    if_match: str | None,
) -> tuple[ReviewCase, NationalOnsite]:
    """The team's conclusion (核查结论), If-Match on the verification."""
    case, visit = await _visit(session, principal, declaration_id, lock=True)
    check_if_match(if_match, onsite_etag(case, visit))
    _open(case)
    visit.conclusion = conclusion
    visit.concluded_by = principal.sub
    visit.bump()
    visit.updated_at = clock.now()
    session.add(visit)
    await session.flush()
    return case, visit


async def read(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID
) -> tuple[ReviewCase, NationalOnsite]:
    return await _visit(session, principal, declaration_id, lock=False)


async def to_read(session: AsyncSession, case: ReviewCase, visit: NationalOnsite) -> OnsiteRead:
    items = await repository.items(session, visit.id)
    team = await experts_repository.assigned(session, case.id, ONSITE)
    return OnsiteRead(
        scheduled_on=visit.scheduled_on,
        place=visit.place,
        team=[brief(e) for e in team],
        items=[
            ChecklistItemRead(
                key=i.key,
                kind=i.kind,
                text=i.text,
                text_en=i.text_en,
                declared_value=i.declared_value,
                source=i.source,
                finding=Finding(i.finding) if i.finding else None,
                note=i.note,
                recorded_by=i.recorded_by,
                recorded_at=i.recorded_at,
                etag=item_etag(case, i),
            )
            for i in items
        ],
        conclusion=visit.conclusion,
        concluded_by=visit.concluded_by,
        complete=bool(visit.conclusion) and all(i.finding for i in items),
        etag=onsite_etag(case, visit),
    )
