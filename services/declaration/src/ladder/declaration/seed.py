"""Seed data. `seed_reference`: what every deployment needs (the 2025 campaign with its
deadline chains, from the notices). `seed`: that plus, for `make run`, the 2026 demo campaign and
the demo enterprises with their factories.

The demo enterprises match the demo users of the gateway (dev mode): `enterprise` acts for
福州示范智能装备有限公司 (Fuzhou, Fujian), `enterprise-sh` for a Shanghai one, `enterprise-soe`
for a central SOE's subsidiary in Fuzhou (group HQ: `central-soe`).
"""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.campaigns.seed import seed_campaigns, seed_demo_campaign
from ladder.declaration.enterprises.models import Enterprise, Factory

DEMO_ENTERPRISES = [
    {
        "id": uuid.UUID("00000000-0000-4000-8000-000000000001"),
        "uscc": "91350102MA2Y00001E",
        "name": "福州示范智能装备有限公司",
        "region_code": "350102",
        "factory": {
            "id": uuid.UUID("00000000-0000-4000-8000-000000000101"),
            "name": "高端装备智能工厂",
            "region_code": "350102",
        },
    },
    {
        "id": uuid.UUID("00000000-0000-4000-8000-000000000002"),
        "uscc": "91310115MA1H000024",
        "name": "上海浦东示范精密制造有限公司",
        "region_code": "310115",
        "factory": {
            "id": uuid.UUID("00000000-0000-4000-8000-000000000102"),
            "name": "精密部件数字化工厂",
            "region_code": "310115",
        },
    },
    {
        # A central SOE's subsidiary: its 卓越级 go to the group HQ (demo user `central-soe`).
        "id": uuid.UUID("00000000-0000-4000-8000-000000000003"),
        "uscc": "91350105MA2Y000030",
        "name": "福州马尾示范央企子公司",
        "region_code": "350105",
        "central_soe_group": "91110000100000007F",
        "factory": {
            "id": uuid.UUID("00000000-0000-4000-8000-000000000103"),
            "name": "船舶装备智能工厂",
            "region_code": "350105",
        },
    },
]


async def seed_reference(session: AsyncSession) -> None:
    await seed_campaigns(session)


async def seed(session: AsyncSession) -> None:
    await seed_reference(session)
    await seed_demo_campaign(session)
    for demo in DEMO_ENTERPRISES:
        factory = demo["factory"]
        await session.execute(
            insert(Enterprise.__table__)
            .values(
                id=demo["id"],
                uscc=demo["uscc"],
                name=demo["name"],
                region_code=demo["region_code"],
                central_soe_group=demo.get("central_soe_group"),
            )
            .on_conflict_do_nothing()
        )
        await session.execute(
            insert(Factory.__table__)
            .values(enterprise_id=demo["id"], **factory)
            .on_conflict_do_nothing()
        )
