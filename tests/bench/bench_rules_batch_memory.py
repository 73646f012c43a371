"""Memory of refusing over-long evaluation batches (issue 12, item 7), in real processes.

Four 10,000-item batches (~14 MB each: twice the 5,000-item limit) are sent at once through
the gateway, then one valid 5,000-item batch. Reported: each process's peak resident memory
(VmHWM) before, after the refusals and after the valid batch, against the 512 Mi pod limit of
`deploy/k8s`. Before the fix the rules process peaked at 1,428 MB for four such bodies (it
parsed and validated every item before checking the count) and the gateway at 297 MB (it
buffered each body).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.bench.bench_rules_evaluation import build_items
from tests.bench.stack import bench_stack

POD_LIMIT_MIB = 512


def _hwm(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        kib = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    return kib / 1024


def main() -> None:
    over = json.dumps({"edition": "2025", "items": build_items(10_000)}, ensure_ascii=False)
    valid = json.dumps({"edition": "2025", "items": build_items(5_000)}, ensure_ascii=False)
    with bench_stack() as (stack, _):
        pids = {name: stack.procs[name].pid for name in ("rules", "gateway")}
        before = {name: _hwm(pid) for name, pid in pids.items()}
        with httpx.Client(timeout=120.0) as client:
            token = client.post(
                f"{stack.url('gateway')}/auth/dev-token", json={"username": "province"}
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            url = f"{stack.url('gateway')}/api/rules/v1/evaluations/batch"

            def send(body: str) -> int:
                return client.post(url, content=body.encode(), headers=headers).status_code

            with ThreadPoolExecutor(4) as pool:
                statuses = list(pool.map(send, [over] * 4))
            refused = {name: _hwm(pid) for name, pid in pids.items()}
            ok = send(valid)
            after_valid = {name: _hwm(pid) for name, pid in pids.items()}
    print(f"   4 × {len(over) / 1e6:.1f} MB batches of 10,000 items at once: answers {statuses}")
    print(f"   then one valid batch of 5,000 ({len(valid) / 1e6:.1f} MB): {ok}")
    for name in pids:
        print(
            f"   {name}: peak RSS {before[name]:.0f} MiB at start → {refused[name]:.0f} after the"
            f" refusals → {after_valid[name]:.0f} after the valid batch"
            f" (pod limit {POD_LIMIT_MIB} Mi)"
        )


if __name__ == "__main__":
    main()
