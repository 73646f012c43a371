"""Cross-service fixtures: the real processes on free ports against a real database."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ladder.kit.tokens import SigningKey, generate_private_key_pem
from tools import testdb
from tools.migrate import upgrade_all
from tools.seed import seed_all
from tools.stack import Stack

# The demo accounts' password (`ladder.identity.seed`): never in a log line.
DEV_PASSWORD = "ladder-demo-2026"

# A webhook schedule short enough for a test to see a dead letter (the default is 30
# attempts, backing off to an hour): every test stack's review service runs with it.
WEBHOOK_MAX_ATTEMPTS = 6
WEBHOOK_SCHEDULE = {
    "LADDER_WEBHOOK_MAX_ATTEMPTS": str(WEBHOOK_MAX_ATTEMPTS),
    "LADDER_WEBHOOK_MAX_BACKOFF_SECONDS": "1",
}


@contextlib.contextmanager
def running_stack(
    pg_server: str,
    home: Path,
    *,
    reference_only: bool = False,
    secrets: list[str] | None = None,
    **extra_env: str,
) -> Iterator[Stack]:
    """Gateway + the services as separate uvicorn processes on a fresh database, seeded
    like `make run` (or, `reference_only`, like a real deployment: no demo campaign,
    enterprises or sample tables); stopped and dropped afterwards. `secrets` is a list the
    caller may add to while the stack runs (passwords, client secrets, TOTP seeds, refresh
    tokens it handled): none may appear in a log line."""
    url = asyncio.run(testdb.create_database(pg_server, prefix="ladder_e2e"))
    upgrade_all(url)
    asyncio.run(seed_all(url, reference_only=reference_only))
    key_file = home / "signing-key.pem"
    key_file.write_bytes(generate_private_key_pem())
    running = Stack(
        database_url=url,
        key_file=key_file,
        environment="dev",
        log_dir=home / "logs",
        extra_env={**WEBHOOK_SCHEDULE, **extra_env},
    )
    try:
        running.start_all()
        with httpx.Client(base_url=running.url("gateway"), timeout=20.0) as gateway:
            if not reference_only:
                recognise_demo_enterprises(gateway, SigningKey.from_file(key_file))
        yield running
    finally:
        running.stop_all()
        asyncio.run(testdb.drop_database(url))
    # Every cross-service run ends by reading what its processes logged (issue 11).
    found = log_leaks(
        home / "logs",
        [*running.log_secrets, DEV_PASSWORD, *(secrets or [])],
    )
    assert not found, "personal data, tokens, secrets or NUL traces in the logs:\n" + "\n".join(
        found[:20]
    )


# What no log line of any process may carry.
LEAKS = {
    "mobile number": re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])"),
    "bearer token": re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"),
    # A route answered an error code it does not declare (ladder.kit.errors.check_declared).
    "undeclared error code": re.compile(r"undeclared error code"),
    "NUL": re.compile(r"\x00|\\u0000|invalid byte sequence|surrogates not allowed"),
}


def log_leaks(log_dir: Path, secrets: list[str]) -> list[str]:
    """`file:line: what` for every log line that carries what it must not."""
    found = []
    for path in sorted(log_dir.glob("*.log")) if log_dir.exists() else []:
        for number, line in enumerate(path.read_text("utf-8", "replace").splitlines(), 1):
            kinds = [name for name, pattern in LEAKS.items() if pattern.search(line)]
            kinds += ["secret" for s in secrets if s and s in line]
            if kinds:
                found.append(f"{path.name}:{number}: {', '.join(kinds)}: {line[:200]}")
    return found


@pytest.fixture(scope="session")
def stack(pg_server: str, tmp_path_factory: pytest.TempPathFactory):
    """The shared stack: its clocks are the system's."""
    with running_stack(pg_server, tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(scope="module")
def travel_stack(pg_server: str, tmp_path_factory: pytest.TempPathFactory):
    """A stack of its own for a module that moves time (公示 periods, the 2-year cultivation):
    its services' clocks move forward with `advance(stack, service, seconds)`."""
    with running_stack(
        pg_server, tmp_path_factory.mktemp("travel"), LADDER_CLOCK_CONTROL="true"
    ) as running:
        yield running


@pytest.fixture(scope="module")
def deployment_stack(pg_server: str, tmp_path_factory: pytest.TempPathFactory):
    """A stack seeded as the migration Job seeds a real deployment (`--reference-only`): the
    2025 campaign and nothing made up, so a test can make a year through the API alone."""
    with running_stack(
        pg_server, tmp_path_factory.mktemp("deployment"), reference_only=True
    ) as running:
        yield running


@pytest.fixture
def travel_gateway(travel_stack: Stack):
    with httpx.Client(base_url=travel_stack.url("gateway"), timeout=20.0) as client:
        yield client


def service_headers(stack: Stack, client_id: str = "review") -> dict[str, str]:
    """A service's token (its own client credentials at the identity service), for the
    /internal/* routes the tests call directly: the gateway does not proxy them, and people may
    not call them."""
    resp = httpx.post(
        stack.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": stack.service_secrets[client_id],
        },
        timeout=10.0,
    )
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def advance(stack: Stack, service: str, seconds: float) -> None:
    """Move one service's clock forward (its `/internal/clock`, called directly)."""
    resp = httpx.post(
        f"{stack.url(service)}/internal/clock",
        json={"advance_seconds": seconds},
        headers=service_headers(stack),
        timeout=10.0,
    )
    assert resp.status_code == 200, resp.text


@pytest.fixture(scope="session")
def signing_key(stack: Stack) -> SigningKey:
    """The gateway's own key, to mint tokens the tests need (expired ones, say)."""
    return SigningKey.from_file(stack.key_file)


@pytest.fixture
def gateway(stack: Stack):
    with httpx.Client(base_url=stack.url("gateway"), timeout=20.0) as client:
        yield client


def dev_token(gateway: httpx.Client, username: str) -> dict[str, str]:
    """A demo user's token from the gateway's `/auth/dev-token`. The gateway limits `/auth/*`
    to 30 requests a minute per client, which a module asking for many users' tokens can
    reach: a 429 is waited out as its `Retry-After` says, like any client would."""
    for _ in range(90):
        resp = gateway.post("/auth/dev-token", json={"username": username})
        if resp.status_code != 429:
            break
        time.sleep(float(resp.headers.get("Retry-After", "1")))
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def client_token(gateway: httpx.Client, client_id: str, client_secret: str) -> dict[str, str]:
    """A machine client's token from the identity service's token endpoint, through the
    gateway. The endpoint is one of `/auth/*`'s kind for the gateway (limited per client
    address), so a 429 is waited out as its `Retry-After` says, as in `dev_token`."""
    for _ in range(90):
        resp = gateway.post(
            "/api/identity/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, client_secret),
        )
        if resp.status_code != 429:
            break
        time.sleep(float(resp.headers.get("Retry-After", "1")))
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


# The seeded demo enterprises (tools' seed): USCC, and the region and name of their factory.
DEMO_FACTORY_OF = {
    "enterprise": ("91350102MA2Y00001E", "350102", "高端装备智能工厂"),
    "enterprise-sh": ("91310115MA1H000024", "310115", "精密部件数字化工厂"),
    "enterprise-soe": ("91350105MA2Y000030", "350105", "船舶装备智能工厂"),
}


# Demo data for the cross-service tests (not official): the seeded enterprises' earlier
# recognitions, so that their 先进级, 卓越级 and 领航级 declarations meet the prerequisite the
# rules service judges on the register (认定记录, issue 14). Each files a 基础级 self-assessment
# of the enterprise as a whole (it backs every factory of the enterprise), and the ministry
# imports a 2024 先进级 and 卓越级 list naming their demo factory (a factory made by
# `new_factory` has that name, so the entries back it too).
DEMO_LISTS_2024 = "演示数据：2024年度先进级、卓越级名单（测试用，非官方）"
_ATTESTED = [
    "above_scale", "competitive", "sound_finances", "no_bad_credit", "no_major_accident",
    "no_violations", "secure_controllable", "security_risks_controlled", "organisation", "talent",
]  # fmt: skip
DEMO_ENTERPRISE_NAME = {
    "enterprise": "福州示范智能装备有限公司",
    "enterprise-sh": "上海示范精密制造有限公司",
    "enterprise-soe": "福州示范船舶装备有限公司",
}


def minted(key: SigningKey, sub: str, role: str, **claims: str) -> dict[str, str]:
    """Headers with a token minted by the gateway's key: what a dev token carries, without
    spending the gateway's `/auth/*` rate limit (the shared stack's tests already use it)."""
    token = key.mint(
        {"sub": sub, "name": sub, "role": role, **claims},
        issuer="ladder-gateway",
        audience="ladder",
    )
    return {"Authorization": f"Bearer {token}"}


def self_assess(gateway: httpx.Client, key: SigningKey, user: str) -> dict:
    """A 基础级 self-assessment (eligible, campaign 2026) of the demo enterprise `user`, of the
    enterprise as a whole."""
    uscc, region, _ = DEMO_FACTORY_OF[user]
    body = {
        "campaign_year": 2026,
        "enterprise_name": DEMO_ENTERPRISE_NAME[user],
        "region_code": region,
        "cmmm_level": 2,
        "segments": [{"segment": "生产作业", "built": "在线智能检测"}],
        "attestations": dict.fromkeys(_ATTESTED, True),
        "kpis": {"productivity_gain": 15.0},
    }
    headers = minted(key, f"demo:{user}", "enterprise", org=uscc, region=region)
    resp = gateway.post(
        "/api/declaration/v1/self-assessments",
        json=body,
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert resp.status_code in (200, 201) and resp.json()["outcome"] == "eligible", resp.text
    return resp.json()


def import_recognitions(
    gateway: httpx.Client, headers: dict[str, str], rows: list[dict], document_number: str
) -> httpx.Response:
    """POST an earlier year's recognised list (JSON) with `headers` (the ministry's, or a
    province's)."""
    return gateway.post(
        "/api/declaration/v1/recognitions/imports",
        json={"document_number": document_number, "rows": rows},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )


def recognise_demo_enterprises(gateway: httpx.Client, key: SigningKey) -> None:
    rows = []
    for user, (uscc, region, factory) in DEMO_FACTORY_OF.items():
        self_assess(gateway, key, user)
        rows += [
            {"uscc": uscc, "enterprise_name": DEMO_ENTERPRISE_NAME[user], "factory_name": factory,
             "region_code": region, "tier": tier, "year": 2024}
            for tier in ("advanced", "excellence")
        ]  # fmt: skip
    resp = import_recognitions(
        gateway, minted(key, "demo:ministry", "ministry"), rows, DEMO_LISTS_2024
    )
    assert resp.status_code == 201, resp.text


def new_factory(
    gateway: httpx.Client,
    headers: dict[str, str],
    user: str = "enterprise",
    region: str | None = None,
) -> str:
    """A new factory of the demo enterprise `user`, where its seeded one is (or in `region`):
    a factory has one live declaration per campaign and tier (`declarations/coexistence.py`),
    so a test that declares gets a factory of its own. Its id."""
    uscc, seeded_region, name = DEMO_FACTORY_OF[user]
    region = region or seeded_region
    resp = gateway.post(
        f"/api/declaration/v1/enterprises/{uscc}/factories",
        json={"name": name, "region_code": region},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


async def new_factories(
    client: httpx.AsyncClient, headers: dict[str, str], n: int, user: str = "enterprise"
) -> list[str]:
    """`n` new factories of the demo enterprise `user` (see `new_factory`), made before a
    load so each of its declarations has its own."""
    uscc, region, name = DEMO_FACTORY_OF[user]
    made = []
    for i in range(n):
        resp = await client.post(
            f"/api/declaration/v1/enterprises/{uscc}/factories",
            json={"name": f"{name}{i + 1}", "region_code": region},
            headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert resp.status_code == 201, resp.text
        made.append(resp.json()["id"])
    return made
