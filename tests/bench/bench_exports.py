"""Exports: 100,000 rows streamed through the gateway; the serving process's peak RSS, flat.

Real processes (gateway, review; one uvicorn worker each) on a fresh database. 100,000 review
cases of Fujian are written straight into the review schema (one INSERT … SELECT: 10,000 of
tier `advanced`, 90,000 `excellence`; every tenth enterprise name starts with `=`), and two
closed 公示 of them: one of the first 10,000, one of all 100,000. Each export is then read at
10,000 rows and at 100,000, through the gateway, as a province official (the inbox's
`held=false&tier=advanced` vs `held=false`) and without a token (the two published lists).

Before each export the peak RSS (VmHWM) of the review process and of the gateway is reset
(`/proc/<pid>/clear_refs` ← 5: the peak restarts from the current RSS, which keeps what the
process took before — its allocator holds freed memory) and read after it: the peak while
serving that export, so any memory an export needs beyond what the process holds shows. Reported
with the time to the first byte, the whole time, the bytes, and the rows counted in the body.
The ratio of the peaks at 100,000 and at 10,000 rows is the figure: near 1 is flat (memory
does not follow the rows); a writer that held its rows would show ~10.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import asyncpg
import httpx

from tests.bench.stack import bench_stack

ROWS = 100_000
SMALL = 10_000
YEAR_SMALL, YEAR_LARGE = 2098, 2099  # the two published lists' campaigns
FORMATS = ("csv", "xlsx", "json")


async def _seed(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO review.review_case (id, declaration_id, campaign_year, tier, "
            "enterprise_uscc, enterprise_name, factory_name, region_code, version, fingerprint, "
            "status, level, holder_region, recommending_unit, industry, details, submitted_at, "
            "received_at) "
            "SELECT gen_random_uuid(), gen_random_uuid(), 2099, "
            "CASE WHEN g <= $2 THEN 'advanced' ELSE 'excellence' END, '91350100M000100Y43', "
            "CASE WHEN g % 10 = 0 THEN '=HYPERLINK(\"http://x/\",\"企业' || g || '\")' "
            "ELSE '福州示范智能装备有限公司' || g END, '福州示范工厂第' || g || '车间', "
            "'350102', 1, md5(g::text) || md5(g::text), 'awaiting_initial_review', 'county', "
            "'350102', '350000', 'C38', '{}', now(), now() + g * interval '1 millisecond' "
            "FROM generate_series(1, $1) g",
            ROWS,
            SMALL,
        )
        for year, limit in ((YEAR_SMALL, SMALL), (YEAR_LARGE, ROWS)):
            publicity = uuid.uuid4()
            await conn.execute(
                "INSERT INTO review.national_publicity (id, campaign_year, tier, status, days, "
                "starts_at, ends_at, created_by, closed_by, closed_at, row_version) VALUES "
                "($1, $2, 'excellence', 'closed', 5, now(), now(), 'bench', 'bench', now(), 1)",
                publicity,
                year,
            )
            await conn.execute(
                "INSERT INTO review.national_publicity_entry (publicity_id, case_id, "
                "declaration_id, position, enterprise_name, factory_name, region_code, outcome) "
                "SELECT $1, id, declaration_id, row_number() OVER (ORDER BY received_at), "
                "enterprise_name, factory_name, region_code, 'published' FROM ("
                "SELECT * FROM review.review_case WHERE campaign_year = 2099 "
                "ORDER BY received_at LIMIT $2) c",
                publicity,
                limit,
            )
        await conn.execute("ANALYZE review.review_case")
        await conn.execute("ANALYZE review.national_publicity_entry")
    finally:
        await conn.close()


def _hwm_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        kib = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    return kib / 1024


def _rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        kib = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return kib / 1024


def _reset_peak(pid: int) -> None:
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")  # the peak RSS starts again from the current RSS


def _rows_in(fmt: str, path: Path) -> int:
    """The data rows in the body: lines less the header (CSV) or the brackets (JSON); the
    sheets' rows less their headers (XLSX)."""
    if fmt == "xlsx":
        rows = sheets = 0
        with zipfile.ZipFile(path) as book:
            for name in book.namelist():
                if name.startswith("xl/worksheets/"):
                    sheets += 1
                    with book.open(name) as part:
                        reader = io.BufferedReader(part)
                        tail = b""
                        while chunk := reader.read(1 << 20):
                            rows += (tail + chunk).count(b"<row ")
                            tail = chunk[-4:]
        return rows - sheets
    lines = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            lines += chunk.count(b"\n")
    return lines - (1 if fmt == "csv" else 2)


def _export(client: httpx.Client, url: str, params: dict, headers: dict, fmt: str,
            pids: dict[str, int]) -> dict[str, float]:  # fmt: skip
    for pid in pids.values():
        _reset_peak(pid)
    before = {name: _rss_mib(pid) for name, pid in pids.items()}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export.{fmt}"
        started = time.perf_counter()
        first = None
        size = 0
        with client.stream("GET", url, params={**params, "format": fmt}, headers=headers) as resp:
            assert resp.status_code == 200, resp.read()[:300]
            with path.open("wb") as out:
                for chunk in resp.iter_raw():
                    if first is None:
                        first = time.perf_counter() - started
                    size += len(chunk)
                    out.write(chunk)
        elapsed = time.perf_counter() - started
        rows = _rows_in(fmt, path)
    peaks = {name: _hwm_mib(pid) for name, pid in pids.items()}
    return {"rows": rows, "bytes": size, "first": first or elapsed, "seconds": elapsed,
            **{f"{n}_peak": peaks[n] for n in pids},
            **{f"{n}_before": before[n] for n in pids}}  # fmt: skip


def main() -> None:
    with bench_stack() as (stack, url):
        asyncio.run(_seed(url))
        pids = {name: stack.procs[name].pid for name in ("review", "gateway")}
        gateway = stack.url("gateway")
        with httpx.Client(timeout=httpx.Timeout(120.0, connect=5.0)) as client:
            token = client.post(f"{gateway}/auth/dev-token", json={"username": "province"})
            official = {"Authorization": f"Bearer {token.json()['access_token']}"}
            exports = {
                "the inbox (province)": (
                    f"{gateway}/api/review/v1/inbox/export",
                    official,
                    {"held": "false", "tier": "advanced"},
                    {"held": "false"},
                ),
                "a published list (no token)": (
                    f"{gateway}/api/review/public/v1/published-lists/{{year}}/excellence/export",
                    {},
                    {"year": YEAR_SMALL},
                    {"year": YEAR_LARGE},
                ),
            }
            # One export not counted: the first request of a process loads what it imports.
            _export(client, exports["the inbox (province)"][0], {"held": "false",
                    "tier": "advanced"}, official, "xlsx", pids)  # fmt: skip
            for what, (base, headers, small, large) in exports.items():
                print(f"   {what}:")
                for fmt in FORMATS:
                    measured = []
                    for params in (small, large):
                        query = {k: v for k, v in params.items() if k != "year"}
                        target = base.format(year=params.get("year", ""))
                        measured.append(_export(client, target, query, headers, fmt, pids))
                    _report(fmt, measured)


def _report(fmt: str, measured: list[dict[str, float]]) -> None:
    small, large = measured
    for m in measured:
        print(
            f"     {fmt:4} {int(m['rows']):>7,} rows  {m['bytes'] / 1e6:6.1f} MB  first byte "
            f"{m['first'] * 1000:5.0f} ms  all {m['seconds']:5.1f} s  peak RSS review "
            f"{m['review_peak']:5.0f} MiB (from {m['review_before']:.0f}), gateway "
            f"{m['gateway_peak']:4.0f} MiB (from {m['gateway_before']:.0f})"
        )
    review = large["review_peak"] / small["review_peak"]
    gateway = large["gateway_peak"] / small["gateway_peak"]
    print(
        f"     {fmt:4} peak RSS ratio 100k/10k: review {review:.2f}, "
        f"gateway {gateway:.2f}; growth over the idle RSS "
        f"{small['review_peak'] - small['review_before']:+.0f} → "
        f"{large['review_peak'] - large['review_before']:+.0f} MiB (review)"
    )


if __name__ == "__main__":
    main()
