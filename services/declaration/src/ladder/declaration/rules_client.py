"""Asking the rules service whether a declaration meets 要素条件 (over HTTP)."""

from __future__ import annotations

from typing import Any

import httpx

from ladder.declaration.declarations.schemas import PrecheckResult
from ladder.declaration.errors import RulesUnavailable
from ladder.kit.errors import ServiceUnavailable, UpstreamError
from ladder.kit.http import call_json

# What a client told `rules_unavailable` waits before retrying.
RETRY_AFTER_SECONDS = 5


async def evaluate(
    rules: httpx.AsyncClient,
    *,
    edition: str,
    tier: str,
    facts: dict[str, Any],
    jurisdiction: str | None = None,
    wait_seconds: float | None = None,
) -> PrecheckResult:
    """The rules' answer. With `wait_seconds`, a rules service silent longer (or unreachable) is
    503 `rules_unavailable` with `Retry-After`, not a wait as long as the client's own."""
    body = {"edition": edition, "tier": tier, "facts": facts, "explain": "full"}
    if jurisdiction is not None:
        body["jurisdiction"] = jurisdiction
    extra: dict[str, Any] = {} if wait_seconds is None else {"timeout": wait_seconds}
    try:
        resp = await call_json(
            rules, "POST", "/v1/evaluations", dependency="rules", json=body, **extra
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


def _json(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return resp.text[:500]
