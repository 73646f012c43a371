"""Official organisations: created by an admin of the level above (`hierarchy.yaml`), read by
their own users and the level above, deactivated by the level above.

A unit's region must be a unit the registry knows (`ladder.kit.units`) at a level the creator
may create, and — below the ministry — a unit the registry puts directly under the creator's
own unit. The new organisation's first admin is invited by mail in the same transaction: a mail
that cannot be sent rolls the organisation back too.
"""

from __future__ import annotations

import uuid

from fastapi import Request
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity.accounts import invitations
from ladder.identity.accounts import repository as accounts
from ladder.identity.accounts import service as account_service
from ladder.identity.accounts.models import OrgRole, User
from ladder.identity.audit.record import event, record
from ladder.identity.callers import Caller
from ladder.identity.organisations import repository
from ladder.identity.organisations.errors import (
    NotAllowedToCreate,
    NotParentOrganisation,
    OrganisationExists,
    OrganisationNotActive,
    OrganisationNotFound,
    RegionOutsideJurisdiction,
    UnknownUnit,
)
from ladder.identity.organisations.hierarchy import Rule, Scope, hierarchy
from ladder.identity.organisations.models import Organisation, OrgKind, OrgStatus
from ladder.identity.organisations.schemas import (
    OrganisationCreate,
    OrganisationCreated,
    OrganisationRead,
    ParentRef,
)
from ladder.identity.sessions import store
from ladder.identity.settings import Settings
from ladder.kit import clock
from ladder.kit.concurrency import locked_for_edit
from ladder.kit.pagination import PageParams
from ladder.kit.units import Level, Unit, registry


def _refused(caller: Caller, data: OrganisationCreate, level: Level | None = None):
    may = [
        t.kind.value if t.level is None else f"{t.kind.value}:{t.level.value}"
        for t in hierarchy().creatable(caller.org.role)
    ]
    asked = data.kind.value if level is None else f"{data.kind.value}:{level.value}"
    return NotAllowedToCreate(
        details={"creator": caller.org.role, "asked": asked, "may_create": may}
    )


def _registry_unit(region: str) -> Unit:
    """The unit the registry knows by this id (listed, or derived from a GB/T 2260 code below
    a province: every province-level unit is listed)."""
    unit = registry().get(region)
    if unit is None or unit.level not in (Level.province, Level.city, Level.county):
        raise UnknownUnit(details={"region": region})
    if unit.derived and unit.level is Level.province:
        raise UnknownUnit(details={"region": region})
    return unit


def _check_scope(rule: Rule, unit: Unit, caller: Caller) -> None:
    if rule.scope is Scope.national:
        return
    units = registry()
    mine = (
        units.authority(Level(caller.org.role), caller.org.region)
        if caller.org.region is not None and caller.org.role in Level.__members__
        else None
    )
    parent = units.parent_of(unit)
    if mine is None or parent is None or (parent.id, parent.level) != (mine.id, mine.level):
        raise RegionOutsideJurisdiction(
            details={
                "region": unit.id,
                "level": unit.level.value,
                "reports_to": parent.id if parent is not None else None,
                "rule": rule.id,
            }
        )


def plan(caller: Caller, data: OrganisationCreate) -> tuple[Rule, str]:
    """The hierarchy's rule allowing the creation and the new organisation's token role; 403
    when no rule lets the caller's kind create it, 422 for a region that is not a unit or does
    not report to the caller."""
    rules = hierarchy().rules_for(caller.org.role, data.kind)
    if not rules:
        raise _refused(caller, data)
    if data.kind is not OrgKind.unit:
        return rules[0], hierarchy().role_of(data.kind).value
    assert data.region is not None  # the schema requires it of a unit
    unit = _registry_unit(data.region)
    rule = next((r for r in rules if r.creates.level is unit.level), None)
    if rule is None:
        raise _refused(caller, data, unit.level)
    _check_scope(rule, unit, caller)
    return rule, hierarchy().role_of(OrgKind.unit, unit.level).value


async def create(
    session: AsyncSession,
    settings: Settings,
    request: Request,
    caller: Caller,
    data: OrganisationCreate,
) -> tuple[Organisation, User]:
    rule, role = plan(caller, data)
    await repository.lock(session, caller.org.id)
    twin = await repository.live_twin(session, data.kind, data.region, data.uscc)
    if twin is not None:
        raise OrganisationExists(
            details={"organisation_id": str(twin.id), "region": data.region, "uscc": data.uscc}
        )
    org = Organisation(
        kind=data.kind.value,
        role=role,
        name=data.name,
        region=data.region,
        uscc=data.uscc,
        parent_id=caller.org.id,
        status=OrgStatus.active,
        created_by=caller.actor,
    )
    session.add(org)
    await session.flush()
    await session.refresh(org)
    admin = await account_service.create_invited(
        session, org, data.admin, org_role=OrgRole.admin, created_by=caller.actor
    )
    await record(
        session,
        event(
            request,
            "organisation_created",
            "success",
            subject=admin.username,
            user_id=admin.id,
            org_id=org.id,
            details={"by": caller.actor, "rule": rule.id, "kind": org.kind, "role": org.role},
        ),
    )
    await invitations.send(session, settings, admin, org)
    return org, admin


async def page(
    session: AsyncSession,
    caller: Caller,
    params: PageParams,
    *,
    kind: OrgKind | None,
    status: OrgStatus | None,
) -> tuple[list[Organisation], int]:
    return await repository.children_page(
        session,
        caller,
        kind=kind.value if kind is not None else None,
        status=status.value if status is not None else None,
        offset=params.offset,
        limit=params.page_size,
    )


async def get(session: AsyncSession, caller: Caller, org_id: uuid.UUID) -> Organisation:
    org = await repository.get_readable(session, caller, org_id)
    if org is None:
        raise OrganisationNotFound(details={"organisation_id": str(org_id)})
    return org


async def deactivate(
    session: AsyncSession,
    request: Request,
    caller: Caller,
    org_id: uuid.UUID,
    if_match: str,
    reason: str | None,
) -> Organisation:
    """The level above deactivates an organisation it created (If-Match): every refresh token
    of every user of it is revoked, and its users' access tokens are refused here at once."""
    found = await get(session, caller, org_id)
    if found.parent_id != caller.org.id:
        raise NotParentOrganisation(details={"organisation_id": str(org_id)})
    org = await locked_for_edit(session, Organisation, org_id, if_match)
    if org is None:
        raise OrganisationNotFound(details={"organisation_id": str(org_id)})
    if org.status != OrgStatus.active:
        raise OrganisationNotActive(details={"organisation_id": str(org_id), "status": org.status})
    now = clock.now()
    org.status = OrgStatus.deactivated
    org.status_reason = reason
    org.decided_by = caller.actor
    org.decided_at = now
    org.updated_at = now
    org.bump()
    session.add(org)
    await session.flush()
    revoked = 0
    for user_id in await accounts.user_ids_of(session, org.id):
        revoked += await store.revoke_user(session, user_id, "organisation_deactivated")
    await record(
        session,
        event(
            request,
            "organisation_deactivated",
            "success",
            org_id=org.id,
            details={"by": caller.actor, "revoked_sessions": revoked},
        ),
    )
    return org


async def to_read(session: AsyncSession, org: Organisation) -> OrganisationRead:
    parent = await session.get(Organisation, org.parent_id) if org.parent_id else None
    return OrganisationRead(
        id=org.id,
        kind=org.kind,
        role=org.role,
        name=org.name,
        region=org.region,
        uscc=org.uscc,
        status=org.status,
        status_reason=org.status_reason,
        parent=ParentRef(id=parent.id, name=parent.name) if parent is not None else None,
        created_at=org.created_at,
        updated_at=org.updated_at,
        etag=org.etag,
    )


async def to_created(session: AsyncSession, org: Organisation, admin: User) -> OrganisationCreated:
    read = await to_read(session, org)
    return OrganisationCreated(**read.model_dump(), admin=account_service.to_brief(admin))
