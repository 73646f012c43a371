"""The 现场核查 checklist generated from what the case declared: one item per scene instance
(环节—场景—实例), one per KPI with its declared value, then the template items of
`national.yaml`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ladder.review.national.data import TemplateItem


def _value(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def checklist(details: Mapping[str, Any], template: tuple[TemplateItem, ...]) -> list[dict]:
    """The items, in order: declared scene instances, declared KPIs, then the template."""
    items: list[dict] = []
    for i, scene in enumerate(details.get("scenes") or [], start=1):
        text = "—".join(str(scene.get(k, "")) for k in ("segment", "scene", "instance"))
        items.append(
            {
                "key": f"scene-{i}",
                "kind": "scene",
                "text": text + ("（应用人工智能）" if scene.get("ai") else ""),
                "text_en": "declared scene instance" + (" (applies AI)" if scene.get("ai") else ""),
            }
        )
    for i, (name, value) in enumerate(sorted((details.get("kpis") or {}).items()), start=1):
        items.append(
            {
                "key": f"kpi-{i}",
                "kind": "kpi",
                "text": f"关键绩效指标：{name}",
                "text_en": f"declared KPI: {name}",
                "declared_value": _value(value),
            }
        )
    for t in template:
        items.append(
            {
                "key": f"template-{t.key}",
                "kind": "template",
                "text": t.text,
                "text_en": t.text_en,
                "source": t.source,
            }
        )
    return items
