"""The shipped SAMPLE tables: marked as samples, loaded once, never over real data."""

from __future__ import annotations

from ladder.rules.reference.kinds import DatasetKind
from ladder.rules.reference.regions import regions
from ladder.rules.reference.seed import samples

SAMPLE_NOTE = "示例数据，非官方统计，仅供演示 / sample data, not official statistics"


def test_every_shipped_table_is_a_labelled_sample() -> None:
    shipped = samples()
    assert {(s.kind, s.year) for s in shipped} == {
        (DatasetKind.industrial_value_added_rank, 2024),
        (DatasetKind.excellence_count, 2024),
    }
    for table in shipped:
        assert table.sample is True
        assert table.source_note == SAMPLE_NOTE
    ranks = next(s for s in shipped if s.kind is DatasetKind.industrial_value_added_rank)
    assert sorted(r.value for r in ranks.rows) == list(range(1, 32))


async def test_seed_is_idempotent(client, run_seed, count, enterprise) -> None:
    await run_seed()
    await run_seed()
    assert await count() == 2
    listed = (await client.get("/v1/reference-datasets", headers=enterprise)).json()
    assert {(d["kind"], d["version"], d["sample"], d["uploaded_by"]) for d in listed["items"]} == {
        ("industrial_value_added_rank", 1, True, "seed"),
        ("excellence_count", 1, True, "seed"),
    }
    assert all(d["source_note"] == SAMPLE_NOTE for d in listed["items"])


async def test_seed_leaves_uploaded_tables_alone(client, run_seed, count, ministry) -> None:
    resp = await client.post(
        "/v1/reference-datasets",
        json={
            "kind": "excellence_count",
            "year": 2024,
            "source_note": "工业和信息化部 2024 年卓越级智能工厂名单",
            "rows": [{"region": "320000", "value": 30}, {"region": "xpcc", "value": 0}]
            + [{"region": p.code, "value": 0} for p in regions().provinces if p.code != "320000"],
        },
        headers={**ministry, "Idempotency-Key": "real-counts-2024"},
    )
    assert resp.status_code == 201
    await run_seed()
    assert await count() == 2  # the sample ranking only; the real counts stay current
    counts = await client.get(
        "/v1/reference-datasets", params={"kind": "excellence_count"}, headers=ministry
    )
    assert [d["sample"] for d in counts.json()["items"]] == [False]
