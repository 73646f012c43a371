"""Every input a route takes is bounded in its contract (issue 11: 1 MB strings, huge
integers): each string of a JSON body, query or path has a maximum length (or an enum, a
format, or an anchored pattern without unbounded repeats), each integer a minimum and a
maximum, each array a maximum of items, each map a maximum of keys. Read from the OpenAPI
document of every process, so a new field without a bound fails here.

Not judged here: headers (the HTTP server caps their size; Idempotency-Key and If-Match are
checked by their own patterns), floats (the edge refuses NaN, Infinity and overflow), and the
gateway's proxy parameters (the proxied service's document is judged instead).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.security.apps import openapi_documents

_FORMATS = {"uuid", "date", "date-time", "binary"}
_UNBOUNDED_REPEAT = re.compile(r"(?<!\\)[*+]|\{\d+,\}")


def _bounded_pattern(pattern: str | None) -> bool:
    return (
        bool(pattern)
        and pattern.startswith("^")
        and pattern.endswith("$")
        and not (_UNBOUNDED_REPEAT.search(pattern))
    )


def _unbounded(schema: dict[str, Any], components: dict[str, Any], where: str) -> list[str]:
    found: list[str] = []
    seen: set[str] = set()

    def walk(s: dict[str, Any], at: str) -> None:
        if "$ref" in s:
            name = s["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                walk(components[name], name)
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for option in s.get(key, []):
                walk(option, at)
        kind = s.get("type")
        if kind == "string" and not (
            "maxLength" in s or "enum" in s or "const" in s
            or s.get("format") in _FORMATS or _bounded_pattern(s.get("pattern"))
        ):  # fmt: skip
            found.append(f"{at}: string without maxLength")
        if (
            kind == "integer"
            and "enum" not in s
            and not (
                ("maximum" in s or "exclusiveMaximum" in s)
                and ("minimum" in s or "exclusiveMinimum" in s)
            )
        ):
            found.append(f"{at}: integer without minimum and maximum")
        if kind == "array":
            if "maxItems" not in s:
                found.append(f"{at}: array without maxItems")
            walk(s.get("items", {}), f"{at}[]")
        for name, child in (s.get("properties") or {}).items():
            walk(child, f"{at}.{name}")
        extra = s.get("additionalProperties")
        if isinstance(extra, dict):
            if "maxProperties" not in s:
                found.append(f"{at}: map without maxProperties")
            walk(extra, f"{at}{{}}")

    walk(schema, where)
    return found


def _inputs(process: str, document: dict[str, Any]):
    for path, operations in document["paths"].items():
        if process == "gateway" and path.startswith("/api/{service}"):
            continue
        for method, op in operations.items():
            for param in op.get("parameters", []):
                if param.get("in") != "header":
                    yield f"{method.upper()} {path} {param['in']} {param['name']}", param["schema"]
            for media, content in (op.get("requestBody") or {}).get("content", {}).items():
                if "json" in media:
                    yield f"{method.upper()} {path} body", content.get("schema", {})


@pytest.mark.parametrize("process", ["declaration", "rules", "review", "gateway"])
def test_every_input_of_every_route_is_bounded(process):
    document = openapi_documents()[process]
    components = document.get("components", {}).get("schemas", {})
    problems = [
        problem
        for where, schema in _inputs(process, document)
        for problem in _unbounded(schema, components, where)
    ]
    assert problems == []
