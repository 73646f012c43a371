"""Who the caller is: the verified token's claims, composed with the identity service's
account for a person (`user:<id>`). A machine client (`client:<id>`) and a Ladder service
have no account there; a token whose `sub` names no account (an external issuer's, a test's)
is answered from its claims alone. An account the identity service refuses (deactivated) is
refused here too."""

from __future__ import annotations

import logging

import httpx
from pydantic import ValidationError

from ladder.gateway.me.capabilities import Caller, CallerKind, capabilities_of
from ladder.gateway.me.schemas import (
    Account,
    CapabilityRead,
    IdentityMe,
    Jurisdiction,
    MachineClient,
    Me,
    Organisation,
    Unit,
)
from ladder.gateway.upstreams import upstream_failure
from ladder.kit.auth import Principal, Role
from ladder.kit.errors import Unauthenticated, UpstreamError
from ladder.kit.jurisdiction import authority_unit, reach, unit_of
from ladder.kit.observability import request_id_var

log = logging.getLogger("ladder.gateway.me")
IDENTITY = "identity"


def kind_of(principal: Principal) -> CallerKind:
    if principal.role is Role.service:
        return CallerKind.service
    if principal.scopes is not None:
        return CallerKind.machine_client
    return CallerKind.person


async def identity_me(client: httpx.AsyncClient, authorization: str) -> IdentityMe | None:
    """The identity service's account of the caller; None when the token names no account."""
    headers = {"authorization": authorization, "x-request-id": request_id_var.get() or ""}
    try:
        resp = await client.get("/v1/me", headers=headers)
    except httpx.TransportError as exc:
        raise upstream_failure(IDENTITY, exc) from exc
    if resp.status_code == 403:
        return None  # `not_an_account`: a token of no account
    if resp.status_code == 401:
        raise Unauthenticated(
            "账号未启用或已停用", "The account is not active", details={"reason": "inactive"}
        )
    if resp.status_code != 200:
        raise UpstreamError(details={"service": IDENTITY, "status": resp.status_code})
    try:
        return IdentityMe.model_validate_json(resp.content)
    except ValidationError:
        log.warning("unreadable answer from identity /v1/me")
        raise UpstreamError(details={"service": IDENTITY, "reason": "unreadable"}) from None


def jurisdiction_of(principal: Principal) -> Jurisdiction:
    unit = authority_unit(principal)
    scope = reach(principal)
    return Jurisdiction(
        region=principal.region,
        org=principal.org,
        unit=None
        if unit is None
        else Unit(
            id=unit.id,
            name=unit.name,
            level=unit.level.value,
            kind=unit.kind.value,
            source=unit.source,
        ),
        recommending_unit=unit_of(principal),
        nationwide=scope.everything,
        covers_regions=list(scope.regions),
        covers_enterprises=list(scope.enterprises),
        excluded_regions=list(scope.excluded_regions),
    )


def compose(principal: Principal, account: IdentityMe | None) -> Me:
    kind = kind_of(principal)
    is_admin = account is not None and account.user.org_role == "admin"
    caller = Caller(
        kind=kind,
        role=principal.role,
        scopes=principal.scopes,
        is_admin=is_admin,
        org_kind=None if account is None else account.organisation.kind,
        has_unit=not reach(principal).nothing,
    )
    _, _, ident = principal.sub.partition(":")
    return Me(
        sub=principal.sub,
        kind=kind,
        name=principal.name,
        role=principal.role,
        roles=[principal.role.value, *(["org_admin"] if is_admin else [])],
        account=None if account is None else Account(**account.user.model_dump()),
        organisation=None if account is None else Organisation(**account.organisation.model_dump()),
        client=MachineClient(client_id=ident, name=principal.name)
        if kind is CallerKind.machine_client
        else None,
        jurisdiction=jurisdiction_of(principal),
        scopes=None if principal.scopes is None else sorted(principal.scopes),
        capabilities=[
            CapabilityRead(
                name=c.name,
                summary=c.summary,
                summary_zh=c.summary_zh,
                method=c.route[0],
                path=f"/api/{c.service}{c.route[1]}",
                scope=c.scope,
                source=c.source,
            )
            for c in capabilities_of(caller)
        ],
    )


async def me(
    principal: Principal, upstreams: dict[str, httpx.AsyncClient], authorization: str
) -> Me:
    account = None
    if kind_of(principal) is CallerKind.person and principal.sub.startswith("user:"):
        account = await identity_me(upstreams[IDENTITY], authorization)
    return compose(principal, account)
