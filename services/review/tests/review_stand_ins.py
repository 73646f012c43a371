"""Stand-ins for the review service's peers in in-process tests (the real ones run in tests/)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from ladder.kit import units


def stand_in_declaration(chains: dict[str, list[dict[str, Any]]]) -> FastAPI:
    """Answers the declaration service's deadline reads from `chains` (jurisdiction prefix →
    deadlines, "" the national chain; of the jurisdictions of the units on a region's path, the
    longest applies — the declaration service's choice, `ladder.kit.units`). Each deadline:
    `{"level", "closes_at" (ISO, aware), "last_day", "source", "clause"}`."""
    app = FastAPI()

    @app.get("/v1/campaigns/{year}/deadlines")
    async def for_region(year: int, region: str) -> dict[str, Any]:
        candidates = units.registry().chain_prefixes(region)
        prefixes = [p for p in chains if p in candidates]
        chosen = max(prefixes, key=len) if prefixes else None
        return {
            "campaign_year": year,
            "region": region,
            "jurisdiction": chosen,
            "deadlines": chains.get(chosen, []) if chosen is not None else [],
        }

    @app.get("/v1/campaigns/{year}/deadlines/national")
    async def national(year: int) -> Any:
        if "" not in chains:
            return JSONResponse({"error": {"code": "deadline_chain_not_found"}}, status_code=404)
        return {"campaign_year": year, "jurisdiction": "", "deadlines": chains[""]}

    return app
