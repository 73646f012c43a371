"""kill -9 of every process during a submission load, and PostgreSQL restarted under load
(issue 12, the fault suite). Real processes; counted from the databases, not the client.

- Each of declaration, rules, review and the gateway is killed with SIGKILL while clients
  draft and submit through the gateway, and started again: every acknowledged submission is
  stored once (one version), reaches the review service once (one case), and both outboxes
  drain.
- The database (an embedded server of the test's own, never the shared one) is stopped and
  started under load: clients are told 503 with `Retry-After` while it is away, `/readyz`
  says not ready, the services recover without a restart, nothing acknowledged is lost.

`make soak` runs the same with larger counts (LADDER_SOAK_PAIRS, LADDER_SOAK_CLIENTS).
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.conftest import running_stack
from tests.faults.load import run_load, stored_counts, undelivered, wait_until
from tools import devdb

pytestmark = pytest.mark.crossservice

PAIRS = int(os.environ.get("LADDER_SOAK_PAIRS", "80"))
CLIENTS = int(os.environ.get("LADDER_SOAK_CLIENTS", "4"))
VICTIMS = ["declaration", "review", "rules", "gateway"]


def _check(counts: dict[str, int], pairs: int) -> None:
    assert counts["acknowledged"] == pairs, counts
    assert counts["acknowledged_stored"] == counts["acknowledged"], counts
    assert counts["declarations"] == pairs, counts  # a retried create made no second draft
    assert counts["versions"] == counts["submitted"] == pairs, counts
    assert counts["duplicate_versions"] == 0 and counts["duplicate_cases"] == 0, counts
    assert counts["cases"] == pairs, counts


def _when_load_running(stack, dsn: str, label: str, floor: int) -> None:
    """Wait (bounded) until the load has written at least `floor` of its declarations."""
    from tests.faults.load import db_value

    wait_until(
        f"{floor} declarations of the load",
        lambda: (
            int(
                db_value(
                    dsn,
                    "SELECT count(*) FROM declaration.declaration WHERE facts->>'summary' LIKE $1",
                    f"{label}%",
                )
            )
            >= floor
        ),
        # Closely: since the gateway's hop got cheap (issue 17) a segment can be written in
        # well under a second, and a kill seen late lands after the load has ended.
        interval=0.02,
    )


def test_kill_9_of_each_process_during_a_load_loses_nothing(
    pg_server: str, tmp_path: Path, report
) -> None:
    """One load segment per victim: the victim is killed once a quarter of its segment is
    written, and started again; the segment's clients retry through it."""
    label = "杀进程测试"
    segment = max(4, PAIRS // len(VICTIMS))
    with running_stack(pg_server, tmp_path) as stack:
        dsn = stack.database_url
        acknowledged: list[str] = []
        statuses: Counter = Counter()
        transport_errors = 0
        timings: list[str] = []
        for victim in VICTIMS:
            tag = f"{label}{victim}-"
            load_done = threading.Event()
            killed_during_load: list[bool] = []

            def chaos(
                victim: str = victim, tag: str = tag, done=load_done, seen=killed_during_load
            ):
                _when_load_running(stack, dsn, tag, max(1, segment // 4))
                began = time.monotonic()
                stack.stop(victim, kill=True)
                seen.append(not done.is_set())
                time.sleep(0.5)
                stack.start(victim)
                timings.append(f"{victim} back in {time.monotonic() - began:.1f}s")

            thread = threading.Thread(target=chaos, daemon=True)
            thread.start()
            result = asyncio.run(
                run_load(stack.url("gateway"), clients=CLIENTS, pairs=segment, label=tag)
            )
            load_done.set()
            thread.join(timeout=120)
            assert not thread.is_alive(), f"{victim} did not come back"
            assert killed_during_load == [True], f"{victim} was killed after its load ended"
            assert not result.refused, result.refused[:5]
            acknowledged += result.acknowledged
            statuses += result.statuses
            transport_errors += result.transport_errors
        wait_until("both outboxes drained", lambda: undelivered(dsn) == 0)
        counts = stored_counts(dsn, acknowledged, label)
        total = segment * len(VICTIMS)
        report(
            f"kill -9 {'/'.join(VICTIMS)}, one each under {segment} draft+submit pairs"
            f" ({CLIENTS} clients; {', '.join(timings)}):"
            f" acknowledged={counts['acknowledged']} stored={counts['acknowledged_stored']}"
            f" delivered(cases)={counts['cases']} duplicates="
            f"{counts['duplicate_versions'] + counts['duplicate_cases']}"
            f" answers={dict(statuses)} transport_errors={transport_errors}"
        )
        # The load felt the kills: the gateway's as refused connections, the others as 503s.
        assert transport_errors > 0 and statuses[503] > 0, (transport_errors, statuses)
        _check(counts, total)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_postgres():
    """An embedded PostgreSQL of this test's own (stopping it touches nobody else)."""
    name = f"faults-{os.getpid()}"
    url = devdb.start(name, _free_port())
    try:
        yield name, url
    finally:
        devdb.stop(name)
        devdb.remove(name)


def test_postgres_restarted_under_load_is_503_then_recovers(
    own_postgres, tmp_path: Path, report
) -> None:
    name, server = own_postgres
    label = "数据库重启测试"
    with running_stack(server, tmp_path) as stack:
        dsn = stack.database_url
        port = int(server.rsplit(":", 1)[1].split("/")[0])
        seen: dict[str, object] = {}

        def outage() -> None:
            _when_load_running(stack, dsn, label, PAIRS // 3)
            devdb.stop(name)
            ready = httpx.get(f"{stack.url('declaration')}/readyz", timeout=10)
            seen["readyz_during"] = ready.status_code
            time.sleep(2.0)
            devdb.start(name, port)

        thread = threading.Thread(target=outage, daemon=True)
        thread.start()
        result = asyncio.run(run_load(stack.url("gateway"), clients=CLIENTS, pairs=PAIRS,
                                      label=label))  # fmt: skip
        thread.join(timeout=120)
        assert not thread.is_alive()
        assert not result.refused, result.refused[:5]
        assert seen["readyz_during"] == 503, seen
        # The outage was told as what it is: 503 with Retry-After, never a 500.
        assert result.statuses[500] == 0, dict(result.statuses)
        assert result.retry_after > 0, dict(result.statuses)
        for service in ("declaration", "review"):
            ready = httpx.get(f"{stack.url(service)}/readyz", timeout=10)
            assert ready.status_code == 200, ready.text  # recovered, not restarted
            assert stack.procs[service].poll() is None
        wait_until("both outboxes drained", lambda: undelivered(dsn) == 0)
        counts = stored_counts(dsn, result.acknowledged, label)
        report(
            f"postgres restart under {PAIRS} pairs ({CLIENTS} clients):"
            f" acknowledged={counts['acknowledged']} stored={counts['acknowledged_stored']}"
            f" delivered(cases)={counts['cases']} duplicates="
            f"{counts['duplicate_versions'] + counts['duplicate_cases']}"
            f" answers={dict(result.statuses)} 503_with_retry_after={result.retry_after}"
        )
        _check(counts, PAIRS)
