"""Asking the rules service whether a declaration meets 要素条件 (over HTTP)."""

from __future__ import annotations

from typing import Any

import httpx

from ladder.declaration.declarations.schemas import PrecheckResult
from ladder.kit.errors import UpstreamError
from ladder.kit.http import call_json


async def evaluate(
    rules: httpx.AsyncClient,
    *,
    edition: str,
    tier: str,
    facts: dict[str, Any],
    jurisdiction: str | None = None,
) -> PrecheckResult:
    body = {"edition": edition, "tier": tier, "facts": facts, "explain": "full"}
    if jurisdiction is not None:
        body["jurisdiction"] = jurisdiction
    resp = await call_json(rules, "POST", "/v1/evaluations", dependency="rules", json=body)
    if resp.status_code != 200:
        raise UpstreamError(
            "规则服务拒绝了预检请求",
            "The rules service refused the pre-check",
            details={"dependency": "rules", "status": resp.status_code, "answer": _json(resp)},
        )
    return PrecheckResult.model_validate(resp.json())


def _json(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return resp.text[:500]
