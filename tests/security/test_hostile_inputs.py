"""Hostile input at the edge of every route, against the real processes (issue 11): NUL,
unpaired surrogates, control characters, 1 MB strings, huge integers, NaN/Infinity, duplicate
keys, deep nesting and wrong content types. Every one is a 4xx in the error envelope, nothing
is written (every table's row count is unchanged), and nothing personal reaches a log (the
payloads carry a mobile number; the stack's logs are read afterwards).

Each write route of the permission matrix is sent its (valid) body, spoiled one way at a
time, as a caller the matrix lets through — so what refuses it is the input check, not the
permission check.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from ladder.kit.params import (
    BIGINT_MAX,
    FIRST_CAMPAIGN_YEAR,
    FIRST_REFERENCE_YEAR,
    INT32_MAX,
    LAST_CAMPAIGN_YEAR,
)
from tests.conftest import log_leaks
from tests.security.apps import openapi_documents
from tests.security.matrix import ROWS, Row
from tests.security.test_permission_matrix import _url
from tests.security.world import World

pytestmark = pytest.mark.crossservice
MOBILE = "13912345678"
SCHEMAS = ("declaration", "rules", "review", "identity")


def _first(value: Any, kind: type) -> list[Any] | None:
    """The path (keys/indexes) to the first value of `kind` in a JSON value."""
    stack: list[tuple[Any, list[Any]]] = [(value, [])]
    while stack:
        item, path = stack.pop(0)
        if isinstance(item, kind) and not isinstance(item, bool):
            return path
        if isinstance(item, dict):
            stack += [(v, [*path, k]) for k, v in item.items()]
        elif isinstance(item, list):
            stack += [(v, [*path, i]) for i, v in enumerate(item)]
    return None


def _set(value: Any, path: list[Any], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


def _with_string(body: Any, text: str) -> Any:
    path = _first(body, str)
    if path is not None:
        return _set(body, path, text)
    return {**body, "note": text} if isinstance(body, dict) else body


def _spoiled(body: Any) -> dict[str, tuple[bytes, str]]:
    """Each spoiled version of a valid JSON body: name → (raw body, content type)."""
    out: dict[str, tuple[bytes, str]] = {}
    js = "application/json"

    def raw(v: Any) -> bytes:
        return json.dumps(v, ensure_ascii=True).encode()

    out["nul"] = (raw(_with_string(body, f"{MOBILE}\x00")), js)
    out["surrogate"] = (raw(_with_string(body, f"{MOBILE}\ud800")), js)
    out["control"] = (raw(_with_string(body, f"{MOBILE}\x07")), js)
    out["megabyte"] = (raw(_with_string(body, MOBILE + "x" * 1_000_000)), js)
    number = _first(body, int)
    big = 10**40
    out["huge_integer"] = (
        raw(_set(body, number, big) if number is not None else {**body, "n": big}),
        js,
    )
    nan_target = _set(body, number, "__NAN__") if number is not None else {**body, "n": "__NAN__"}
    out["nan"] = (raw(nan_target).replace(b'"__NAN__"', b"NaN"), js)
    out["infinity"] = (raw(nan_target).replace(b'"__NAN__"', b"-Infinity"), js)
    text = raw(body)
    if text.startswith(b"{") and len(text) > 2:
        first_key = next(iter(body))
        out["duplicate_key"] = (
            b"{" + json.dumps(first_key).encode() + b": null, " + text[1:],
            js,
        )
    out["deep"] = (b'{"x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}", js)
    out["wrong_content_type"] = (text, "text/plain")
    return out


async def _counts(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetch(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY($1::text[])",
            list(SCHEMAS),
        )
        counts = {}
        for t in tables:
            name = f'"{t["schemaname"]}"."{t["tablename"]}"'
            counts[name] = await conn.fetchval(f"SELECT count(*) FROM {name}")
        return counts
    finally:
        await conn.close()


async def _quiet(url: str, timeout: float = 20.0) -> None:
    """Wait until every outbox has delivered what it holds: events of the earlier (allowed)
    writes still travelling would change the inbox counts under the test."""
    conn = await asyncpg.connect(url)
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            pending = 0
            for schema in ("declaration", "review"):
                pending += await conn.fetchval(
                    f'SELECT count(*) FROM "{schema}".outbox WHERE delivered_at IS NULL'
                )
            if not pending:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{pending} events still undelivered")
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


def _allowed(row: Row) -> str | None:
    return next((role for role, cell in row.expect.items() if cell == "Y"), None)


def _let_through(row: Row) -> str | None:
    """A role past the permission check: let through, or refused only by the route's own rule
    (an exact answer other than 401/403, e.g. a replay's 404 for an unknown row, a sign-in's
    401 `invalid_credentials` for a wrong password)."""

    def past(cell: Any) -> bool:
        return cell in ("Y", "+", "-") or (isinstance(cell, tuple) and cell[0] not in (401, 403))

    return next((role for role, cell in row.expect.items() if past(cell)), None)


def _writer(row: Row) -> str | None:
    """Who sends a write its spoiled bodies: a role let through, else one its valid body is
    refused on the merits for (the identity service's entries, where everyone is: a wrong
    password's 401 `invalid_credentials` is no refusal of the caller)."""

    def on_merits(cell: Any) -> bool:
        return isinstance(cell, tuple) and cell[1] not in ("unauthenticated", "forbidden")

    merits = next((role for role, cell in row.expect.items() if on_merits(cell)), None)
    return _allowed(row) or _let_through(row) or merits


def _json_writes() -> list[Row]:
    return [r for r in ROWS if r.json is not None and r.method != "GET" and _writer(r)]


def _envelope(resp: httpx.Response) -> bool:
    try:
        error = resp.json()["error"]
    except (ValueError, KeyError, TypeError):
        return False
    return {"code", "message", "message_en", "details"} <= set(error)


def _send(world: World, gateway: httpx.Client, row: Row, role: str, content: bytes, ctype: str):
    headers = {**world.as_(role), **row.headers, "Content-Type": ctype}
    if row.keyed:
        headers["Idempotency-Key"] = f"hostile-{uuid.uuid4().hex}"
    return gateway.request(
        row.method, _url(world, row), params=row.query(world), content=content, headers=headers
    )


async def test_hostile_bodies_are_refused_and_write_nothing(world):
    w, gateway = world
    rows = _json_writes()
    assert len(rows) >= 40  # every write route of the matrix that takes JSON
    await _quiet(w.stack.database_url)
    before = await _counts(w.stack.database_url)
    wrong = []
    for row in rows:
        role = _writer(row)
        assert role is not None
        for name, (content, ctype) in _spoiled(row.json(w)).items():
            resp = _send(w, gateway, row, role, content, ctype)
            if not (400 <= resp.status_code < 500 and _envelope(resp)):
                wrong.append(f"{row.method} {row.path} [{name}]: {resp.status_code} "
                             f"{resp.text[:200]}")  # fmt: skip
            if MOBILE in resp.text:
                wrong.append(f"{row.method} {row.path} [{name}]: the answer echoes the input")
    after = await _counts(w.stack.database_url)
    changed = {t: (before.get(t), n) for t, n in after.items() if before.get(t) != n}
    assert not wrong, "\n".join(wrong)
    assert not changed, f"rows written by refused requests: {changed}"


@pytest.mark.parametrize("value", ["%00", "a%00b", "%ED%A0%80", "%07", "%ff"])
def test_hostile_query_parameters_are_refused_on_every_read(world, value):
    w, gateway = world
    wrong = []
    for row in ROWS:
        role = _allowed(row) or ("anonymous" if row.expect.get("anonymous") == "Y" else None)
        if row.method != "GET" or role is None:
            continue
        query = str(httpx.QueryParams(row.query(w)))
        url = f"{_url(w, row)}?{query + '&' if query else ''}status={value}"
        resp = gateway.get(url, headers=w.as_(role))
        if not (resp.status_code == 422 and resp.json()["error"]["code"] == "invalid_input"):
            wrong.append(f"GET {row.path}: {resp.status_code} {resp.text[:160]}")
    assert not wrong, "\n".join(wrong)


def test_the_findings_of_the_issue_one_by_one(world):
    """The reproductions of issue 11 finding 8 (a NUL was a 500 and wrote personal data to
    the log): an anonymous 公示 objection, an enterprise PATCH, a declaration, a
    self-assessment, an expert's name, `?status=%00`; and finding 13's deep reference upload."""
    w, gateway = world
    nul = f"联系人{MOBILE}\u0000"
    cases = [
        ("POST", "/api/review/public/v1/publicity/2026/pilot/objections", "anonymous",
         {"declaration_id": w.did, "content": nul}),
        ("PATCH", "/api/declaration/v1/enterprises/91350102MA2Y00001E", "enterprise_own",
         {"address": nul}),
        ("POST", "/api/declaration/v1/declarations", "enterprise_own",
         {"factory_id": "00000000-0000-4000-8000-000000000101", "campaign_year": 2026,
          "tier": "advanced", "facts": {"summary": nul}}),
        ("POST", "/api/declaration/v1/self-assessments", "enterprise_own",
         {"campaign_year": 2026, "enterprise_name": nul, "region_code": "350102",
          "cmmm_level": 2, "segments": [{"segment": "生产作业"}]}),
        ("POST", "/api/review/v1/national/experts", "ministry",
         {"account": "x-expert", "name": nul, "fields": ["智能制造"], "organisation": "某院",
          "region_code": "110101"}),
    ]  # fmt: skip
    for method, path, role, body in cases:
        resp = gateway.request(
            method, path, json=body,
            headers={**w.as_(role), "Idempotency-Key": uuid.uuid4().hex, "If-Match": '"x"'},
        )  # fmt: skip
        assert resp.status_code == 422, (path, resp.text)
        assert resp.json()["error"]["details"]["reason"] == "nul_character", path
    status = gateway.get("/api/declaration/v1/declarations?status=%00", headers=w.as_("county_own"))
    assert status.status_code == 422
    deep = '{"kind": "excellence_count", "rows": ' + "[" * 5000 + "]" * 5000 + "}"
    upload = gateway.post(
        "/api/rules/v1/reference-datasets",
        content=deep.encode(),
        headers={**w.as_("ministry"), "Content-Type": "application/json",
                 "Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    assert upload.status_code == 422
    assert upload.json()["error"]["details"]["reason"] == "too_deeply_nested"


def test_the_logs_carry_nothing_personal(world):
    """After the hostile inputs above: no mobile number, token, secret or NUL trace in any
    process's log (the stack checks the same again when it stops)."""
    w, _ = world
    assert log_leaks(w.stack.log_dir, w.stack.log_secrets) == []


# Integer path and query parameters (issue 12 item 3: `/v1/campaigns/2147483648` was a 500,
# the value reaching PostgreSQL as an out-of-range bind). Ids and cursors of `bigint` columns
# may go to 2**63 - 1; everything else is an `integer` column, and a year is a campaign's.
BIGINT_PARAMETERS = {"outbox_id", "after", "delivery_id"}
# Routes of machine clients alone (the world has no machine client: every role is refused
# before the parameters are read). Their bounds are sent as a machine client in
# services/review/tests/webhooks/test_webhooks.py.
_WEBHOOK = "/v1/webhooks/subscriptions/{subscription_id}/deliveries"
MACHINE_CLIENT_ROUTES = {
    ("review", "GET", "/v1/webhooks/subscriptions"),
    ("review", "GET", _WEBHOOK),
    ("review", "GET", _WEBHOOK + "/{delivery_id}"),
    ("review", "POST", _WEBHOOK + "/{delivery_id}/replay"),
}
YEAR_PARAMETERS = {"year", "campaign", "campaign_year"}
REFERENCE_YEARS = {("rules", "/v1/reference-datasets")}
OUT_OF_RANGE = (2**31, 2**63, 10**30, -(2**63) - 1)


def _integer_parameters() -> list[tuple[str, str, str, str, str, dict[str, Any]]]:
    """(process, METHOD, path, in, name, schema) of every integer path or query parameter."""
    found = []
    for process, document in openapi_documents().items():
        for path, operations in document["paths"].items():
            if process == "gateway" and path.startswith("/api/{service}"):
                continue
            for method, op in operations.items():
                for param in op.get("parameters", []):
                    schema = param["schema"]
                    options = [schema, *schema.get("anyOf", [])]
                    integer = next((o for o in options if o.get("type") == "integer"), None)
                    if integer is not None and param["in"] in ("path", "query"):
                        found.append(
                            (process, method.upper(), path, param["in"], param["name"], integer)
                        )
    return found


def test_every_integer_parameter_is_bounded_to_its_column():
    params = _integer_parameters()
    assert len(params) >= 40
    wrong = []
    for process, method, path, where, name, schema in params:
        at = f"{process} {method} {path} {where} {name}"
        top = BIGINT_MAX if name in BIGINT_PARAMETERS else INT32_MAX
        if not ("maximum" in schema and "minimum" in schema):
            wrong.append(f"{at}: no minimum and maximum")
        elif not (-top - 1 <= schema["minimum"] <= schema["maximum"] <= top):
            wrong.append(f"{at}: {schema['minimum']}..{schema['maximum']} exceeds ±{top}")
        if name in YEAR_PARAMETERS:
            first = (
                FIRST_REFERENCE_YEAR
                if (process, path) in REFERENCE_YEARS
                else (FIRST_CAMPAIGN_YEAR)
            )
            if (schema.get("minimum"), schema.get("maximum")) != (first, LAST_CAMPAIGN_YEAR):
                wrong.append(f"{at}: a year not in {first}..{LAST_CAMPAIGN_YEAR}")
    assert not wrong, "\n".join(wrong)


def test_out_of_range_integers_in_paths_and_queries_are_422_on_every_route(world):
    """Each integer path or query parameter of every route, sent 2**31, 2**63, 10**30 and
    -2**63 - 1 (the rest of the request valid, as a caller the matrix lets through): a 422
    `validation_error` naming the parameter, in the envelope — never a 500."""
    w, gateway = world
    rows = {row.key: row for row in ROWS}
    wrong, sent = [], 0
    for process, method, path, where, name, _ in _integer_parameters():
        if (process, method, path) in MACHINE_CLIENT_ROUTES:
            continue
        row = rows.get((process, method, path))
        role = _let_through(row) if row is not None else None
        if row is None or role is None:
            wrong.append(f"{process} {method} {path}: no matrix row lets a caller through")
            continue
        top = BIGINT_MAX if name in BIGINT_PARAMETERS else INT32_MAX
        for value in (v for v in OUT_OF_RANGE if abs(v) > top):
            params, query = row.params(w), row.query(w)
            if where == "path":
                params = {**params, name: str(value)}
            else:
                query = {**query, name: str(value)}
            url = _url(w, dataclasses.replace(row, params=lambda _w, p=params: p))
            headers = {**w.as_(role), **row.headers}
            if row.keyed:
                headers["Idempotency-Key"] = f"bounds-{uuid.uuid4().hex}"
            kwargs: dict[str, Any] = {"params": query, "headers": headers}
            if row.json is not None:
                kwargs["json"] = row.json(w)
            if row.content is not None:
                kwargs["content"] = row.content(w, gateway)
                if row.content_type:
                    headers["Content-Type"] = row.content_type
            resp = gateway.request(method, url, **kwargs)
            sent += 1
            fields = []
            if resp.status_code == 422 and _envelope(resp):
                fields = [f["field"] for f in resp.json()["error"]["details"].get("fields", [])]
            if name not in fields:
                wrong.append(f"{method} {path} {name}={value} as {role}: {resp.status_code} "
                             f"{resp.text[:160]}")  # fmt: skip
    assert sent >= 150
    assert not wrong, "\n".join(wrong)
