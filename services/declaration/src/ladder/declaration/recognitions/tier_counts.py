"""Announcing a year's 卓越级 counts per province (`recognition.tier_counts`), so the rules
service can derive the 领航级 quota input (每省上一年度获评卓越级数量, 工信厅联通装函〔2025〕251号
三(二)2) from the register when no table was uploaded (issue 14 item 1).

When the count is complete — our reading of the seed, written down here:
- the register holds the ministries' publication of that year's 卓越级 list
  (`review.list_published`): the published list is the whole national list of that year
  (二(二)5, 二(三)), so every 卓越级 factory of that year is in the register once consumed;
- or a ministry (nationwide) import marked `complete_national_list`: the ministry says the
  list it imports is the whole national list of that year.
A province's import never completes it: it holds that province's entries only. Entries from
other sources are still counted (the count is of the register, not of the act), but the flag
is only set by one of the two acts above.

Counts are per province (the first two digits of the factory's region code). The XPCC's
factories carry Xinjiang's region codes, so the register cannot tell them apart: they count
under 65 and no `xpcc` key is sent (the rules service reads the XPCC as having none).

Published in the same transaction as the act that changed the count (the kit's outbox).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.recognition import TIER_COUNTS, TierCounts, TierCountsSource
from ladder.contracts.registry import destinations
from ladder.declaration.recognitions.models import Recognition
from ladder.declaration.tables import OUTBOX
from ladder.kit import clock
from ladder.kit.outbox import publish

COUNTED_TIER = "excellence"


async def counts_of(session: AsyncSession, year: int) -> dict[str, int]:
    """Distinct factories (enterprise USCC, factory name) with a 卓越级 entry of `year`, by
    province (2 digits)."""
    province = func.substr(Recognition.region_code, 1, 2)
    factory = func.distinct(func.concat(Recognition.enterprise_uscc, "|", Recognition.factory_name))
    rows = await session.execute(
        select(province, func.count(factory))
        .where(Recognition.tier == COUNTED_TIER, Recognition.year == year)
        .group_by(province)
    )
    return {code: n for code, n in rows.all()}


async def announce(
    session: AsyncSession, year: int, *, source_kind: str, reference: str, complete: bool
) -> None:
    event = TierCounts(
        year=year,
        tier=COUNTED_TIER,
        counts=await counts_of(session, year),
        source=TierCountsSource(kind=source_kind, reference=reference),
        complete=complete,
        at=clock.now(),
    )
    await publish(
        session, OUTBOX, topic=TIER_COUNTS, payload=event, destinations=destinations(TIER_COUNTS)
    )
