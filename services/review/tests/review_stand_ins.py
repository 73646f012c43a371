"""Stand-ins for the review service's peers in in-process tests (the real ones run in tests/)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from ladder.kit import units

DATED_TIERS = ("excellence", "pilot")  # the tiers 251号 dates (二(二), 三(二))


def stand_in_declaration(chains: dict[str, list[dict[str, Any]]]) -> FastAPI:
    """Answers the declaration service's deadline reads from `chains` (jurisdiction prefix →
    deadlines, "" the national chain; of the jurisdictions of the units on a region's path, the
    longest applies — the declaration service's choice, `ladder.kit.units`). A key `"31"` is
    a chain of 卓越级 and 领航级 (as 251号 dates them), `"advanced:35"` one of that tier only.
    Each deadline: `{"level", "closes_at" (ISO, aware), "last_day", "source", "clause"}`."""
    app = FastAPI()

    def of_tier(tier: str) -> dict[str, list[dict[str, Any]]]:
        found = {k: v for k, v in chains.items() if ":" not in k} if tier in DATED_TIERS else {}
        found.update({k.split(":", 1)[1]: v for k, v in chains.items() if k.startswith(f"{tier}:")})
        return found

    @app.get("/v1/campaigns/{year}/deadlines")
    async def for_region(year: int, region: str, tier: str) -> dict[str, Any]:
        tiers = of_tier(tier)
        candidates = units.registry().chain_prefixes(region)
        prefixes = [p for p in tiers if p in candidates]
        chosen = max(prefixes, key=len) if prefixes else None
        return {
            "campaign_year": year,
            "region": region,
            "tier": tier,
            "jurisdiction": chosen,
            "deadlines": tiers.get(chosen, []) if chosen is not None else [],
        }

    @app.get("/v1/campaigns/{year}/deadlines/national/{tier}")
    async def national(year: int, tier: str) -> Any:
        tiers = of_tier(tier)
        if "" not in tiers:
            return JSONResponse({"error": {"code": "deadline_chain_not_found"}}, status_code=404)
        return {"campaign_year": year, "jurisdiction": "", "tier": tier, "deadlines": tiers[""]}

    return app
