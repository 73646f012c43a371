"""`GET /v1/me`: the portal's "who am I and what may I do"."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ladder.gateway.errors import UpstreamConnectionLost, UpstreamTimeout
from ladder.gateway.me import service
from ladder.gateway.me.schemas import Me
from ladder.kit.auth import PrincipalDep
from ladder.kit.errors import ServiceUnavailable, UpstreamError, declare

router = APIRouter(tags=["me"])


@router.get(
    "/v1/me",
    response_model=Me,
    summary="Who the caller is and what it may do",
    description=(
        "The caller's profile and organisation (a person's account, from the identity "
        "service), its role, jurisdiction (region, unit, what it covers) and scopes, and the "
        "capabilities its role, organisation and scopes give it "
        "(`ladder.gateway.me.capabilities`, each with its source). A machine client, a Ladder "
        "service or a token of no account is answered from the token. 503/504/502 when the "
        "identity service does not answer for a person."
    ),
    responses=declare(ServiceUnavailable, UpstreamTimeout, UpstreamConnectionLost, UpstreamError),
)
async def read_me(principal: PrincipalDep, request: Request) -> Me:
    return await service.me(
        principal, request.app.state.upstreams, request.headers.get("authorization", "")
    )
