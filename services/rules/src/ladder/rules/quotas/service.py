"""Answering quota questions: find the policy, fetch the one reference table it needs, compute."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.rules.campaigns import service as campaigns
from ladder.rules.jiebang import repository as jiebang
from ladder.rules.quotas import compute, units
from ladder.rules.quotas import usage as usage_rules
from ladder.rules.quotas.compute import Reference
from ladder.rules.quotas.errors import CampaignNotFound, ReferenceDataMissing
from ladder.rules.quotas.policy import ExemptionKey, QuotaPolicy, policies
from ladder.rules.quotas.schemas import CandidateIn, QuotaAnswer, UsageAnswer
from ladder.rules.reference import repository
from ladder.rules.reference.kinds import DatasetKind
from ladder.rules.reference.models import ReferenceDataset
from ladder.rules.reference.regions import XPCC, regions
from ladder.rules.tiercounts import service as tiercounts
from ladder.rules.tiercounts.models import RegisterTierCount
from ladder.rules.vocabulary import Tier


async def policy_for(session: AsyncSession, campaign: str) -> QuotaPolicy:
    """The policy the campaign names (`campaign.changed`), answered as the campaign's."""
    policy = policies().get(await campaigns.policy_id(session, campaign))
    if policy is None:
        raise CampaignNotFound(campaign, policies().campaigns)
    if policy.campaign != campaign:
        policy = policy.model_copy(update={"campaign": campaign})
    return policy


async def quota(session: AsyncSession, campaign: str, tier: Tier, unit: str) -> QuotaAnswer:
    plan = compute.plan(await policy_for(session, campaign), tier, units.parse(unit))
    reference = None
    if plan.needs is not None:
        kind, year = plan.needs
        reference = await _input(session, kind, year)
    answer = compute.finish(plan, reference)
    if policies().is_demo(campaign):
        answer = answer.model_copy(update={"demo": True})
    return answer


async def usage(
    session: AsyncSession, campaign: str, tier: Tier, unit: str, candidates: list[CandidateIn]
) -> UsageAnswer:
    policy = await policy_for(session, campaign)
    usage_rules.check_candidates(candidates)
    answer = await quota(session, policy.campaign, tier, unit)
    return usage_rules.usage(answer, candidates, await _holders(session, answer, candidates))


async def _jiebang_holders(
    session: AsyncSession, answer: QuotaAnswer, usccs: set[str]
) -> Mapping[str, uuid.UUID]:
    """A 揭榜单位 exemption (a local overlay's, e.g. 沪经信制〔2025〕430号 一(二)4) covers the
    enterprises with an active record of that province's own acceptance (地方验收)."""
    province = answer.quota_unit.code[:2] + "0000"
    records = await jiebang.accepted(session, province, usccs)
    return {uscc: r.id for uscc, r in records.items()}


Lookup = Callable[[AsyncSession, QuotaAnswer, set[str]], Awaitable[Mapping[str, uuid.UUID]]]
REGISTRIES: dict[ExemptionKey, Lookup] = {ExemptionKey.jiebang_accepted: _jiebang_holders}
"""Where each exemption's holders are read: a registry per key, never the caller."""


async def _holders(
    session: AsyncSession, answer: QuotaAnswer, candidates: list[CandidateIn]
) -> usage_rules.Holders:
    """Who each exemption of the answer covers among the candidates, from its registry."""
    usccs = {c.enterprise_uscc for c in candidates}
    return {e.key: await REGISTRIES[e.key](session, answer, usccs) for e in answer.exemptions}


async def _input(session: AsyncSession, kind: DatasetKind, year: int) -> Reference:
    """The uploaded table of that year when there is one (it overrides); else, for the 卓越级
    counts, the register's when complete (issue 14 item 1); else 409 as before."""
    dataset = await repository.current(session, kind, year)
    if dataset is not None:
        return as_reference(dataset)
    if kind is DatasetKind.excellence_count:
        counted = await tiercounts.complete_counts(session, "excellence", year)
        if counted is not None:
            return from_register(counted)
    raise ReferenceDataMissing(kind.value, year)


def from_register(row: RegisterTierCount) -> Reference:
    """The register's counts as a table: every province and the XPCC, 0 where the register
    holds no 卓越级 factory of that year (the counts are complete, so absence means none)."""
    codes = [p.code for p in regions().provinces] + [XPCC]
    values = {code: int(row.counts.get(_short(code), 0)) for code in codes}
    return Reference(
        dataset_id=None,
        kind=DatasetKind.excellence_count,
        year=row.year,
        version=1,
        source_note=f"认定记录 register ({row.source_kind} {row.source_ref})",
        sample=False,
        values=values,
        register_ref=f"{row.source_kind}:{row.source_ref}",
    )


def _short(code: str) -> str:
    """The event's key for a region: a province's 2 digits, or `xpcc`."""
    return code if code == XPCC else code[:2]


def as_reference(dataset: ReferenceDataset) -> Reference:
    return Reference(
        dataset_id=dataset.id,
        kind=DatasetKind(dataset.kind),
        year=dataset.year,
        version=dataset.version,
        source_note=dataset.source_note,
        sample=dataset.sample,
        values={row["region"]: row["value"] for row in dataset.rows},
    )
