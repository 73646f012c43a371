"""The review service's decisions that recognise a tier, received as events and written to
the register in the same transaction as the inbox row (the kit dedupes by event id; the
register's key makes a second source of the same recognition change nothing).

- `review.list_submitted`: a province (or central-SOE group) submitting its 先进级 list is its
  recognition of 先进级 (251号 一(二)). A 卓越级 or 领航级 list is a recommendation (推荐), not a
  recognition: acknowledged, nothing recorded.
- `review.list_published`: the ministries' published 卓越级 list recognises 卓越级 (二(二)). A
  published 领航级 list names cultivation objects (培育对象), not recognised factories.
- `cultivation.accepted`: the accepted 领航级 cultivation (验收认定, 三(二)) recognises 领航级;
  the declaration's mirror of the cultivation is updated as for every cultivation event.
"""

from __future__ import annotations

import logging

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.contracts.review import (
    CULTIVATION_PREFIX,
    LIST_PUBLISHED,
    LIST_SUBMITTED,
    CultivationChanged,
    ListPublished,
    ListSubmitted,
)
from ladder.declaration.declarations import cultivation_events
from ladder.declaration.declarations import repository as declarations
from ladder.declaration.recognitions import repository, tier_counts
from ladder.declaration.recognitions.service import entry, from_declaration
from ladder.declaration.recognitions.standing import MINISTRY, SOURCE_RULES
from ladder.kit.clock import beijing_date
from ladder.kit.outbox import Event, read_payload

log = logging.getLogger("ladder.declaration.recognitions")

ACCEPTED = CULTIVATION_PREFIX + "accepted"
TOPICS = (LIST_SUBMITTED, LIST_PUBLISHED, ACCEPTED)


async def on_list_submitted(session: AsyncSession, event: Event) -> None:
    submitted = read_payload(ListSubmitted, event)
    if submitted.tier not in SOURCE_RULES["list_submission"].tiers:
        log.info(
            "a %s list of %s is a recommendation: not recorded", submitted.tier, submitted.unit
        )
        return
    entries = []
    for declaration_id in submitted.declaration_ids:
        row = await declarations.get(session, declaration_id)
        if row is None:
            log.warning("list entry for unknown declaration %s ignored", declaration_id)
            continue
        entries.append(
            from_declaration(
                row,
                tier=submitted.tier,
                year=submitted.campaign_year,
                authority=submitted.unit,
                source_kind="list_submission",
                source_ref=f"{submitted.unit}:{submitted.sha256}",
                recorded_by=f"service:{event.source}",
            )
        )
    await repository.record_many(session, entries)


async def on_list_published(session: AsyncSession, event: Event) -> None:
    published = read_payload(ListPublished, event)
    if published.tier not in SOURCE_RULES["publication"].tiers:
        log.info("a published %s list recognises no tier: not recorded", published.tier)
        return
    entries = []
    for listed in published.entries:
        row = await declarations.get(session, listed.declaration_id)
        common = {
            "tier": published.tier,
            "year": published.campaign_year,
            "authority": MINISTRY,
            "source_kind": "publication",
            "source_ref": published.published_at.isoformat(),
            "recorded_by": f"service:{event.source}",
        }
        if row is not None:
            entries.append(from_declaration(row, **common))
        else:  # the list names the factory: recorded by its name
            entries.append(
                entry(
                    uscc=listed.enterprise_uscc,
                    enterprise_name=listed.enterprise_name,
                    factory_name=listed.factory_name,
                    region_code=listed.region_code,
                    declaration_id=listed.declaration_id,
                    **common,
                )
            )
    await repository.record_many(session, entries)
    # The whole national list of the year is in the register now: its counts are complete.
    await tier_counts.announce(
        session,
        published.campaign_year,
        source_kind="publication",
        reference=published.published_at.isoformat(),
        complete=True,
    )


async def on_cultivation_accepted(session: AsyncSession, event: Event) -> None:
    await cultivation_events.on_cultivation_changed(session, event)
    change = read_payload(CultivationChanged, event)
    row = await declarations.get(session, change.declaration_id)
    if row is None:
        return  # logged by the mirror above
    await repository.record(
        session,
        from_declaration(
            row,
            tier="pilot",
            year=beijing_date(change.at).year,
            authority=MINISTRY,
            source_kind="acceptance",
            source_ref=str(change.declaration_id),
            recorded_by=f"service:{event.source}",
        ),
    )


HANDLERS = {
    LIST_SUBMITTED: on_list_submitted,
    LIST_PUBLISHED: on_list_published,
    ACCEPTED: on_cultivation_accepted,
}
