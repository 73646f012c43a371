"""Stand-ins for the review service's peers in in-process tests (the real ones run in tests/)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse


def stand_in_declaration(chains: dict[str, list[dict[str, Any]]]) -> FastAPI:
    """Answers the declaration service's deadline reads from `chains` (jurisdiction prefix →
    deadlines, "" the national chain; the longest prefix of a region applies). Each deadline:
    `{"level", "closes_at" (ISO, aware), "last_day", "source", "clause"}`."""
    app = FastAPI()

    @app.get("/v1/campaigns/{year}/deadlines")
    async def for_region(year: int, region: str) -> dict[str, Any]:
        prefixes = [p for p in chains if region.startswith(p)]
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
