"""The behaviour of review cases: receive submissions, list an authority's inbox, read a case.

A submission event upserts the case of its declaration. Events may arrive late or out of order
(the publisher's outbox retries with backoff), so a version replaces the case's version only if
it is newer: an older (or the same) version arriving late changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.auth import Principal
from ladder.kit.errors import validation_details
from ladder.kit.outbox import Event, publish
from ladder.review.cases import repository
from ladder.review.cases.auth import jurisdiction_prefix, may_read
from ladder.review.cases.machine import INITIAL_STATUS, RECEIVED, RESUBMITTED, CaseMachine
from ladder.review.cases.models import CaseTransition, ReviewCase
from ladder.review.cases.schemas import (
    CaseRead,
    CaseSummary,
    DeclarationSubmitted,
    TransitionRead,
)
from ladder.review.errors import CaseNotFound, InvalidEventPayload
from ladder.review.tables import OUTBOX

log = logging.getLogger("ladder.review.cases")

DECLARATION_SUBMITTED = "declaration.submitted"
STATUS_CHANGED = "review.status_changed"


async def on_declaration_submitted(session: AsyncSession, event: Event) -> None:
    """Handler of `declaration.submitted` (runs in the request's transaction)."""
    try:
        submitted = DeclarationSubmitted.model_validate(event.payload)
    except ValidationError as exc:
        details = validation_details(list(exc.errors(include_input=False, include_url=False)))
        # Values are left out of the log (names of enterprises); the fields say what broke.
        log.warning(
            "rejected %s event %s from %s: invalid payload (%s)",
            event.topic,
            event.event_id,
            event.source,
            ", ".join(f"{f['field']}: {f['type']}" for f in details["fields"]),
        )
        raise InvalidEventPayload(
            details={"event_id": str(event.event_id), "topic": event.topic, **details}
        ) from None
    await receive_submission(
        session, submitted, actor=f"service:{event.source}", event_id=event.event_id
    )


def _snapshot(submitted: DeclarationSubmitted) -> dict[str, Any]:
    return {
        "campaign_year": submitted.campaign_year,
        "tier": submitted.tier.value,
        "enterprise_uscc": submitted.enterprise_uscc,
        "enterprise_name": submitted.enterprise_name,
        "factory_name": submitted.factory_name,
        "region_code": submitted.region_code,
        "version": submitted.version,
        "fingerprint": submitted.fingerprint,
        "submitted_at": submitted.submitted_at,
    }


async def receive_submission(
    session: AsyncSession, submitted: DeclarationSubmitted, *, actor: str, event_id: uuid.UUID
) -> ReviewCase:
    """Open the declaration's case, or move it to a newer version; ignore older versions."""
    case = await repository.by_declaration(session, submitted.declaration_id, for_update=True)
    if case is None:
        case = await repository.insert_if_absent(
            session,
            {
                "id": uuid.uuid4(),
                "declaration_id": submitted.declaration_id,
                "status": INITIAL_STATUS,
                **_snapshot(submitted),
            },
        )
        if case is not None:
            session.add(
                CaseTransition(
                    case_id=case.id,
                    event=RECEIVED,
                    from_status=None,
                    to_status=case.status,
                    actor=actor,
                    version=submitted.version,
                    event_id=event_id,
                )
            )
            await session.flush()
            await _tell_declaration(session, case, RECEIVED)
            return case
        # Another delivery opened the case meanwhile (it committed while we waited).
        case = await repository.by_declaration(session, submitted.declaration_id, for_update=True)
        assert case is not None

    if submitted.version <= case.version:
        if submitted.version == case.version and submitted.fingerprint != case.fingerprint:
            log.warning(
                "declaration %s version %s arrived with another fingerprint; kept the first",
                submitted.declaration_id,
                submitted.version,
            )
        else:
            log.info(
                "ignored declaration %s version %s: case already at version %s",
                submitted.declaration_id,
                submitted.version,
                case.version,
            )
        return case

    before = case.status
    CaseMachine(case, state_field="status").send("resubmit")
    # The newer version is the content under review; its snapshot replaces the old one.
    for field, value in _snapshot(submitted).items():
        setattr(case, field, value)
    case.updated_at = datetime.now(UTC)
    session.add(
        CaseTransition(
            case_id=case.id,
            event=RESUBMITTED,
            from_status=before,
            to_status=case.status,
            actor=actor,
            version=submitted.version,
            event_id=event_id,
        )
    )
    await session.flush()
    await _tell_declaration(session, case, RESUBMITTED)
    return case


async def _tell_declaration(session: AsyncSession, case: ReviewCase, event: str) -> None:
    """Queue the case's status for the declaration service, which shows it to the enterprise
    (same transaction as the change: the status goes out exactly when it happened)."""
    await publish(
        session,
        OUTBOX,
        topic=STATUS_CHANGED,
        destinations=["declaration"],
        payload={
            "declaration_id": str(case.declaration_id),
            "version": case.version,
            "event": event,
            "status": case.status,
            "at": datetime.now(UTC).isoformat(),
        },
    )


async def inbox(
    session: AsyncSession,
    principal: Principal,
    *,
    tier: str | None,
    status: str | None,
    offset: int,
    limit: int,
) -> tuple[list[ReviewCase], int]:
    prefix = jurisdiction_prefix(principal)
    if prefix is None:
        return [], 0
    return await repository.page(
        session, region_prefix=prefix, tier=tier, status=status, offset=offset, limit=limit
    )


async def get_readable(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID
) -> ReviewCase:
    case = await repository.by_declaration(session, declaration_id)
    if case is None or not may_read(principal, case):
        raise CaseNotFound(details={"declaration_id": str(declaration_id)})
    return case


def to_read(case: ReviewCase, history: list[CaseTransition]) -> CaseRead:
    summary = CaseSummary.model_validate(case)
    return CaseRead(
        **summary.model_dump(),
        submitted_at=case.submitted_at,
        updated_at=case.updated_at,
        history=[TransitionRead.model_validate(t) for t in history],
    )
