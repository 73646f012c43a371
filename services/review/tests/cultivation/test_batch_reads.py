"""The same page of several records' progress reports in one request (issue 17: GraphQL's
loaders): each as its single read answers it, for who may read the record; the others left
out; bounded."""

from __future__ import annotations

import uuid

import pytest

GUANGZHOU_USCC = "91440100M000100Y43"
BATCH = "/v1/cultivations/reports"


@pytest.fixture
async def records(api, make_case) -> dict[str, str]:
    """Fuzhou's record with 5 reports, Guangzhou's with 2, one with none."""
    ids = {
        "fuzhou": await make_case(),
        "guangzhou": await make_case(region="440106", uscc=GUANGZHOU_USCC),
        "quiet": await make_case(),
    }
    for name, did in ids.items():
        await api.started(did)
        uscc = GUANGZHOU_USCC if name == "guangzhou" else None
        count = {"fuzhou": 5, "guangzhou": 2, "quiet": 0}[name]
        for n in range(count):
            resp = await api.c.post(
                f"/v1/cultivations/{did}/reports",
                json={"period": f"2026年第{n + 1}季度", "text": f"{name} 进展 {n + 1}"},
                headers={**(api.enterprise(uscc) if uscc else api.enterprise()), **api.key()},
            )
            assert resp.status_code == 201, resp.text
    return ids


@pytest.mark.parametrize(
    ("role", "claims"),
    [
        ("ministry", {}),
        ("province", {"region": "350000"}),
        ("province", {"region": "440000"}),
        ("enterprise", {"org": GUANGZHOU_USCC}),
        ("expert", {"sub": "expert-9"}),
    ],
)
@pytest.mark.parametrize(("page", "size"), [(1, 2), (2, 2), (3, 2), (9, 50)])
async def test_a_batch_answers_what_each_single_read_answers(
    api, records, role, claims, page, size
):
    headers = api.h(role, **claims)
    named = [records["guangzhou"], str(uuid.uuid4()), records["fuzhou"], records["quiet"]]
    paging = {"page": page, "page_size": size}

    batch = await api.c.get(BATCH, params={"declaration_id": named, **paging}, headers=headers)

    assert batch.status_code == 200, batch.text
    singles = []
    for did in named:
        one = await api.c.get(f"/v1/cultivations/{did}/reports", params=paging, headers=headers)
        assert one.status_code in (200, 404), one.text
        if one.status_code == 200:
            singles.append({**one.json(), "declaration_id": did})
    assert batch.json() == singles


async def test_who_reads_no_record_is_refused(api, records):
    resp = await api.c.get(
        BATCH, params={"declaration_id": [records["fuzhou"]]}, headers=api.h("county")
    )

    assert resp.status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"declaration_id": ["x"]},
        {"declaration_id": [str(uuid.uuid4()) for _ in range(101)]},
        {"declaration_id": [str(uuid.uuid4())], "page": 0},
        {"declaration_id": [str(uuid.uuid4())], "page_size": 201},
    ],
)
async def test_the_batch_is_bounded(api, params):
    resp = await api.c.get(BATCH, params=params, headers=api.ministry)

    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["code"] == "validation_error"
