"""The review service's calls to its peers, typed: the rules service (quotas, 推荐名额) and the
declaration service (deadline chains, 截止时间).

Each call answers a pydantic model or raises the domain error it maps to; an unreachable peer
is 503 `service_unavailable`, a peer's 5xx is 502 `upstream_error` (`ladder.kit.http`). Routes
get the clients through `PeersDep` and pass them down; no service code reaches `app.state`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import httpx
from fastapi import Depends, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from ladder.kit.errors import UpstreamError
from ladder.kit.http import call_json
from ladder.review.errors import QuotaUnavailable

M = TypeVar("M", bound=BaseModel)

DEADLINE_CACHE_SECONDS = 30.0
"""How long a deadline chain read is kept: a ministry's edit takes effect within that."""


def _json(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def _answer(model: type[M], resp: httpx.Response, dependency: str) -> M:
    try:
        return model.model_validate(_json(resp))
    except ValidationError:
        raise UpstreamError(
            details={"dependency": dependency, "status": resp.status_code, "reason": "malformed"}
        ) from None


# --- the rules service ----------------------------------------------------------------------


class Exemption(BaseModel):
    """Candidates with this fact do not use the quota (the rules service decides which)."""

    model_config = ConfigDict(extra="allow")

    key: str
    clause: str = ""
    text: str = ""
    text_en: str = ""


class QuotaAnswer(BaseModel):
    """The rules service's quota of a unit for a tier (`GET /v1/campaigns/{c}/quotas`)."""

    model_config = ConfigDict(extra="ignore")

    limit: int | None
    quota_unit: dict[str, Any] | None = None
    policy: dict[str, Any] | None = None
    derivation: list[dict[str, Any]] = []
    reference: dict[str, Any] | None = None
    sample: bool | None = None
    level: str | None = None
    demo: bool | None = None
    exemptions: list[Exemption] = []

    def snapshot(self) -> dict[str, Any]:
        """What a list keeps of the answer: the fields the rules service sent."""
        kept = self.model_dump(mode="json", exclude_unset=True)
        kept["exemptions"] = [e.model_dump(mode="json") for e in self.exemptions]
        return kept


class Candidate(BaseModel):
    """A ranked candidate of a usage check: the rules service decides from its registries
    (e.g. 揭榜单位) whether an exemption covers the candidate's enterprise."""

    id: str
    enterprise_uscc: str


class CandidateUsage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    counts: bool
    slot: int | None = None
    within_quota: bool
    exemption: str | None = None
    exempted_by: str | None = None


class QuotaUsage(QuotaAnswer):
    """The quota and how a ranked list uses it (`POST /v1/campaigns/{c}/quotas/usage`)."""

    counted: int
    exempt: int
    remaining: int
    within_quota: bool
    candidates: list[CandidateUsage]

    def of(self, candidate_id: str) -> CandidateUsage:
        return next(c for c in self.candidates if c.id == candidate_id)


def _quota_unavailable(resp: httpx.Response) -> QuotaUnavailable:
    body = _json(resp)
    upstream = body.get("error", {}) if isinstance(body, dict) else {}
    return QuotaUnavailable(
        details={"status": resp.status_code, "upstream_code": upstream.get("code")}
    )


class RulesClient:
    """The rules service: the quotas (推荐名额) and the one check of how a list uses them."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def quota(self, campaign_year: int, tier: str, unit: str) -> QuotaAnswer:
        """The unit's quota; 409 `quota_unavailable` when the rules service has none."""
        resp = await call_json(
            self.http,
            "GET",
            f"/v1/campaigns/{campaign_year}/quotas",
            dependency="rules",
            params={"tier": tier, "unit": unit},
        )
        if resp.status_code != 200:
            raise _quota_unavailable(resp)
        return _answer(QuotaAnswer, resp, "rules")

    async def usage(
        self, campaign_year: int, tier: str, unit: str, candidates: Sequence[Candidate]
    ) -> QuotaUsage:
        """How the ranked `candidates` use the unit's quota: which are exempt (the rules
        service's exemptions, e.g. 揭榜单位 under a Shanghai district's cap), which count."""
        resp = await call_json(
            self.http,
            "POST",
            f"/v1/campaigns/{campaign_year}/quotas/usage",
            dependency="rules",
            json={
                "tier": tier,
                "unit": unit,
                "candidates": [c.model_dump(mode="json") for c in candidates],
            },
        )
        if resp.status_code != 200:
            raise _quota_unavailable(resp)
        return _answer(QuotaUsage, resp, "rules")


# --- the declaration service ----------------------------------------------------------------


class DeadlineRead(BaseModel):
    """One level's deadline of a campaign's chain, as the declaration service keeps it."""

    model_config = ConfigDict(extra="ignore")

    level: str
    closes_at: AwareDatetime
    last_day: str
    source: str = ""
    clause: str = ""


class DeadlineChainRead(BaseModel):
    model_config = ConfigDict(extra="ignore")

    deadlines: list[DeadlineRead] | None = None


class DeclarationClient:
    """The declaration service: each campaign's deadline chains, read briefly cached."""

    def __init__(
        self, http: httpx.AsyncClient, cache_seconds: float = DEADLINE_CACHE_SECONDS
    ) -> None:
        self.http = http
        self._ttl = cache_seconds
        self._cache: dict[tuple[int, str, str], tuple[float, list[DeadlineRead]]] = {}

    async def deadline_chain(
        self, campaign_year: int, tier: str, region_code: str | None
    ) -> list[DeadlineRead]:
        """The `tier` chain applying to a factory's region; `None` for the national chain
        (central SOEs, the XPCC). A campaign the declaration service does not know, or a tier
        with no chain there, has no deadlines."""
        key = (campaign_year, tier, region_code or "")
        hit = self._cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < self._ttl:
            return hit[1]
        if region_code is None:
            url = f"/v1/campaigns/{campaign_year}/deadlines/national/{tier}"
            params: dict[str, str] = {}
        else:
            url = f"/v1/campaigns/{campaign_year}/deadlines"
            params = {"region": region_code, "tier": tier}
        resp = await call_json(self.http, "GET", url, dependency="declaration", params=params)
        if resp.status_code == 404:
            chain: list[DeadlineRead] = []
        elif resp.status_code != 200:
            raise UpstreamError(details={"dependency": "declaration", "status": resp.status_code})
        else:
            chain = _answer(DeadlineChainRead, resp, "declaration").deadlines or []
        self._cache[key] = (time.monotonic(), chain)
        return chain


# --- the dependency -------------------------------------------------------------------------


@dataclass(frozen=True)
class Peers:
    rules: RulesClient
    declaration: DeclarationClient


def for_request(request: Request) -> Peers:
    """The app's typed clients over its current HTTP clients (rebuilt when one is replaced,
    e.g. a test pointing a peer elsewhere; the deadline cache lives as long as its client)."""
    state = request.app.state
    kept: Peers | None = getattr(state, "review_peers", None)
    rules_http, declaration_http = state.peers["rules"], state.peers["declaration"]
    rules = kept.rules if kept and kept.rules.http is rules_http else RulesClient(rules_http)
    declaration = (
        kept.declaration
        if kept and kept.declaration.http is declaration_http
        else DeclarationClient(declaration_http)
    )
    if kept is None or (rules, declaration) != (kept.rules, kept.declaration):
        kept = state.review_peers = Peers(rules, declaration)
    return kept


async def _peers(request: Request) -> Peers:
    # `async def` on purpose: FastAPI runs a plain `def` dependency in a worker thread.
    return for_request(request)


PeersDep = Annotated[Peers, Depends(_peers)]
