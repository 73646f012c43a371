"""The Kubernetes manifests (deploy/k8s) agree with the code: every process of tools/services.py
is deployed with its factory, port, probes and hardening; every setting they pass is one the
process reads, and every setting a process requires is passed; every secret key they use is in
the example Secret. (Rendering and applying need a cluster; this is what can be checked here.)
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from tools.services import GATEWAY, SERVICES, ServiceInfo

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "deploy" / "k8s" / "base"
PROCESSES = [GATEWAY, *SERVICES]


def _docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def _all_base_docs() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    return [d for name in kustomization["resources"] for d in _docs(BASE / name)]


def _find(kind: str, name: str) -> dict[str, Any]:
    found = [d for d in _all_base_docs() if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def _settings_class(info: ServiceInfo) -> type[BaseSettings]:
    if info is GATEWAY:
        return importlib.import_module("ladder.gateway.settings").GatewaySettings
    return importlib.import_module(f"{info.module}.settings").Settings


def _env_names(settings: type[BaseSettings]) -> dict[str, set[str]]:
    """field → the environment names that set it."""
    prefix = settings.model_config.get("env_prefix", "")
    names: dict[str, set[str]] = {}
    for field, info in settings.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names[field] = {str(c).upper() for c in alias.choices}
        else:
            names[field] = {f"{prefix}{field}".upper()}
    return names


def test_the_kustomization_lists_every_manifest_but_the_example_secret():
    listed = set(yaml.safe_load((BASE / "kustomization.yaml").read_text())["resources"])
    present = {p.name for p in BASE.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert listed == present
    overlay = yaml.safe_load((BASE.parent / "overlays/production/kustomization.yaml").read_text())
    for resource in overlay["resources"]:
        assert (BASE.parent / "overlays/production" / resource).exists(), resource


@pytest.mark.parametrize("info", PROCESSES, ids=lambda i: i.name)
def test_each_process_is_deployed_with_its_factory_probes_and_hardening(info):
    deployment = _find("Deployment", info.name)
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    args = container["args"]
    assert args[:3] == ["uvicorn", info.factory, "--factory"]
    assert args[args.index("--port") + 1] == "8000"
    assert container["ports"] == [{"name": "http", "containerPort": 8000}]
    assert container["image"] == "ladder"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert pod["securityContext"]["runAsNonRoot"] is True
    hardening = container["securityContext"]
    assert hardening["readOnlyRootFilesystem"] is True
    assert hardening["allowPrivilegeEscalation"] is False
    assert hardening["capabilities"]["drop"] == ["ALL"]
    assert {"requests", "limits"} <= set(container["resources"])
    assert {m["mountPath"] for m in container["volumeMounts"]} >= {"/tmp"}
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    service = _find("Service", info.name)
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http"}]
    assert (
        _find("PodDisruptionBudget", info.name)["spec"]["selector"]["matchLabels"]
        == (deployment["spec"]["selector"]["matchLabels"])
    )


@pytest.mark.parametrize("info", PROCESSES, ids=lambda i: i.name)
def test_the_settings_passed_are_read_and_the_required_ones_are_passed(info):
    config = _find("ConfigMap", "ladder-config")["data"]
    (container,) = _find("Deployment", info.name)["spec"]["template"]["spec"]["containers"]
    assert container["envFrom"] == [{"configMapRef": {"name": "ladder-config"}}]
    explicit = {e["name"] for e in container["env"]}
    names = _env_names(_settings_class(info))
    readable = set().union(*names.values())
    assert explicit <= readable, f"not read by {info.name}: {explicit - readable}"
    given = explicit | set(config)
    settings = _settings_class(info)
    required = [f for f, field in settings.model_fields.items() if field.is_required()]
    missing = [f for f in required if not names[f] & given]
    assert not missing, f"{info.name} requires {missing}"
    assert config["LADDER_ENVIRONMENT"] == "production"


def test_every_configmap_setting_is_read_by_some_process():
    config = _find("ConfigMap", "ladder-config")["data"]
    readable = set()
    for info in PROCESSES:
        readable |= set().union(*_env_names(_settings_class(info)).values())
    assert set(config) <= readable, set(config) - readable


def test_every_secret_key_used_is_in_the_example_secret():
    (secret,) = _docs(BASE / "secret.example.yaml")
    keys = set(secret["stringData"])
    used = set()
    for doc in _all_base_docs():
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        pod = doc["spec"]["template"]["spec"]
        for container in pod["containers"]:
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] == secret["metadata"]["name"]
                    used.add(ref["key"])
        for volume in pod.get("volumes", []):
            if "secret" in volume:
                used |= {item["key"] for item in volume["secret"]["items"]}
    assert used and used <= keys, used - keys


def test_the_migration_job_migrates_and_loads_reference_data_only():
    job = _find("Job", "ladder-migrate")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    command = " ".join(container["command"])
    assert "python -m tools.migrate upgrade" in command
    assert "python -m tools.seed --reference-only" in command
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY tools ./tools" in dockerfile and "--no-dev" in dockerfile


def test_only_the_gateway_is_reachable_from_outside_the_namespace():
    policies = {d["metadata"]["name"]: d for d in _all_base_docs() if d["kind"] == "NetworkPolicy"}
    assert policies["default-deny-ingress"]["spec"]["podSelector"] == {}
    (expression,) = policies["services-from-the-namespace"]["spec"]["podSelector"][
        "matchExpressions"
    ]
    assert sorted(expression["values"]) == sorted(s.name for s in SERVICES)
    (rule,) = policies["services-from-the-namespace"]["spec"]["ingress"]
    assert rule["from"] == [{"podSelector": {}}]


def test_forwarded_headers_are_believed_only_where_the_sender_is_known():
    """The gateway computes the client from its trusted proxies (so uvicorn must not rewrite
    the peer from a header anyone can write); the services trust the single hop the gateway
    writes, and only pods of the namespace can reach them."""
    (gateway,) = _find("Deployment", "gateway")["spec"]["template"]["spec"]["containers"]
    assert "--no-proxy-headers" in gateway["args"]
    assert "--forwarded-allow-ips" not in gateway["args"]
    config = _find("ConfigMap", "ladder-config")["data"]
    assert yaml.safe_load(config["LADDER_TRUSTED_PROXIES"])
    for info in SERVICES:
        (container,) = _find("Deployment", info.name)["spec"]["template"]["spec"]["containers"]
        args = container["args"]
        assert args[args.index("--forwarded-allow-ips") + 1] == "*"


def test_the_gateway_allows_no_browser_origin_until_one_is_set():
    """CORS (`ladder.gateway.cors`): production says so explicitly, an empty list, rather
    than leaving it to the default; whoever deploys the portal names its origin there."""
    (gateway,) = _find("Deployment", "gateway")["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in gateway["env"]}
    assert yaml.safe_load(env["LADDER_CORS_ORIGINS"]) == []
    settings = _settings_class(GATEWAY)(
        environment="production",
        external_jwks_url="http://identity/.well-known/jwks.json",
        cors_origins=yaml.safe_load(env["LADDER_CORS_ORIGINS"]),
    )
    assert settings.cors_allowed_origins == ()
