"""What every process's OpenAPI says about errors and the write headers (issue 13): each
error response names its codes, one model per code, and a header whose absence is a 428 is
marked required — so a client generated from the document can rely on both."""

from __future__ import annotations

from typing import Any

import pytest

from tests.openapi_checks import (
    WRITES,
    component_problems,
    error_response_problems,
    required_header_problems,
)
from tests.security.apps import openapi_documents

PROCESSES = ["gateway", "declaration", "rules", "review", "identity"]


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


@pytest.mark.parametrize("process", PROCESSES)
def test_every_error_response_is_the_envelope_naming_its_codes(process):
    """4xx and 5xx alike: the envelope, one model per code with `code` fixed, the codes in
    `x-error-codes` (422 too: never FastAPI's `HTTPValidationError`)."""
    problems = error_response_problems(openapi_documents()[process])
    assert not problems, "error responses without the envelope of their codes:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("process", PROCESSES)
def test_components_resolve_and_have_distinct_titles(process):
    """No FastAPI validation models left; no module-path names (`ladder__review__…`); one
    title per component, or a generator drops the second class of a name."""
    doc = openapi_documents()[process]
    problems = component_problems(doc)
    problems += [n for n in doc["components"]["schemas"] if "__" in n]
    assert not problems, "\n".join(problems)


def test_a_required_header_is_a_declared_428_and_a_428_names_its_header():
    """Required in the document ⇔ its 428 is declared, except where a 428 depends on the
    request (a first score sheet needs no If-Match, a change does): the header is then listed,
    optional, beside the 428."""
    wrong = [
        p for name, doc in openapi_documents().items() for p in required_header_problems(doc, name)
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("process", PROCESSES)
def test_a_route_that_needs_a_token_names_the_bearer_scheme(process):
    doc = openapi_documents()[process]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    secured = [(m, p, op) for p, ops in doc["paths"].items() for m, op in ops.items()
               if "security" in op]  # fmt: skip
    for method, path, op in secured:
        assert op["security"] == [{"bearer": []}], (method, path)
        assert "unauthenticated" in op["responses"]["401"]["x-error-codes"], (method, path)
    if process != "gateway":  # the gateway's routes are public or check tokens themselves
        assert secured


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
