"""What an OpenAPI document of Ladder must say to be truthful, as functions returning the
problems found — for each process's own document (`tests/test_openapi_errors.py`) and for the
gateway's merged one (`tests/e2e/test_openapi_merged.py`).

- every error response (4xx/5xx) is the envelope `{"error": {"code", "message", "message_en",
  "details"}}`, one named model per code with `code` fixed, its codes listed in
  `x-error-codes` in the same order as the models;
- a header is `required: true` exactly where its absence is a declared 428 (except where the
  428 depends on the request: the header is then listed, optional, beside the 428);
- FastAPI's `HTTPValidationError` is gone, every `$ref` resolves and no two components share
  a title (a generator makes one class of each title).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
WRITES = ("post", "put", "patch", "delete")
REQUIRED_BY_428 = {"idempotency_key_required": "Idempotency-Key", "if_match_required": "If-Match"}
# The token endpoint answers RFC 6749 §5.2 errors (a top-level `error`, with Ladder's `code`
# beside it), the shape OAuth2 client libraries read, documented as its own model.
OAUTH_SHAPED = "/oauth/"
SCHEMA_REF = "#/components/schemas/"


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method in METHODS:
                yield method, path, op


def _schema(doc: dict[str, Any], ref: str) -> dict[str, Any] | None:
    if not ref.startswith(SCHEMA_REF):
        return None
    return doc.get("components", {}).get("schemas", {}).get(ref.removeprefix(SCHEMA_REF))


def error_response_problems(doc: dict[str, Any]) -> list[str]:
    problems = []
    for method, path, op in operations(doc):
        if OAUTH_SHAPED in path:
            continue
        for status, response in op.get("responses", {}).items():
            if not status.isdigit() or int(status) < 400:
                continue
            where = f"{method.upper()} {path} {status}"
            codes = response.get("x-error-codes")
            content = response.get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            refs = [s.get("$ref", "") for s in schema.get("oneOf", [schema])]
            if not codes or len(refs) != len(codes) or set(content) != {"application/json"}:
                problems.append(f"{where}: codes {codes} against {refs}")
                continue
            for code, ref in zip(codes, refs, strict=True):
                model = _schema(doc, ref)
                error = (model or {}).get("properties", {}).get("error", {})
                fixed = error.get("properties", {}).get("code", {}).get("const")
                envelope = {"code", "message", "message_en"} <= set(error.get("required", ()))
                if fixed != code or not envelope or model.get("required") != ["error"]:
                    problems.append(f"{where}: {ref} is not the envelope of {code}")
    return problems


def required_header_problems(doc: dict[str, Any], name: str = "") -> list[str]:
    problems = []
    for method, path, op in operations(doc):
        codes = op.get("responses", {}).get("428", {}).get("x-error-codes", [])
        headers = {
            p["name"]: p.get("required", False)
            for p in op.get("parameters", [])
            if p.get("in") == "header"
        }
        for code, header in REQUIRED_BY_428.items():
            where = f"{name} {method.upper()} {path}".strip()
            if headers.get(header) and code not in codes:
                problems.append(f"{where}: {header} required, no 428 {code}")
            if code in codes and header not in headers:
                problems.append(f"{where}: 428 {code} without {header}")
    return problems


def component_problems(doc: dict[str, Any]) -> list[str]:
    schemas = doc.get("components", {}).get("schemas", {})
    problems = [f"FastAPI's {n} is left" for n in ("HTTPValidationError", "ValidationError")
                if n in schemas]  # fmt: skip
    titles: dict[str, str] = {}
    for name, schema in schemas.items():
        title = schema.get("title", name)
        if title in titles:
            problems.append(f"{name} and {titles[title]} share the title {title}")
        titles[title] = name
    stack: list[Any] = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and _schema(doc, ref) is None:
                problems.append(f"{ref} resolves to nothing")
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return problems
