"""schemathesis over every service's OpenAPI, through the gateway, against real processes
(issue 12, the fault suite).

For each operation of each service's document (`/api/<service>/openapi.json`, read through
the gateway as a client would), hypothesis generates requests from the schema and sends them
through the gateway with a valid token of a role that may use the service, a fresh
`Idempotency-Key` where the operation takes one and `If-Match: *` where it takes that. Every
answer is checked: never a 5xx (`not_a_server_error`), and its status documented for the
operation (`status_code_conformance`). The counts — operations, calls, server errors,
undocumented statuses — and each process's RSS before and after go into the run's figures.

`make test` runs a few examples per operation (`LADDER_FUZZ_EXAMPLES`, default 4);
`make fuzz` runs many more. Generation is derandomised so a failure reproduces.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, status_code_conformance
from schemathesis.core.failures import FailureGroup

from tests.conftest import running_stack

pytestmark = pytest.mark.crossservice

EXAMPLES = int(os.environ.get("LADDER_FUZZ_EXAMPLES", "4"))
SERVICES = ["declaration", "rules", "review"]
# Who calls each service: the role with the most routes open to it there (others get 403s,
# which are documented answers and exercise less).
ROLE_FOR = {"declaration": "enterprise", "rules": "province", "review": "ministry"}


@pytest.fixture(scope="module")
def fuzz_stack(pg_server: str, tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("fuzz")
    with running_stack(
        pg_server,
        home,
        LADDER_AUTH_RATE_PER_MINUTE="1000000",
        LADDER_PUBLIC_WRITE_RATE_PER_MINUTE="1000000",
    ) as stack:
        yield stack


def _token(gateway: str, username: str) -> str:
    resp = httpx.post(f"{gateway}/auth/dev-token", json={"username": username}, timeout=10)
    resp.raise_for_status()
    return resp.json()["access_token"]


def _operations(gateway: str, service: str) -> list[Any]:
    doc = httpx.get(f"{gateway}/api/{service}/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(doc)
    # Internal routes are never proxied (the gateway answers 404 by design).
    return [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if not op.path.startswith("/internal/")
    ]


def _fuzz_operation(op: Any, base_url: str, token: str, tally: Counter, failures: list) -> None:
    takes = {p.name.lower() for p in op.headers}
    session = requests.Session()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=op.as_strategy())
    def run(case: Any) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        if "idempotency-key" in takes:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        if "if-match" in takes:
            headers["If-Match"] = "*"
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        tally["calls"] += 1
        tally[f"status {response.status_code}"] += 1
        for check, kind in ((not_a_server_error, "server_errors"),
                            (status_code_conformance, "undocumented")):  # fmt: skip
            try:
                case.validate_response(response, checks=[check])
            except FailureGroup as exc:  # a failed check: counted, reported, the test fails
                tally[kind] += 1
                failures.append(
                    f"{kind}: {op.method.upper()} {op.path} → {response.status_code}: "
                    f"{str(exc).splitlines()[0][:200]} | {response.text[:200]}"
                )

    run()


@pytest.mark.parametrize("service", SERVICES)
def test_fuzz_every_operation_through_the_gateway(fuzz_stack, service, report) -> None:
    gateway = fuzz_stack.url("gateway")
    token = _token(gateway, ROLE_FOR[service])
    before = fuzz_stack.rss_mib()
    tally: Counter = Counter()
    failures: list[str] = []
    operations = _operations(gateway, service)
    for op in operations:
        _fuzz_operation(op, f"{gateway}/api/{service}", token, tally, failures)
    after = fuzz_stack.rss_mib()
    statuses = {k: v for k, v in sorted(tally.items()) if k.startswith("status")}
    report(
        f"fuzz {service} (as {ROLE_FOR[service]}, {EXAMPLES} examples/op):"
        f" operations={len(operations)} calls={tally['calls']}"
        f" server_errors={tally['server_errors']} undocumented={tally['undocumented']}"
        f" {statuses}; RSS MiB " + ", ".join(f"{n} {before.get(n)}→{m}" for n, m in after.items())
    )
    for line in failures[:40]:
        report("  " + line)
    Path(os.environ.get("LADDER_FUZZ_REPORT", "/dev/null")).write_text("\n".join(failures))
    assert tally["calls"] >= len(operations)
    assert not failures, f"{len(failures)} failed checks; first: {failures[:5]}"
