"""A factory of the test enterprise per declaration: a factory has one live declaration per
campaign and tier (`declarations/coexistence.py`), so tests that draft several add their own."""

from __future__ import annotations

import uuid

ENTERPRISE_USCC = "91350102MA2Y00001E"  # the seeded enterprise of the `enterprise` fixture


async def new_factory(
    client,
    headers,
    *,
    uscc: str = ENTERPRISE_USCC,
    region_code: str = "350102",
    name: str = "高端装备智能工厂",
) -> str:
    """Add a factory to the caller's enterprise; its id."""
    resp = await client.post(
        f"/v1/enterprises/{uscc}/factories",
        json={"name": name, "region_code": region_code},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]
