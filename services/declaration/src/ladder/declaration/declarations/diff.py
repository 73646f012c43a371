"""What changed between two submitted versions of a declaration, field by field.

Versions are frozen JSON; the diff flattens both into `path → value` leaves (the same paths
the errors use: `facts.scenes[2].instance`) and lists what was added, removed or changed, so a
reviewer sees exactly what a resubmission altered.
"""

from __future__ import annotations

from typing import Any

_MISSING = object()


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """Leaves of a JSON value by path; empty containers are leaves too (so they can differ)."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, item in enumerate(value):
            out.update(flatten(item, f"{path}[{i}]"))
        return out
    return {path: value}


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """`[{path, change: added|removed|changed, before, after}]`, sorted by path."""
    old, new = flatten(before), flatten(after)
    out = []
    for path in sorted(old.keys() | new.keys()):
        a, b = old.get(path, _MISSING), new.get(path, _MISSING)
        if a is _MISSING:
            out.append({"path": path, "change": "added", "before": None, "after": b})
        elif b is _MISSING:
            out.append({"path": path, "change": "removed", "before": a, "after": None})
        elif a != b or type(a) is not type(b):
            out.append({"path": path, "change": "changed", "before": a, "after": b})
    return out
