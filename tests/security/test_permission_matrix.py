"""Who may read, list and write what — the matrix of `tests/security/matrix.py`, checked
against the real processes over REST and GraphQL (issue 11). A route in any process's OpenAPI
without a row fails here, so a new route comes with its answer for every kind of caller."""

from __future__ import annotations

import httpx
import pytest

from ladder.gateway import proxy
from tests.security.apps import openapi_documents
from tests.security.graphql_mutation_rows import MUTATION_ROWS, verdict
from tests.security.matrix import GRAPHQL, ROWS, Cell, Row
from tests.security.world import ROLES, World

pytestmark = pytest.mark.crossservice
PREFIX = {"declaration": "/api/declaration", "rules": "/api/rules", "review": "/api/review",
          "identity": "/api/identity", "gateway": ""}  # fmt: skip


def _url(world: World, row: Row) -> str:
    path = row.path.format(**row.params(world))
    if row.direct:
        return world.stack.url(row.process) + path
    return world.stack.url("gateway") + PREFIX[row.process] + path


def _send(world: World, gateway: httpx.Client, row: Row, role: str) -> httpx.Response:
    headers = {**world.as_(role), **row.headers}
    if row.keyed:
        headers["Idempotency-Key"] = f"matrix-{role}-{id(row)}-{len(headers)}"
    kwargs: dict = {"params": row.query(world), "headers": headers}
    if row.json is not None:
        kwargs["json"] = row.json(world)
    if row.content is not None:
        kwargs["content"] = row.content(world, gateway)
        headers["Content-Type"] = row.content_type or "application/octet-stream"
    return gateway.request(row.method, _url(world, row), **kwargs)


_UNREAD = {"validation_error", "invalid_input"}


def _code(resp: httpx.Response) -> str | None:
    """The envelope's `error.code`, or the token endpoint's top-level `code` (its errors are
    RFC 6749 §5.2's: `error` is a string there)."""
    try:
        body = resp.json()
        error = body["error"]
        return body["code"] if isinstance(error, str) else error["code"]
    except (ValueError, KeyError, TypeError):
        return None


def _verdict(expected: Cell, resp: httpx.Response, found) -> bool:
    status = resp.status_code
    if status >= 500:
        return False
    if expected == "Y":
        # A body the route cannot even read (or a rate limit) proves nothing about who may.
        return status not in (401, 403, 404, 429) and _code(resp) not in _UNREAD

    if expected == "N":
        return status in (403, 404)
    if expected == "A":
        return status == 401
    if expected in ("+", "-"):
        return status == 200 and found(resp.json()) == (expected == "+")
    if isinstance(expected, int):
        return status == expected
    want_status, want_code = expected
    if status != want_status:
        return False
    if resp.request.method == "HEAD":
        return True  # no body to name the code
    return _code(resp) == want_code


def _openapi_routes(world: World) -> set[tuple[str, str, str]]:
    routes = set()
    for process in PREFIX:
        resp = httpx.get(f"{world.stack.url(process)}/openapi.json", timeout=10)
        assert resp.status_code == 200, resp.text
        paths = resp.json()["paths"]
        if process == "gateway":
            # The gateway serves the whole API's document (`ladder.gateway.openapi`), the
            # services' routes under /api/<service>/ (their rows are theirs): its own routes
            # are its app's document, and the proxy's operations, which are no route of the
            # app (`ladder.gateway.proxy.install`).
            paths = openapi_documents()["gateway"]["paths"]
            routes |= {(process, method, path) for method, path in proxy.ROUTES}
        for path, operations in paths.items():
            routes |= {(process, method.upper(), path) for method in operations}
    return routes


def test_every_route_of_every_process_has_a_row(world):
    w, _ = world
    rows = {row.key for row in ROWS}
    assert len({(*row.key, row.variant) for row in ROWS}) == len(ROWS), "a row is twice"
    graphql = {("gateway", "POST", "/graphql"), ("gateway", "GET", "/graphql")}
    missing = _openapi_routes(w) - rows - graphql
    assert not missing, f"routes without a row in tests/security/matrix.py: {sorted(missing)}"
    assert not rows - _openapi_routes(w), "rows for routes that do not exist"


def test_rest_answers_follow_the_matrix(world):
    w, gateway = world
    wrong = []
    for row in ROWS:
        assert set(row.expect) == set(ROLES), row.key
        for role in ROLES:
            resp = _send(w, gateway, row, role)
            found = (lambda body, row=row: row.found(w, body)) if row.found else None
            if not _verdict(row.expect[role], resp, found):
                wrong.append(
                    f"{row.method} {row.path} {row.variant} as {role}: expected "
                    f"{row.expect[role]!r}, got {resp.status_code} {resp.text[:160]}"
                )
    assert not wrong, "\n".join(wrong)


def test_graphql_answers_follow_the_matrix(world):
    w, gateway = world
    wrong = []
    for name, (query, expect, found) in GRAPHQL.items():
        for role in ROLES:
            resp = gateway.post("/graphql", json={"query": query}, headers=w.as_(role))
            assert resp.status_code == 200, resp.text
            value = resp.json()["data"][name]
            kind = value["__typename"]
            cell = expect[role]
            listed = kind.endswith("Connection")
            ok = {
                "Y": kind not in ("Unauthenticated", "Forbidden", "NotFound"),
                "A": kind == "Unauthenticated",
                "N": kind in ("Forbidden", "NotFound"),
                "+": found is not None and listed and found(w, value),
                "-": found is not None and listed and not found(w, value),
            }[cell]
            if not ok:
                wrong.append(f"{name} as {role}: expected {cell!r}, got {value}")
    assert not wrong, "\n".join(wrong)


def test_graphql_mutations_answer_as_their_rest_routes(world):
    """Each mutation is sent as its route's row sends the route; every kind of caller gets the
    typed answer of that row's cell (tests/security/graphql_mutation_rows.py)."""
    w, gateway = world
    rows = {row.key: row for row in ROWS if not row.variant}
    wrong = []
    for mutation in MUTATION_ROWS:
        expect = rows[mutation.rest].expect
        for role in ROLES:
            resp = gateway.post(
                "/graphql",
                json={"query": mutation.document, "variables": mutation.variables(w, role)},
                headers=w.as_(role),
            )
            assert resp.status_code == 200, resp.text
            answer = resp.json()["data"][mutation.name]
            if not verdict(expect[role], answer):
                wrong.append(f"{mutation.name} as {role}: expected {expect[role]!r}, got {answer}")
    assert not wrong, "\n".join(wrong)
