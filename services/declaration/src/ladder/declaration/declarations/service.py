"""The behaviour of declarations: draft, edit, pre-check, submit, withdraw.

Submission freezes an immutable version whose SHA-256 fingerprint is taken over the canonical
JSON of its content, and queues `declaration.submitted` for the review service in the same
transaction (outbox), so the event exists exactly when the submission committed.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.declaration import (
    DeclarationSubmitted,
    DeclarationWithdrawn,
)
from ladder.declaration.attachments import repository as attachments
from ladder.declaration.campaigns import repository as campaigns
from ladder.declaration.campaigns.deadlines import DeadlineLevel
from ladder.declaration.campaigns.models import Campaign
from ladder.declaration.campaigns.service import ensure_open
from ladder.declaration.declarations import coexistence, markings, repository, transitions
from ladder.declaration.declarations.auth import may_edit, may_list
from ladder.declaration.declarations.document import (
    DeclarationFacts,
    missing_for_tier,
    review_details,
    to_rules_facts,
)
from ladder.declaration.declarations.fields import document_path
from ladder.declaration.declarations.machine import EDITABLE
from ladder.declaration.declarations.merge import merged_facts
from ladder.declaration.declarations.models import (
    Declaration,
    DeclarationVersion,
)
from ladder.declaration.declarations.repository import DeclarationRow
from ladder.declaration.declarations.schemas import (
    DeclarationCreate,
    DeclarationPatch,
    DeclarationRead,
    MarkingWarning,
    PrecheckResult,
)
from ladder.declaration.enterprises import repository as enterprises
from ladder.declaration.enterprises.auth import may_act_for
from ladder.declaration.errors import (
    CampaignNotFound,
    ChangedDuringSubmit,
    DeclarationExists,
    DeclarationIncomplete,
    DeclarationNotFound,
    FactoryNotFound,
    InvalidTransition,
    NotEditable,
    NotInCatalogue,
    NotOwnEnterprise,
    PrecheckFailed,
    TierNotOpen,
)
from ladder.declaration.recognitions import service as recognitions
from ladder.declaration.rules_client import RulesClient
from ladder.declaration.vocabulary import Tier
from ladder.kit import clock
from ladder.kit.auth import Principal
from ladder.kit.concurrency import check_if_match
from ladder.kit.db import Database
from ladder.kit.errors import Forbidden, LadderError


def declaration_etag(d: Declaration) -> str:
    return d.etag


def to_read(row: DeclarationRow) -> DeclarationRead:
    d = row.declaration
    return DeclarationRead(
        id=d.id,
        campaign_year=d.campaign_year,
        tier=d.tier,
        status=d.status,
        enterprise_uscc=row.enterprise.uscc,
        enterprise_name=row.enterprise.name,
        factory_id=row.factory.id,
        factory_name=row.factory.name,
        region_code=d.region_code,
        facts=d.facts,
        etag=declaration_etag(d),
        last_precheck=d.last_precheck,
        created_at=d.created_at,
        updated_at=d.updated_at,
        submitted_at=d.submitted_at,
        current_version=row.latest.number if row.latest else None,
        current_fingerprint=row.latest.fingerprint if row.latest else None,
        review_status=d.review_status,
        cultivation_status=d.cultivation_status,
    )


async def _campaign_open_for(session: AsyncSession, year: int, tier: str) -> Campaign:
    campaign = await campaigns.campaign(session, year)
    if campaign is None:
        raise CampaignNotFound(details={"field": "campaign_year", "campaign_year": year})
    if tier not in campaign.open_tiers:
        raise TierNotOpen(
            details={"field": "tier", "tier": tier, "open_tiers": campaign.open_tiers}
        )
    return campaign


async def _may_stand_beside(
    session: AsyncSession,
    factory_id: uuid.UUID,
    campaign_year: int,
    tier: str,
    *,
    besides: uuid.UUID | None = None,
) -> None:
    """409 `declaration_exists` when the factory's live declarations in the campaign rule this
    one out (`coexistence.py`); the factory's row is held, so concurrent drafts queue here."""
    await enterprises.lock_factory(session, factory_id)
    live = await repository.live_tiers(session, factory_id, campaign_year, besides=besides)
    found = coexistence.conflict(tier, [t for _, t in live])
    if found is not None:
        other_tier, source = found
        other = next(i for i, t in live if t == other_tier)
        raise DeclarationExists(
            details={
                "field": "tier",
                "declaration_id": str(other),
                "tier": other_tier,
                "source": source,
            }
        )


async def create(
    session: AsyncSession, rules: RulesClient, principal: Principal, data: DeclarationCreate
) -> DeclarationRow:
    factory = await enterprises.factory(session, data.factory_id)
    enterprise = await enterprises.by_id(session, factory.enterprise_id) if factory else None
    if factory is None or enterprise is None or not may_act_for(principal, enterprise.uscc):
        # A factory of another enterprise is answered as absent: existence does not leak.
        raise FactoryNotFound(details={"field": "factory_id", "factory_id": str(data.factory_id)})
    await _campaign_open_for(session, data.campaign_year, data.tier.value)
    facts = data.facts.model_dump(mode="json", exclude_none=True)
    await _check_catalogue(session, rules, data.campaign_year, facts)
    await _may_stand_beside(session, factory.id, data.campaign_year, data.tier.value)
    declaration = Declaration(
        campaign_year=data.campaign_year,
        tier=data.tier.value,
        enterprise_id=enterprise.id,
        factory_id=factory.id,
        region_code=factory.region_code,
        facts=facts,
        created_by=principal.sub,
    )
    session.add(declaration)
    await session.flush()
    await session.refresh(declaration)
    return DeclarationRow(declaration, enterprise, factory, None)


async def get_readable(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> DeclarationRow:
    row = await repository.get(session, declaration_id, for_update=for_update, reader=principal)
    if row is None:
        raise DeclarationNotFound(details={"declaration_id": str(declaration_id)})
    return row


async def get_editable(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID
) -> DeclarationRow:
    row = await get_readable(session, principal, declaration_id, for_update=True)
    if not may_edit(principal, row):
        raise NotOwnEnterprise(details={"declaration_id": str(declaration_id)})
    return row


async def patch(
    session: AsyncSession,
    rules: RulesClient,
    principal: Principal,
    declaration_id: uuid.UUID,
    data: DeclarationPatch,
    if_match: str | None,
) -> DeclarationRow:
    row = await get_editable(session, principal, declaration_id)
    d = row.declaration
    check_if_match(if_match, declaration_etag(d))
    if d.status not in EDITABLE:
        raise NotEditable(details={"status": d.status})
    if data.tier is not None:
        await _campaign_open_for(session, d.campaign_year, data.tier.value)
        if data.tier.value != d.tier:
            await _may_stand_beside(
                session, d.factory_id, d.campaign_year, data.tier.value, besides=d.id
            )
        d.tier = data.tier.value
    if data.facts is not None:
        facts = merged_facts(d.facts, data.facts).model_dump(mode="json", exclude_none=True)
        await _check_catalogue(session, rules, d.campaign_year, facts)
        d.facts = facts
    d.last_precheck = None
    transitions.touch(d)
    await session.flush()
    return row


async def precheck(
    session: AsyncSession, rules: RulesClient, principal: Principal, declaration_id: uuid.UUID
) -> PrecheckResult:
    # The enterprise's own check of its draft: an authority does not overwrite its result.
    row = await get_editable(session, principal, declaration_id)
    return await _evaluate(session, rules, row)


async def _evaluate(
    session: AsyncSession, rules: RulesClient, row: DeclarationRow, *, flush: bool = True
) -> PrecheckResult:
    """The rules' answer on the facts derived from the document, under the overlays of the
    factory's region (the recommending jurisdiction), with the classification-marking scan."""
    d = row.declaration
    campaign = await campaigns.campaign(session, d.campaign_year)
    assert campaign is not None
    held = await recognitions.facts_for(session, row)
    result = await _ask_rules(rules, campaign.rules_edition, row, held)
    d.last_precheck = result.model_dump(mode="json")
    if flush:
        await session.flush()
    return result


async def _ask_rules(
    rules: RulesClient,
    edition: str,
    row: DeclarationRow,
    recognitions: list[dict[str, Any]],
    *,
    wait_seconds: float | None = None,
) -> PrecheckResult:
    """The rules' answer, with the classification-marking scan; touches no database.

    `recognitions` are the factory's entries in the register of recognised tiers
    (`recognitions.facts_for`, read by the caller in its transaction): the prerequisite
    (已获评…) is judged on them, never on the applicant's `recognised_tier`."""
    d = row.declaration
    document = DeclarationFacts.model_validate(d.facts)
    facts = to_rules_facts(document, registered_region=row.enterprise.region_code)
    facts["recognitions"] = recognitions
    result = await rules.precheck(
        edition=edition,
        tier=d.tier,
        facts=facts,
        jurisdiction=d.region_code,
        wait_seconds=wait_seconds,
    )
    result.warnings = [MarkingWarning.model_validate(w) for w in markings.scan(d.facts)]
    result.findings = [
        f.model_copy(update={"fact": f.field, "field": document_path(f.field)})
        for f in result.findings
    ]
    return result


async def _check_catalogue(
    session: AsyncSession, rules: RulesClient, campaign_year: int, facts: dict[str, Any]
) -> None:
    """Scenes and KPIs must be in the campaign edition's catalogues (422 naming the field)."""
    if not facts.get("scenes") and not facts.get("kpis"):
        return
    campaign = await campaigns.campaign(session, campaign_year)
    assert campaign is not None
    found = (await rules.catalogue(campaign.rules_edition)).problems(facts)
    if found:
        raise NotInCatalogue.of(campaign.rules_edition, found)


# Facts the recommending unit supplies after submission (the Fujian county's credit check):
# their absence does not hold up the enterprise's submission.
_SUPPLIED_LATER = ("facts.credit_check",)


def _blocking(result: PrecheckResult) -> list[dict[str, Any]]:
    """Findings that stop a submission: failed requirements, and requirements the enterprise
    has not yet given the facts for."""
    return [
        f.model_dump(mode="json")
        for f in result.findings
        if f.severity == "error"
        and (
            f.status == "failed"
            or (f.status == "not_provided" and not (f.fact or "").startswith(_SUPPLIED_LATER))
        )
    ]


def canonical_content(
    row: DeclarationRow, number: int, attachments: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """What a version freezes: the document, who and what it is about, and the evidence files
    by hash (so the fingerprint covers them)."""
    d = row.declaration
    return {
        "attachments": attachments or [],
        "declaration_id": str(d.id),
        "version": number,
        "campaign_year": d.campaign_year,
        "tier": d.tier,
        "enterprise": {"uscc": row.enterprise.uscc, "name": row.enterprise.name},
        "factory": {"name": row.factory.name, "region_code": row.factory.region_code},
        "facts": d.facts,
    }


def fingerprint(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Evaluated:
    """The rules' answer on one draft as it stood at `row_version`."""

    row_version: int
    result: PrecheckResult


async def evaluate_for_submit(
    db: Database,
    rules: RulesClient,
    principal: Principal,
    declaration_id: uuid.UUID,
    *,
    wait_seconds: float | None = None,
) -> Evaluated | None:
    """The rules evaluation of a submit, done before the submit takes its row lock.

    The draft is read in a short transaction of its own and the connection handed back before
    the rules service is asked, so a slow or hung rules service holds no pooled connection and
    no row lock: unrelated reads never queue behind it (issue 12, item 6: with rules stopped,
    30 submits held the pool and `GET /v1/declarations` waited 15.5 s). None when the draft
    would not get as far as the rules (not found, not editable, closed, incomplete): the
    locked submit then answers that itself, after the Idempotency-Key replay has had its say.
    """
    try:
        async with db.transaction() as session:
            row = await get_editable_unlocked(session, principal, declaration_id)
            await _submittable(session, row)
            campaign = await campaigns.campaign(session, row.declaration.campaign_year)
            assert campaign is not None
            edition = campaign.rules_edition
            held = await recognitions.facts_for(session, row)
    except LadderError:
        return None
    result = await _ask_rules(rules, edition, row, held, wait_seconds=wait_seconds)
    return Evaluated(row.declaration.row_version, result)


async def get_editable_unlocked(
    session: AsyncSession, principal: Principal, declaration_id: uuid.UUID
) -> DeclarationRow:
    row = await get_readable(session, principal, declaration_id)
    if not may_edit(principal, row):
        raise NotOwnEnterprise(details={"declaration_id": str(declaration_id)})
    return row


async def _submittable(session: AsyncSession, row: DeclarationRow) -> DeclarationFacts:
    """The checks a submit makes before the rules: editable, campaign open, fields complete."""
    d = row.declaration
    if d.status not in EDITABLE:
        raise InvalidTransition(details={"status": d.status, "action": "submit"})
    await ensure_open(session, d.campaign_year, d.region_code, d.tier, DeadlineLevel.enterprise)
    document = DeclarationFacts.model_validate(d.facts)
    missing = missing_for_tier(document, Tier(d.tier))
    if missing:
        raise DeclarationIncomplete(details={"fields": missing})
    return document


async def submit(
    session: AsyncSession,
    rules: RulesClient,
    principal: Principal,
    declaration_id: uuid.UUID,
    evaluated: Evaluated | None = None,
) -> DeclarationRow:
    """Freeze the draft as a new version. With `evaluated` (`evaluate_for_submit`, done with
    no lock held) the rules are not asked again: the draft is locked and must still be the
    version that was evaluated, else 409 `declaration_changed` rather than a version stored
    with a stale evaluation. Without it (the draft was not submittable then but is now: a
    race) the rules are asked under the lock, as before."""
    row = await get_editable(session, principal, declaration_id)
    d = row.declaration
    document = await _submittable(session, row)
    if evaluated is None:
        result = await _evaluate(session, rules, row, flush=False)  # the submit's flush follows
    elif evaluated.row_version != d.row_version:
        raise ChangedDuringSubmit(
            details={
                "evaluated_version": evaluated.row_version,
                "current_etag": declaration_etag(d),
            }
        )
    else:
        result = evaluated.result
        d.last_precheck = result.model_dump(mode="json")
    blocking = _blocking(result)
    if blocking:
        raise PrecheckFailed(details={"outcome": result.outcome, "findings": blocking})
    # The row is locked for update, so its latest version is the last one: no race.
    number = row.latest.number + 1 if row.latest else 1
    files = attachments.manifest(await attachments.current_of(session, d.id))
    content = canonical_content(row, number, files)
    # The request's clock (the one the deadline was checked against), set here rather than by
    # the database so that the version needs no re-read after the insert.
    now = clock.now()
    version = DeclarationVersion(
        declaration_id=d.id,
        number=number,
        content=content,
        fingerprint=fingerprint(content),
        submitted_by=principal.sub,
        submitted_at=now,
    )
    d.submitted_at = now
    session.add(version)
    submitted = DeclarationSubmitted(
        declaration_id=d.id,
        version=number,
        fingerprint=version.fingerprint,
        campaign_year=d.campaign_year,
        tier=d.tier,
        enterprise_uscc=row.enterprise.uscc,
        enterprise_name=row.enterprise.name,
        factory_name=row.factory.name,
        region_code=d.region_code,
        submitted_at=now,
        central_soe_group=row.enterprise.central_soe_group,
        industry=document.applicant.industry if document.applicant else None,
        details=review_details(document),
    )
    await transitions.move(session, d, "submit", actor=principal.sub, event=submitted)
    row.latest = version
    return row


async def withdraw(
    session: AsyncSession,
    principal: Principal,
    declaration_id: uuid.UUID,
    reason: str,
    if_match: str | None,
) -> DeclarationRow:
    row = await get_editable(session, principal, declaration_id)
    d = row.declaration
    check_if_match(if_match, declaration_etag(d))
    # The review service holds a case once a version was submitted: it is told.
    told = (
        DeclarationWithdrawn(
            declaration_id=d.id,
            version=row.latest.number,
            reason=reason,
            withdrawn_by=principal.sub,
            at=clock.now(),
        )
        if row.latest is not None and d.status in ("submitted", "returned")
        else None
    )
    await transitions.move(session, d, "withdraw", actor=principal.sub, reason=reason, event=told)
    return row


async def list_for(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    ids: Sequence[uuid.UUID] | None = None,
    offset: int,
    limit: int,
) -> tuple[list[DeclarationRow], int]:
    """The declarations the caller may read (`repository.readable_by`), or of them those with
    `ids`; 403 for a caller who reads none by role (the public)."""
    if not may_list(principal):
        raise Forbidden(details={"role": principal.role.value})
    return await repository.page(
        session, reader=principal, status=status, ids=ids, offset=offset, limit=limit
    )
