"""Issue 17 acceptance, with the real processes: the gateway's `/openapi.json` is the whole API
(the gateway's routes and each service's under `/api/<service>/`, nothing internal), every
write that answers 428 marks its header required, every error answer is the envelope with its
codes — and a client generated from it by openapi-python-client builds, imports and talks to
the gateway: `/v1/me` for a person, a machine client and no one."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import dev_token
from tests.e2e.test_list_push import machine_client
from tests.openapi_checks import (
    component_problems,
    error_response_problems,
    operations,
    required_header_problems,
)

pytestmark = pytest.mark.crossservice
SERVICES = ("declaration", "rules", "review", "identity")
PACKAGE = "ladder_api"


@pytest.fixture(scope="module")
def merged(stack) -> dict[str, Any]:
    resp = httpx.get(f"{stack.url('gateway')}/openapi.json", timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_the_document_is_the_whole_api(merged, stack):
    parts = merged["info"]["x-ladder-parts"]
    assert {n for n, p in parts.items() if p["included"]} == {"gateway", *SERVICES}, parts
    for name in SERVICES:
        own = httpx.get(f"{stack.url(name)}/openapi.json", timeout=10).json()["paths"]
        public = {f"/api/{name}{p}" for p in own if not p.startswith("/internal/")}
        assert public == {p for p in merged["paths"] if p.startswith(f"/api/{name}/")}, name
    assert {"/v1/me", "/graphql", "/healthz", "/.well-known/jwks.json"} <= set(merged["paths"])
    assert not [p for p in merged["paths"] if "/internal/" in p or p.startswith("/api/{")]
    ops = list(operations(merged))
    ids = [op["operationId"] for _, _, op in ops]
    assert len(ids) == len(set(ids))
    assert {op["x-ladder-service"] for _, _, op in ops} == {"gateway", *SERVICES}
    assert merged["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_every_write_that_answers_428_marks_its_header_required(merged):
    problems = required_header_problems(merged)
    assert not problems, "\n".join(problems)
    required = [
        (method, path)
        for method, path, op in operations(merged)
        for p in op.get("parameters", [])
        if p.get("in") == "header" and p["name"] in ("Idempotency-Key", "If-Match")
        if p.get("required")
    ]
    assert len(required) > 60


def test_every_error_answer_is_the_envelope_naming_its_codes(merged):
    problems = error_response_problems(merged) + component_problems(merged)
    assert not problems, "\n".join(problems)
    me = merged["paths"]["/v1/me"]["get"]["responses"]
    assert me["401"]["x-error-codes"] == ["unauthenticated"]
    push = merged["paths"]["/api/review/v1/recommendation-lists/{campaign}/{tier}/{unit}/ranked"]
    assert "list_push_invalid" in push["put"]["responses"]["422"]["x-error-codes"]


def _generate(document: dict[str, Any], where: Path) -> Path:
    (where / "openapi.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    (where / "config.yaml").write_text(f"package_name_override: {PACKAGE}\n", "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none",
         "--path", str(where / "openapi.json"), "--config", str(where / "config.yaml"),
         "--output-path", str(where / PACKAGE)],
        capture_output=True, text=True, timeout=300, cwd=where, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    # Only the bodies it cannot type (PDF, XLSX, CSV) may be warned about.
    warned = [line for line in done.stdout.splitlines() if line.startswith("WARNING parsing")]
    assert len(warned) < 10, done.stdout
    return where / PACKAGE


def _call(package: str, op_id: str) -> Any:
    """The generated module of an operation, wherever its tag put it."""
    api = importlib.import_module(f"{package}.api")
    for info in pkgutil.walk_packages(api.__path__, f"{package}.api."):
        if info.name.endswith("." + op_id):
            return importlib.import_module(info.name)
    raise AssertionError(f"no generated module for {op_id}")


def test_a_generated_client_builds_imports_and_talks_to_the_gateway(
    merged, stack, gateway, tmp_path, monkeypatch
):
    _generate(merged, tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    package = importlib.import_module(PACKAGE)
    modules = [importlib.import_module(i.name)
               for i in pkgutil.walk_packages(package.__path__, f"{PACKAGE}.")]  # fmt: skip
    assert len(modules) > 500

    ids = {(method, path): op["operationId"] for method, path, op in operations(merged)}
    # A header the document requires is a required argument of the generated function.
    subscribe = _call(PACKAGE, ids[("post", "/api/review/v1/webhooks/subscriptions")])
    key = inspect.signature(subscribe.sync_detailed).parameters["idempotency_key"]
    assert key.default is inspect.Parameter.empty

    me = _call(PACKAGE, ids[("get", "/v1/me")])
    base = stack.url("gateway")
    county = dev_token(gateway, "county")["Authorization"].removeprefix("Bearer ")
    with package.AuthenticatedClient(base_url=base, token=county) as client:
        answer = me.sync_detailed(client=client)
    assert answer.status_code == 200, answer.content
    person = answer.parsed
    assert person.kind.value == "person" and person.role.value == "county"
    assert person.account.username == "county" and person.organisation.kind == "unit"
    assert "give_opinions" in {c.name for c in person.capabilities}

    client_headers = machine_client(gateway, "province", "issue 17: generated client")
    token = client_headers["Authorization"].removeprefix("Bearer ")
    with package.AuthenticatedClient(base_url=base, token=token) as client:
        platform = me.sync_detailed(client=client).parsed
    assert platform.kind.value == "machine_client" and platform.account is None
    assert platform.client.name == "issue 17: generated client"
    assert platform.jurisdiction.unit.name == "福建省工业和信息化厅"
    assert {"push_ranked_lists", "subscribe_webhooks"} <= {c.name for c in platform.capabilities}
    assert "manage_users" not in {c.name for c in platform.capabilities}

    with package.Client(base_url=base) as client:
        refused = me.sync_detailed(client=client)
    assert refused.status_code == 401
    assert type(refused.parsed).__name__ == "UnauthenticatedError"
    assert refused.parsed.error.code.value == "unauthenticated"
