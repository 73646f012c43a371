"""What every process's OpenAPI says about errors and the write headers (issue 13): each
error response names its codes, one model per code, and a header whose absence is a 428 is
marked required — so a client generated from the document can rely on both."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.apps import openapi_documents

WRITES = ("post", "put", "patch", "delete")
# The token endpoint answers RFC 6749 §5.2 errors (a top-level `error`, with Ladder's `code`
# beside it), the shape OAuth2 client libraries read, documented as its own model.
OAUTH_SHAPED = ("/oauth/",)
REQUIRED_BY_428 = {"idempotency_key_required": "Idempotency-Key", "if_match_required": "If-Match"}


def _operations() -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (process, method, path, op)
        for process, doc in openapi_documents().items()
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if method in (*WRITES, "get")
    ]


def test_there_are_operations_to_check():
    assert len([o for o in _operations() if o[1] in WRITES]) > 60


@pytest.mark.parametrize("process", ["gateway", "declaration", "rules", "review", "identity"])
def test_every_error_response_names_its_codes(process):
    missing = []
    for proc, method, path, op in _operations():
        if proc != process or path.startswith(OAUTH_SHAPED):
            continue
        for status, response in op.get("responses", {}).items():
            if not status.isdigit() or int(status) < 400:
                continue
            codes = response.get("x-error-codes")
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            refs = [s["$ref"] for s in schema.get("oneOf", [schema]) if "$ref" in s]
            if not codes or len(refs) != len(codes):
                missing.append(f"{method.upper()} {path} {status}")
    assert not missing, "error responses without their codes:\n" + "\n".join(missing)


def test_a_required_header_is_a_declared_428_and_a_428_names_its_header():
    """Required in the document ⇔ its 428 is declared, except where a 428 depends on the
    request (a first score sheet needs no If-Match, a change does): the header is then listed,
    optional, beside the 428."""
    wrong = []
    for proc, method, path, op in _operations():
        codes = op.get("responses", {}).get("428", {}).get("x-error-codes", [])
        headers = {
            p["name"]: p.get("required", False)
            for p in op.get("parameters", [])
            if p.get("in") == "header"
        }
        for code, header in REQUIRED_BY_428.items():
            if headers.get(header) and code not in codes:
                wrong.append(f"{proc} {method.upper()} {path}: {header} required, no 428 {code}")
            if code in codes and header not in headers:
                wrong.append(f"{proc} {method.upper()} {path}: 428 {code} without {header}")
    assert not wrong, "\n".join(wrong)


# Writes that need neither: they compute an answer and change nothing, or store only what the
# same request would store again (a pre-check's last result, a list opened by its natural key).
SAME_ANSWER_AGAIN = {
    ("declaration", "post", "/v1/declarations/{declaration_id}/precheck"),
    ("rules", "post", "/v1/evaluations"),
    ("rules", "post", "/v1/evaluations/batch"),
    ("rules", "post", "/v1/evaluations/compare"),
    ("rules", "post", "/v1/campaigns/{campaign}/quotas/usage"),
    ("review", "put", "/v1/recommendation-lists/{campaign}/{tier}/{unit}"),
    ("review", "post", "/v1/national/cases/{declaration_id}/conflict-check"),
}

# Sign-in steps, where a retry is by design a new attempt, not a replay: each sign-in counts
# toward the lockout and opens its own session, a refresh token presented twice is a reuse
# (RFC 9700 §4.14.2: the family is revoked), a logout is idempotent by state, an enrolment
# replaces an unconfirmed seed, a confirmation spends a one-time token.
SIGN_IN_STEPS = {
    ("identity", "post", "/v1/sessions"),
    ("identity", "post", "/v1/sessions/refresh"),
    ("identity", "post", "/v1/sessions/logout"),
    ("identity", "post", "/v1/mfa/totp/enrol"),
    ("identity", "post", "/v1/mfa/totp/confirm"),
}


def test_every_write_takes_an_idempotency_key_or_if_match():
    """A retried write must not act twice: it takes an Idempotency-Key (a create, a step) or
    an If-Match (an edit). The internal routes, the issuer's endpoints, the proxy and outbox
    replays (idempotent by state) and the OAuth2 token endpoint (RFC 6749: a token request is
    not keyed; each answers a fresh token) are outside; the rest are named in
    `SAME_ANSWER_AGAIN` and `SIGN_IN_STEPS`."""
    exempt_prefixes = (
        "/internal/",
        "/auth/",
        "/oauth/",
        "/graphql",
        "/api/{service}",
        "/v1/outbox/",
    )
    unkeyed = []
    for proc, method, path, op in _operations():
        if method not in WRITES or path.startswith(exempt_prefixes):
            continue
        if (proc, method, path) in SAME_ANSWER_AGAIN | SIGN_IN_STEPS:
            continue
        names = {p["name"] for p in op.get("parameters", []) if p.get("in") == "header"}
        if not names & {"Idempotency-Key", "If-Match"}:
            unkeyed.append(f"{proc} {method.upper()} {path}")
    assert not unkeyed, "writes without Idempotency-Key or If-Match:\n" + "\n".join(unkeyed)
