"""The scene and KPI catalogues of a 要素条件 edition, read from the rules service and kept.

A draft is checked against them on every save, so an unknown scene or KPI is a 422 naming the
field at once rather than at submission. Editions are immutable data, so a fetched catalogue
is kept for the life of the process (bounded by the handful of editions there are).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from ladder.kit.errors import UpstreamError
from ladder.kit.http import call_json


@dataclass(frozen=True)
class Catalogue:
    edition: str
    guide: dict[str, frozenset[str] | None]  # 环节 → scenes (None: names not loaded)
    kpis: frozenset[str]


# Keyed by the rules client too: two apps in one process (tests) may talk to different rules.
_cache: dict[tuple[int, str], Catalogue] = {}
_lock = asyncio.Lock()


async def catalogue(rules: httpx.AsyncClient, edition: str) -> Catalogue:
    key = (id(rules), edition)
    found = _cache.get(key)
    if found is not None:
        return found
    async with _lock:
        found = _cache.get(key)
        if found is None:
            found = await _fetch(rules, edition)
            _cache[key] = found
    return found


async def _fetch(rules: httpx.AsyncClient, edition: str) -> Catalogue:
    scenes = await call_json(rules, "GET", f"/v1/editions/{edition}/scenes", dependency="rules")
    kpis = await call_json(rules, "GET", f"/v1/editions/{edition}/kpis", dependency="rules")
    if scenes.status_code != 200 or kpis.status_code != 200:
        raise UpstreamError(
            "规则服务未能提供该版本的场景或指标目录",
            "The rules service did not provide the edition's scene or KPI catalogue",
            details={"dependency": "rules", "edition": edition},
        )
    body = scenes.json()
    guide: dict[str, set[str] | None] = {
        g: (set() if body["scenes_loaded"] else None) for g in body["segments"]
    }
    for row in body["scenes"]:
        names = guide.get(row["segment"])
        if names is not None:
            names.add(row["scene"])
    return Catalogue(
        edition=edition,
        guide={g: (frozenset(n) if n is not None else None) for g, n in guide.items()},
        kpis=frozenset(i["key"] for i in kpis.json()["indicators"]),
    )


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
