"""A 要素条件 edition as the rules service publishes it, read once and kept.

Drafts are checked against its scene and KPI catalogues on every save (so an unknown scene or
KPI is a 422 naming the field at once), and the self-assessment forms take their KPI columns
and 基础要求 from it. Editions are immutable data, so one fetch per edition serves the process.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from ladder.kit.errors import UpstreamError
from ladder.kit.http import call_json


@dataclass(frozen=True)
class Catalogue:
    edition: str
    guide: dict[str, frozenset[str] | None]  # 环节 → scenes (None: names not loaded)
    kpis: frozenset[str]


@dataclass(frozen=True)
class EditionData:
    raw: dict[str, Any]  # the edition as `GET /v1/editions/{id}` answers it
    catalogue: Catalogue


# Keyed by the rules client too: two apps in one process (tests) may talk to different rules.
_cache: dict[tuple[int, str], EditionData] = {}
_lock = asyncio.Lock()


async def edition(rules: httpx.AsyncClient, edition_id: str) -> EditionData:
    key = (id(rules), edition_id)
    found = _cache.get(key)
    if found is not None:
        return found
    async with _lock:
        found = _cache.get(key)
        if found is None:
            found = await _fetch(rules, edition_id)
            _cache[key] = found
    return found


async def catalogue(rules: httpx.AsyncClient, edition_id: str) -> Catalogue:
    return (await edition(rules, edition_id)).catalogue


async def _fetch(rules: httpx.AsyncClient, edition_id: str) -> EditionData:
    resp = await call_json(rules, "GET", f"/v1/editions/{edition_id}", dependency="rules")
    if resp.status_code != 200:
        raise UpstreamError(
            "规则服务未能提供该版本的要素条件",
            "The rules service did not provide the edition",
            details={"dependency": "rules", "edition": edition_id, "status": resp.status_code},
        )
    raw = resp.json()
    guide = {
        g["name"]: (frozenset(g["scenes"]) if g.get("scenes") is not None else None)
        for g in raw["scene_guide"]["segments"]
    }
    kpis = frozenset(i["key"] for i in raw["kpi_table"]["indicators"])
    return EditionData(raw=raw, catalogue=Catalogue(edition=edition_id, guide=guide, kpis=kpis))


def problems(cat: Catalogue, facts: dict) -> list[dict[str, object]]:
    """Scenes and KPIs of a draft that the edition does not know, with their field paths."""
    out: list[dict[str, object]] = []
    for i, scene in enumerate(facts.get("scenes") or ()):
        if scene["segment"] not in cat.guide:
            out.append(
                {
                    "field": f"facts.scenes[{i}].segment",
                    "type": "unknown_scene_segment",
                    "allowed": sorted(cat.guide),
                }
            )
            continue
        names = cat.guide[scene["segment"]]
        if names is not None and scene["scene"] not in names:
            out.append(
                {
                    "field": f"facts.scenes[{i}].scene",
                    "type": "unknown_scene",
                    "allowed": sorted(names),
                }
            )
    for key in facts.get("kpis") or {}:
        if key not in cat.kpis:
            out.append(
                {"field": f"facts.kpis.{key}", "type": "unknown_kpi", "allowed": sorted(cat.kpis)}
            )
    return out
