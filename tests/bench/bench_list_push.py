"""Recommendation lists: a 40-entry 推荐汇总表 pushed in one call through the gateway, p99.

Real processes (gateway, identity, declaration, rules, review; one uvicorn worker each) on a
fresh database. Set up first (not timed), as `tests/e2e/test_list_push.py` does: a campaign
of its own, 40 卓越级 declarations of the Fuzhou demo enterprise carried up the Fujian chain
to the province (whose quota is 40), and Fujian's machine client. Then its pushes, one at a
time (a list is one row that every push locks, so concurrent pushes to it queue):

- the whole list as a draft (`submit: false`), each row named by USCC and project with every
  column of 附件3 given — the heaviest validation: the cases awaiting the unit locked and
  matched, the columns compared with the declarations, the rules service's usage check over
  HTTP, the 40 entries replaced, the history row, the answer stored under its key;
- the same by `declaration_id` alone;
- the exported 附件3 workbook uploaded back (openpyxl in a worker thread, then the same);
- one last push that submits (locks, recommends the 40 cases, freezes the workbook, queues
  the events): a single sample, since a list is submitted once.

Baseline, in the same run: reading the 40-entry list through the gateway (`GET` the list).
The figures are reported, never asserted.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid

import httpx

from tests.bench.stack import bench_stack
from tests.e2e.test_list_push import XLSX, Pushing, _row, _url, prepare

ENTRIES = 40
WARM_UP = 20
PUSHES = 300
READS = 300


def _cuts(latencies: list[float]) -> str:
    cuts = statistics.quantiles(latencies, n=100)
    return (
        f"p50 {cuts[49] * 1000:.0f} ms, p99 {cuts[98] * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms ({len(latencies) / sum(latencies):.1f}/s)"
    )


async def _timed(n: int, send) -> list[float]:
    latencies = []
    for i in range(n):
        started = time.perf_counter()
        await send(i)
        latencies.append(time.perf_counter() - started)
    return latencies


async def _run(p: Pushing) -> None:
    url = _url()
    by_names = [_row(i, name, p.facts) for i, (_, name) in enumerate(p.excellence, 1)]
    by_ids = [{"rank": i, "declaration_id": did} for i, (did, _) in enumerate(p.excellence, 1)]
    assert len(by_names) == ENTRIES
    async with httpx.AsyncClient(base_url=p.base, timeout=60.0) as client:

        def pusher(rows: list[dict], *, submit: bool = False):
            async def push(i: int) -> None:
                # Alternate two orders, so that every push really replaces the ranks.
                entries = rows if i % 2 else [{**r, "rank": ENTRIES + 1 - r["rank"]} for r in rows]
                resp = await client.put(
                    f"{url}/ranked",
                    json={"entries": entries, "submit": submit},
                    headers={**p.fujian, "Idempotency-Key": uuid.uuid4().hex},
                )
                assert resp.status_code in (200, 201), resp.text

            return push

        async def read(_: int) -> None:
            resp = await client.get(url, headers=p.fujian)
            assert resp.status_code == 200, resp.text

        await _timed(WARM_UP, pusher(by_names))
        await _timed(WARM_UP, read)
        reads = await _timed(READS, read)
        full = await _timed(PUSHES, pusher(by_names))
        ids = await _timed(PUSHES, pusher(by_ids))
        table = (await client.get(f"{url}/summary-table.xlsx", headers=p.fujian)).content

        async def upload(_: int) -> None:
            resp = await client.put(
                f"{url}/summary-table",
                params={"submit": "false"},
                content=table,
                headers={**p.fujian, "Content-Type": XLSX, "Idempotency-Key": uuid.uuid4().hex},
            )
            assert resp.status_code == 200, resp.text

        uploads = await _timed(PUSHES, upload)
        (submitted,) = await _timed(1, pusher(by_names, submit=True))
        final = (await client.get(url, headers=p.fujian)).json()
        assert (final["status"], len(final["entries"])) == ("submitted", ENTRIES)

    p99 = lambda latencies: statistics.quantiles(latencies, n=100)[98]  # noqa: E731
    print(f"   baseline (read the {ENTRIES}-entry list through the gateway): {_cuts(reads)}")
    print(
        f"   push of {ENTRIES} entries, by USCC and project, every 附件3 column checked "
        f"(draft): {_cuts(full)}; p99 {p99(full) / p99(reads):.1f}x the read's"
    )
    print(f"   push of {ENTRIES} entries by declaration id (draft): {_cuts(ids)}")
    print(
        f"   upload of the exported 附件3 workbook ({len(table):,} bytes, draft): {_cuts(uploads)}"
    )
    print(
        f"   one push that submits ({ENTRIES} cases recommended, the table frozen): "
        f"{submitted * 1000:.0f} ms"
    )


def main() -> None:
    with bench_stack("ladder_bench_push") as (stack, _):
        pushing = prepare(stack.url("gateway"), ENTRIES, pilots=False)
        asyncio.run(_run(pushing))


if __name__ == "__main__":
    main()
