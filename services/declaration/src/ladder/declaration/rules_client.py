"""The one client of the rules service (要素条件): every call this service makes to it, with
pydantic models of what it answers.

Routes get a `RulesClient` through `RulesDep` and pass it down; no other module reaches the
HTTP client or `app.state`. An edition is immutable data, so it is read once per process (per
HTTP client: two apps in one process, as in tests, may talk to different rules services), and
drafts are checked against its scene and KPI catalogues on every save.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

import httpx
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict

from ladder.declaration.declarations.schemas import PrecheckResult
from ladder.declaration.errors import RulesUnavailable
from ladder.declaration.selfassessments.errors import RulesRefused
from ladder.kit.errors import ServiceUnavailable, UpstreamError
from ladder.kit.http import call_json

# What a client told `rules_unavailable` waits before retrying.
RETRY_AFTER_SECONDS = 5
MAX_BATCH = 5000  # the rules service's batch limit


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class GuideSegment(_Answer):
    name: str
    scenes: list[str] | None = None  # None: the names are not loaded


class SceneGuide(_Answer):
    segments: list[GuideSegment]


class KpiIndicator(_Answer):
    key: str
    name: str | None = None
    unit: str | None = None


class KpiTable(_Answer):
    indicators: list[KpiIndicator]


class RequirementFact(_Answer):
    key: str
    name: str | None = None


class BasicRequirement(_Answer):
    """基础要求 item (1–4) and the facts that attest it."""

    item: int
    key: str
    facts: list[RequirementFact]


class Edition(_Answer):
    """A 要素条件 edition as `GET /v1/editions/{id}` answers it (what this service reads)."""

    scene_guide: SceneGuide
    kpi_table: KpiTable
    basic_requirements: list[BasicRequirement] = []


class Evaluation(_Answer):
    """One 基础级 evaluation (`explain: failures`): the outcome and the findings."""

    edition: str | None = None
    outcome: Literal["eligible", "ineligible", "incomplete"]
    findings: list[dict[str, Any]] = []


class BatchAnswer(_Answer):
    """One item of a batch: its result, or the error the rules gave for it."""

    ref: str | None = None
    result: Evaluation | None = None
    error: dict[str, Any] | None = None


@dataclass(frozen=True)
class Catalogue:
    """The scenes (by 环节) and KPIs of an edition."""

    edition: str
    guide: dict[str, frozenset[str] | None]  # 环节 → scenes (None: names not loaded)
    kpis: frozenset[str]

    @staticmethod
    def of(edition_id: str, edition: Edition) -> Catalogue:
        guide = {
            g.name: (frozenset(g.scenes) if g.scenes is not None else None)
            for g in edition.scene_guide.segments
        }
        kpis = frozenset(i.key for i in edition.kpi_table.indicators)
        return Catalogue(edition=edition_id, guide=guide, kpis=kpis)

    def problems(self, facts: dict[str, Any]) -> list[dict[str, object]]:
        """Scenes and KPIs of a draft that the edition does not know, with their field paths."""
        out: list[dict[str, object]] = []
        for i, scene in enumerate(facts.get("scenes") or ()):
            if scene["segment"] not in self.guide:
                out.append(
                    {
                        "field": f"facts.scenes[{i}].segment",
                        "type": "unknown_scene_segment",
                        "allowed": sorted(self.guide),
                    }
                )
                continue
            names = self.guide[scene["segment"]]
            if names is not None and scene["scene"] not in names:
                out.append(
                    {
                        "field": f"facts.scenes[{i}].scene",
                        "type": "unknown_scene",
                        "allowed": sorted(names),
                    }
                )
        for key in facts.get("kpis") or {}:
            if key not in self.kpis:
                out.append(
                    {
                        "field": f"facts.kpis.{key}",
                        "type": "unknown_kpi",
                        "allowed": sorted(self.kpis),
                    }
                )
        return out


@dataclass(frozen=True)
class _Read:
    edition: Edition
    catalogue: Catalogue


_editions: dict[tuple[int, str], _Read] = {}
_lock = asyncio.Lock()


class RulesClient:
    """The rules service, as this service asks it."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def edition(self, edition_id: str) -> Edition:
        return (await self._read(edition_id)).edition

    async def catalogue(self, edition_id: str) -> Catalogue:
        return (await self._read(edition_id)).catalogue

    async def _read(self, edition_id: str) -> _Read:
        key = (id(self.http), edition_id)
        found = _editions.get(key)
        if found is not None:
            return found
        async with _lock:
            found = _editions.get(key)
            if found is None:
                edition = await self._fetch_edition(edition_id)
                found = _Read(edition, Catalogue.of(edition_id, edition))
                _editions[key] = found
        return found

    async def _fetch_edition(self, edition_id: str) -> Edition:
        resp = await call_json(self.http, "GET", f"/v1/editions/{edition_id}", dependency="rules")
        if resp.status_code != 200:
            raise UpstreamError(
                "规则服务未能提供该版本的要素条件",
                "The rules service did not provide the edition",
                details={"dependency": "rules", "edition": edition_id, "status": resp.status_code},
            )
        return Edition.model_validate(resp.json())

    async def precheck(
        self,
        *,
        edition: str,
        tier: str,
        facts: dict[str, Any],
        jurisdiction: str | None = None,
        wait_seconds: float | None = None,
    ) -> PrecheckResult:
        """A declaration's full evaluation. With `wait_seconds`, a rules service silent longer
        (or unreachable) is 503 `rules_unavailable` with `Retry-After`, not a wait as long as
        the client's own."""
        body: dict[str, Any] = {"edition": edition, "tier": tier, "facts": facts}
        body["explain"] = "full"
        if jurisdiction is not None:
            body["jurisdiction"] = jurisdiction
        extra: dict[str, Any] = {} if wait_seconds is None else {"timeout": wait_seconds}
        try:
            resp = await call_json(
                self.http, "POST", "/v1/evaluations", dependency="rules", json=body, **extra
            )
        except ServiceUnavailable as exc:
            raise RulesUnavailable(
                details=exc.details, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
            ) from exc
        if resp.status_code != 200:
            raise UpstreamError(
                "规则服务拒绝了预检请求",
                "The rules service refused the pre-check",
                details={"dependency": "rules", "status": resp.status_code, "answer": _json(resp)},
            )
        return PrecheckResult.model_validate(resp.json())

    async def evaluate(
        self, *, edition: str, tier: str, facts: dict[str, Any], jurisdiction: str
    ) -> Evaluation:
        """One evaluation of the failures only; a refusal (422: a name the edition does not
        know) is `RulesRefused` with the rules' own code."""
        body = {
            "edition": edition,
            "tier": tier,
            "facts": facts,
            "jurisdiction": jurisdiction,
            "explain": "failures",
        }
        resp = await call_json(self.http, "POST", "/v1/evaluations", dependency="rules", json=body)
        if resp.status_code == 422:
            raise RulesRefused.from_rules(_json(resp))
        if resp.status_code != 200:
            raise _refused_call(resp)
        return Evaluation.model_validate(resp.json())

    async def evaluate_batch(
        self, *, edition: str, tier: str, items: list[dict[str, Any]]
    ) -> list[BatchAnswer]:
        """≤ MAX_BATCH items `{ref, facts, jurisdiction}` → one answer each, in order."""
        assert len(items) <= MAX_BATCH
        payload = {
            "edition": edition,
            "explain": "failures",
            "items": [{**item, "tier": tier} for item in items],
        }
        resp = await call_json(
            self.http,
            "POST",
            "/v1/evaluations/batch",
            dependency="rules",
            content=json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(),
            headers={"Content-Type": "application/json"},
        )
        if resp.status_code != 200:
            raise _refused_call(resp)
        results = [BatchAnswer.model_validate(r) for r in resp.json()["results"]]
        if len(results) != len(items):
            raise UpstreamError(
                "规则服务的批量评估结果条数不符",
                "The rules service answered a batch with the wrong number of results",
                details={"dependency": "rules", "sent": len(items), "answered": len(results)},
            )
        return results


class EditionChoice(BaseModel):
    """The rules service's answer to "which edition": its id (and what else it says)."""

    model_config = ConfigDict(extra="ignore")
    id: str


async def edition_known(http: httpx.AsyncClient, edition_id: str) -> bool:
    """Whether the rules service has `edition_id` (a campaign names only a known one)."""
    resp = await call_json(http, "GET", f"/v1/editions/{edition_id}", dependency="rules")
    if resp.status_code in (404, 422):
        return False
    if resp.status_code != 200:
        raise UpstreamError(details={"dependency": "rules", "status": resp.status_code})
    return True


async def edition_in_effect(http: httpx.AsyncClient, on: date) -> str | None:
    """The edition in effect on `on` (how a campaign picks its edition by date), or None."""
    resp = await call_json(
        http, "GET", "/v1/editions/in-effect", dependency="rules", params={"on": on.isoformat()}
    )
    if resp.status_code == 422:
        return None
    if resp.status_code != 200:
        raise UpstreamError(details={"dependency": "rules", "status": resp.status_code})
    return EditionChoice.model_validate(resp.json()).id


def _refused_call(resp: httpx.Response) -> UpstreamError:
    return UpstreamError(
        "规则服务拒绝了评估请求",
        "The rules service refused the evaluation request",
        details={"dependency": "rules", "status": resp.status_code, "answer": _json(resp)},
    )


def _json(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return resp.text[:500]


async def _rules(request: Request) -> RulesClient:
    # `async def` on purpose: FastAPI runs a plain `def` dependency in a worker thread, a hop
    # that costs more than the lookup itself on every request.
    return RulesClient(request.app.state.peers["rules"])


RulesDep = Annotated[RulesClient, Depends(_rules)]
"""The rules service, for a route to pass down to the service layer."""
