"""Gateway: a service's throughput directly and through the gateway, side by side (wrk -c50).

Real processes (gateway, identity, declaration, rules, review; one uvicorn worker each) on a
fresh database. The same client and concurrency for both (wrk, 2 threads, 50 connections,
`SECONDS` each), direct and through-gateway runs alternating, `ROUNDS` rounds (the order
flips every round, so a drift of the machine's load favours neither); the medians and their
ratio (through / direct, target ≥ 0.50) are printed for

- `/healthz` of the rules service, directly vs `/api/rules/healthz` — the hop alone;
- an authenticated read, `GET /v1/editions` of the rules service with a bearer token,
  directly vs `/api/rules/v1/editions` (the gateway verifies the token too).

Then the GraphQL list latency: 40 卓越级 declarations carried up the Fujian chain (as
`bench_list_push` builds them), Fujian's province reads its inbox as the portal would —
`inbox(first: 100)` with each case's declaration, latest pre-check and enterprise (one query,
the gateway's loaders batching the nested reads) — beside the REST inbox page of the same
cases (`/api/review/v1/inbox?page_size=100`, the cases alone), sequentially, p50/p99.

With each median, the CPU time per request of the gateway and of the service over the runs
(Linux /proc), which says where the time goes. wrk comes from the Debian package: missing,
it is installed with apt-get when the bench runs as root; when it cannot be, the bench says
why and measures with a Python client (aiohttp, 50 connections) instead, whose own CPU cost
weighs on both figures. The figures are reported, never asserted.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from tests.bench.stack import bench_stack
from tools.stack import Stack

ROUNDS = int(os.environ.get("LADDER_BENCH_GATEWAY_ROUNDS", "3"))
SECONDS = int(os.environ.get("LADDER_BENCH_GATEWAY_SECONDS", "4"))
CONNECTIONS = 50
THREADS = 2
TARGET = 0.50
USER = "province"  # any role may read the editions


@dataclass
class Run:
    rate: float  # requests per second
    requests: int
    failed: int  # non-2xx answers and socket errors
    cpu_us: dict[str, float] = field(default_factory=dict)  # process → CPU µs per request


Load = Callable[[str, dict[str, str], int], tuple[float, int, int]]


def _wrk() -> tuple[str | None, str]:
    """(path of wrk or None, what happened)."""
    if shutil.which("wrk"):
        return shutil.which("wrk"), "wrk"
    if not shutil.which("apt-get"):
        return None, "wrk is not installed, and there is no apt-get to install it"
    if os.geteuid() != 0:
        return None, "wrk is not installed, and installing it with apt-get needs root"
    print("   wrk is missing: installing the Debian package (apt-get install -y wrk)")
    failure = _apt("install", "-y", "wrk")
    if failure is not None:  # the package lists may be missing or stale
        failure = _apt("update") or _apt("install", "-y", "wrk")
    if failure is not None:
        return None, f"installing wrk failed ({failure})"
    return shutil.which("wrk"), "wrk (just installed)"


def _apt(*args: str) -> str | None:
    """None when `apt-get args` succeeded, else its last line of output."""
    try:
        done = subprocess.run(["apt-get", *args], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return repr(exc)
    if done.returncode == 0:
        return None
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit status {done.returncode}"


def _wrk_load(wrk: str) -> Load:
    def run(url: str, headers: dict[str, str], seconds: int) -> tuple[float, int, int]:
        args = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s"]
        for name, value in headers.items():
            args += ["-H", f"{name}: {value}"]
        out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
        requests = int(re.search(r"(\d+) requests in", out).group(1))
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        failed = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
        errors = re.search(
            r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
        )
        failed += sum(int(n) for n in errors.groups()) if errors else 0
        return rate, requests, failed

    return run


def _python_load(url: str, headers: dict[str, str], seconds: int) -> tuple[float, int, int]:
    """The fallback: 50 connections of one aiohttp client, each sending as wrk's do."""
    import aiohttp

    async def main() -> tuple[float, int, int]:
        counts = {"ok": 0, "failed": 0}
        connector = aiohttp.TCPConnector(limit=CONNECTIONS)
        async with aiohttp.ClientSession(connector=connector) as session:
            deadline = time.perf_counter() + seconds

            async def worker() -> None:
                while time.perf_counter() < deadline:
                    try:
                        async with session.get(url, headers=headers) as resp:
                            await resp.read()
                            counts["ok" if resp.status < 400 else "failed"] += 1
                    except aiohttp.ClientError:
                        counts["failed"] += 1

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
            elapsed = time.perf_counter() - started
        total = counts["ok"] + counts["failed"]
        return total / elapsed, total, counts["failed"]

    return asyncio.run(main())


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(stack: Stack, load: Load, url: str, headers: dict[str, str], seconds: int) -> Run:
    pids = {name: stack.procs[name].pid for name in ("gateway", "rules")}
    before = {name: _cpu_seconds(pid) for name, pid in pids.items()}
    rate, requests, failed = load(url, headers, seconds)
    after = {name: _cpu_seconds(pid) for name, pid in pids.items()}
    cpu = {n: (after[n] - before[n]) * 1e6 / max(requests, 1) for n in pids}
    return Run(rate, requests, failed, cpu)


def _check(url: str, headers: dict[str, str]) -> None:
    resp = httpx.get(url, headers=headers, timeout=10)
    assert resp.status_code == 200, f"{url}: {resp.status_code} {resp.text[:200]}"


def _summary(runs: list[Run], who: str) -> str:
    rate = statistics.median(r.rate for r in runs)
    cpu = {n: statistics.median(r.cpu_us[n] for r in runs) for n in runs[0].cpu_us}
    spent = f"service {cpu['rules']:.0f} µs"
    if who == "gateway":
        spent = f"gateway {cpu['gateway']:.0f} µs, " + spent
    return f"{rate:>7,.0f} req/s (CPU per request: {spent})"


def main() -> None:
    wrk, how = _wrk()
    if wrk is None:
        print(f"   {how}: measuring with the Python fallback client instead (aiohttp,")
        print("   50 connections; its CPU cost lowers both figures, the hop's share too)")
    load = _wrk_load(wrk) if wrk else _python_load
    client = f"{how}, -t{THREADS} -c{CONNECTIONS}" if wrk else "Python client, 50 connections"
    with bench_stack("ladder_bench_gateway") as (stack, _):
        gateway, rules = stack.url("gateway"), stack.url("rules")
        token = httpx.post(f"{gateway}/auth/dev-token", json={"username": USER}, timeout=10)
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        cases = [
            ("/healthz of the rules service", "/healthz", {}),
            ("GET /v1/editions of the rules service, bearer token", "/v1/editions", bearer),
        ]
        for _, path, headers in cases:
            _check(rules + path, headers)
            _check(f"{gateway}/api/rules{path}", headers)
            for base in (rules + path, f"{gateway}/api/rules{path}"):
                load(base, headers, 1)  # warm-up: pools filled, tokens remembered
        results: dict[str, dict[str, list[Run]]] = {}
        for round_ in range(ROUNDS):
            for name, path, headers in cases:
                targets = [("direct", rules + path), ("gateway", f"{gateway}/api/rules{path}")]
                for who, url in targets if round_ % 2 == 0 else targets[::-1]:
                    run = _measure(stack, load, url, headers, SECONDS)
                    results.setdefault(name, {}).setdefault(who, []).append(run)
        graphql_latency = _graphql_latency(gateway)
    print(f"   {client}, {SECONDS} s a run, {ROUNDS} rounds alternating, medians:")
    for name, by in results.items():
        direct = statistics.median(r.rate for r in by["direct"])
        through = statistics.median(r.rate for r in by["gateway"])
        ratio = through / direct
        rounds = " ".join(
            f"{g.rate / d.rate:.2f}" for d, g in zip(by["direct"], by["gateway"], strict=True)
        )
        failed = sum(r.failed for runs in by.values() for r in runs)
        print(f"   {name}:")
        print(f"     directly           {_summary(by['direct'], 'direct')}")
        print(f"     through the gateway {_summary(by['gateway'], 'gateway')}")
        verdict = "met" if ratio >= TARGET else "NOT met"
        print(
            f"     ratio {ratio:.2f} (per round: {rounds}); target ≥ {TARGET:.2f} {verdict}"
            + (f"; {failed} failed requests (figures not valid)" if failed else "")
        )
    print(graphql_latency)


GRAPHQL_ENTRIES = 40
GRAPHQL_REQUESTS = 40
INBOX_QUERY = """query {
  inbox(first: 100) {
    ... on CaseConnection {
      totalCount
      nodes {
        declarationId status level
        declaration {
          ... on Declaration {
            factoryName
            latestPrecheck { outcome }
            enterprise { ... on Enterprise { name } }
          }
        }
      }
    }
    ... on Error { code }
  }
}"""


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):.0f} ms, p99 {p99:.0f} ms"


def _graphql_latency(gateway: str) -> str:
    """The province's inbox as one GraphQL query, beside the REST page of the same cases."""
    from tests.conftest import dev_token
    from tests.e2e.test_list_push import prepare

    prepare(gateway, GRAPHQL_ENTRIES, pilots=False)
    with httpx.Client(base_url=gateway, timeout=30.0) as client:
        province = dev_token(client, "province")

        def graphql() -> int:
            resp = client.post("/graphql", json={"query": INBOX_QUERY}, headers=province)
            body = resp.json()
            assert resp.status_code == 200 and "errors" not in body, resp.text[:300]
            nodes = body["data"]["inbox"]["nodes"]
            assert all(n["declaration"].get("factoryName") for n in nodes), resp.text[:300]
            return len(nodes)

        def rest() -> int:
            resp = client.get("/api/review/v1/inbox", params={"page_size": 100}, headers=province)
            assert resp.status_code == 200, resp.text[:300]
            return len(resp.json()["items"])

        lines = []
        measured = (
            ("REST inbox page (the cases)", rest),
            ("GraphQL inbox with declarations, findings, enterprises", graphql),
        )
        for name, call in measured:
            call()  # warm-up
            samples, count = [], 0
            for _ in range(GRAPHQL_REQUESTS):
                started = time.perf_counter()
                count = call()
                samples.append((time.perf_counter() - started) * 1000)
            lines.append(f"     {name}: {count} cases, {_percentiles(samples)}")
    return "   GraphQL list latency (Fujian's inbox, sequential, " + (
        f"{GRAPHQL_REQUESTS} requests each):\n" + "\n".join(lines)
    )


if __name__ == "__main__":
    main()
