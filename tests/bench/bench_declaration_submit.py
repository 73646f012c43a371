"""Declarations: submissions per second through the gateway, with the rules check.

Real processes (gateway, declaration, rules, review; one uvicorn worker each) on a fresh
database. Drafts of the 先进级 short form are created first (not timed); then they are
submitted concurrently through the gateway: each submission locks its row, checks the
campaign deadline, asks the rules service over HTTP, freezes a version with its fingerprint
and queues the event in the outbox, in one transaction; the relays carry the events to the
review service and its answer back while the load runs. Targets: ≥ 300 submissions/s with
p99 ≤ 300 ms on this machine.

Baseline, in the same run: the same client at the same concurrency sending a request the
gateway verifies and proxies to the declaration service, which answers at once (`/healthz`).
The ratio is how much of that floor a whole submission keeps. The CPU each process spent per
submission (from /proc) says where the time goes; "the rest" is PostgreSQL and the kernel.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx
from httpx_aiohttp import AiohttpTransport

from tests.bench.stack import bench_stack
from tests.conftest import new_factories

DRAFTS = 1200
WARM_UP = 100
BASELINE_REQUESTS = 2000
CONCURRENCY = 24
DEMO_YEAR = 2026
ATTESTED = [
    "above_scale", "competitive", "sound_finances", "no_bad_credit", "no_major_accident",
    "no_violations", "secure_controllable", "security_risks_controlled", "organisation", "talent",
]  # fmt: skip
FACTS = {
    "cmmm_level": 3,
    "segments": ["生产作业", "生产管理", "运营管理"],
    "recognised_tier": "basic",
    "attestations": dict.fromkeys(ATTESTED, True),
}
_TICK = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def _machine_cpu() -> float:
    """Busy CPU seconds of the whole machine."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / _TICK


async def _load(
    n: int, send: Callable[[int], Awaitable[None]], gate: asyncio.Semaphore
) -> tuple[float, list[float]]:
    """Run `send(i)` for i < n, CONCURRENCY at a time: (elapsed seconds, latencies)."""
    latencies: list[float] = []

    async def one(i: int) -> None:
        async with gate:
            started = time.perf_counter()
            await send(i)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return time.perf_counter() - started, latencies


async def _run(base: str, pids: dict[str, int]) -> None:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    # The client is part of what the machine runs, so it uses the same transport the
    # services use between themselves (aiohttp's pool under the httpx API).
    transport = AiohttpTransport(limits=limits)
    async with httpx.AsyncClient(base_url=base, timeout=30.0, transport=transport) as client:
        token = (await client.post("/auth/dev-token", json={"username": "enterprise"})).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        url = "/api/declaration/v1/declarations"
        gate = asyncio.Semaphore(CONCURRENCY)
        # One declaration per factory and tier (declarations/coexistence.py): a factory each.
        factories = await new_factories(client, auth, DRAFTS)

        async def create(i: int) -> str:
            async with gate:
                resp = await client.post(
                    url,
                    json={
                        "factory_id": factories[i],
                        "campaign_year": DEMO_YEAR,
                        "tier": "advanced",
                        "facts": {**FACTS, "summary": f"草稿{i}"},
                    },
                    headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
                )
                assert resp.status_code == 201, resp.text
                return resp.json()["id"]

        ids = await asyncio.gather(*(create(i) for i in range(DRAFTS)))

        async def floor(_: int) -> None:
            resp = await client.get("/api/declaration/healthz", headers=auth)
            assert resp.status_code == 200, resp.text

        async def submit(i: int) -> None:
            resp = await client.post(
                f"{url}/{ids[i]}/submit", headers={**auth, "Idempotency-Key": uuid.uuid4().hex}
            )
            assert resp.status_code == 200, resp.text

        # Warm-ups, so connection set-up and first-call costs are not counted.
        await _load(200, floor, gate)
        base_elapsed, _ = await _load(BASELINE_REQUESTS, floor, gate)
        baseline = BASELINE_REQUESTS / base_elapsed
        await _load(WARM_UP, submit, gate)
        await asyncio.sleep(2)  # let the warm-up's events drain

        timed = DRAFTS - WARM_UP
        cpu_before = {name: _process_cpu(pid) for name, pid in pids.items()}
        machine_before, own_before = _machine_cpu(), time.process_time()
        elapsed, latencies = await _load(timed, lambda i: submit(WARM_UP + i), gate)
        own = time.process_time() - own_before
        await asyncio.sleep(3)  # the events the load queued are part of its cost
        cpu = {name: _process_cpu(pid) - cpu_before[name] for name, pid in pids.items()}
        machine = _machine_cpu() - machine_before

        rate = timed / elapsed
        cuts = statistics.quantiles(latencies, n=100)
        print(
            f"   baseline (proxied no-op through the gateway): {baseline:,.0f} requests/s, "
            f"{CONCURRENCY} at a time"
        )
        print(
            f"   {timed:,} submissions through the gateway, {CONCURRENCY} at a time: "
            f"{rate:,.0f}/s (target >= 300; ratio to baseline {rate / baseline:.2f})"
        )
        print(
            f"   latency p50 {cuts[49] * 1000:.0f} ms, p99 {cuts[98] * 1000:.0f} ms "
            f"(target p99 <= 300), max {max(latencies) * 1000:.0f} ms"
        )
        rest = machine - sum(cpu.values()) - own
        shares = [*cpu.items(), ("bench client", own), ("the rest", rest)]
        print(
            "   CPU per submission: "
            + ", ".join(f"{name} {seconds / timed * 1000:.1f} ms" for name, seconds in shares)
            + f"; total {machine / timed * 1000:.1f} ms on {os.cpu_count()} cores"
        )


def main() -> None:
    with bench_stack() as (stack, _):
        pids = {name: proc.pid for name, proc in stack.procs.items()}
        asyncio.run(_run(stack.url("gateway"), pids))


if __name__ == "__main__":
    main()
