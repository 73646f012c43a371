"""A hung rules service does not hold up the declaration service's reads (issue 12, item 6).

Real processes. The rules process is stopped with SIGSTOP, several submissions are started and
left hanging in their rules call (their requests seen waiting, unread, in the rules process's
sockets), and then unrelated reads of the declaration service must answer 200 while every one
of those submissions is still pending: an ordering assertion, not a timing one. Before the
fix, each pending submit held a pooled connection and its row lock across the rules call, so
with the pool used up the reads queued behind the hung rules service. The declaration service
runs with a pool of 3 here so that a handful of submissions is enough to show it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import new_factories, running_stack
from tests.e2e.test_thread import DEMO_YEAR, FACTS

pytestmark = pytest.mark.crossservice

POOL = 3
SUBMITS = 4
# The declaration service's bound on a rules evaluation, short to keep the test short; long
# enough that the reads come back well inside it.
RULES_WAIT_SECONDS = 6
URL = "/api/declaration/v1/declarations"


def _unread_requests(port: int) -> int:
    """Connections to `port` on loopback holding bytes the (stopped) process has not read:
    requests that reached the rules service and wait for it."""
    waiting = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table) as f:
            next(f)
            for line in f:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                rx_queue = int(fields[4].split(":")[1], 16)
                if local_port == port and fields[3] == "01" and rx_queue > 0:
                    waiting += 1
    return waiting


async def _scenario(report, base: str, rules_pid: int, rules_port: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=45.0) as client:
        token = (await client.post("/auth/dev-token", json={"username": "enterprise"})).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        factories = await new_factories(client, auth, SUBMITS + 1)

        async def draft(i: int) -> str:
            resp = await client.post(
                URL,
                json={
                    "factory_id": factories[i],
                    "campaign_year": DEMO_YEAR,
                    "tier": "advanced",
                    "facts": {**FACTS, "summary": f"挂起测试{i}"},
                },
                headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
            )
            assert resp.status_code == 201, resp.text
            return resp.json()["id"]

        ids = [await draft(i) for i in range(SUBMITS + 1)]
        submitted, other = ids[:SUBMITS], ids[SUBMITS]
        finished: list[str] = []

        async def submit(declaration_id: str) -> httpx.Response:
            try:
                return await client.post(
                    f"{URL}/{declaration_id}/submit",
                    headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
                )
            finally:
                finished.append(f"submit {declaration_id}")

        os.kill(rules_pid, signal.SIGSTOP)
        try:
            tasks = [asyncio.create_task(submit(i)) for i in submitted]
            # Wait (bounded) until the submissions are stuck at the stopped rules process.
            give_up = time.monotonic() + 20.0
            while _unread_requests(rules_port) < min(POOL, SUBMITS):
                assert time.monotonic() < give_up, "the submissions never reached the rules"
                assert not any(t.done() for t in tasks), [
                    t.result().text for t in tasks if t.done()
                ]
                await asyncio.sleep(0.05)

            listing = await client.get(URL, headers=auth)
            finished.append("list")
            one = await client.get(f"{URL}/{other}", headers=auth)
            finished.append("get")
            assert listing.status_code == 200, listing.text
            assert one.status_code == 200, one.text
            pending = [t for t in tasks if not t.done()]
            # The reads came back while every submission still waited on the rules.
            assert finished[:2] == ["list", "get"], finished
            assert len(pending) == SUBMITS, finished
        finally:
            os.kill(rules_pid, signal.SIGCONT)
        answers = await asyncio.gather(*tasks)

        # Nothing half-written: a submission answered 200 froze exactly one version; any other
        # answer is a clean 5xx in the envelope and left the draft a draft with no version.
        counts = {"ok": 0, "unavailable": 0}
        for declaration_id, answer in zip(submitted, answers, strict=True):
            stored = (await client.get(f"{URL}/{declaration_id}", headers=auth)).json()
            versions = (await client.get(f"{URL}/{declaration_id}/versions", headers=auth)).json()
            if answer.status_code == 200:
                counts["ok"] += 1
                assert stored["status"] == "submitted", stored
                assert len(versions) == 1, versions
            else:
                counts["unavailable"] += 1
                assert answer.status_code in (502, 503), answer.text
                assert "error" in answer.json(), answer.text
                assert stored["status"] == "draft", stored
                assert versions == [], versions

        # Still hung when the bound runs out: a clean 503 `rules_unavailable` with Retry-After
        # (safe to retry with the same key), and the draft left as it was.
        late = ids[SUBMITS]
        os.kill(rules_pid, signal.SIGSTOP)
        try:
            refused = await client.post(
                f"{URL}/{late}/submit", headers={**auth, "Idempotency-Key": uuid.uuid4().hex}
            )
        finally:
            os.kill(rules_pid, signal.SIGCONT)
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"]["code"] == "rules_unavailable", refused.text
        assert refused.headers["retry-after"].isdigit(), refused.headers
        assert (await client.get(f"{URL}/{late}", headers=auth)).json()["status"] == "draft"
        report(
            f"rules hang: {SUBMITS} submits pending, reads answered first; answers {counts}; "
            "a submit past the bound: 503 rules_unavailable"
        )


def test_reads_do_not_wait_on_a_hung_rules_service(pg_server: str, tmp_path: Path, report) -> None:
    with running_stack(
        pg_server,
        tmp_path,
        LADDER_DB_POOL_SIZE=str(POOL),
        LADDER_DB_MAX_OVERFLOW="0",
        LADDER_RULES_EVALUATION_TIMEOUT_SECONDS=str(RULES_WAIT_SECONDS),
    ) as stack:
        rules = stack.procs["rules"]
        asyncio.run(_scenario(report, stack.url("gateway"), rules.pid, stack.ports["rules"]))
