"""Answering quota questions: find the policy, fetch the one reference table it needs, compute."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.rules.quotas import compute, units
from ladder.rules.quotas import usage as usage_rules
from ladder.rules.quotas.compute import Reference
from ladder.rules.quotas.errors import CampaignNotFound, ReferenceDataMissing
from ladder.rules.quotas.policy import QuotaPolicy, policies
from ladder.rules.quotas.schemas import CandidateIn, QuotaAnswer, UsageAnswer
from ladder.rules.reference import repository
from ladder.rules.reference.kinds import DatasetKind
from ladder.rules.reference.models import ReferenceDataset
from ladder.rules.vocabulary import Tier


def policy_for(campaign: str) -> QuotaPolicy:
    policy = policies().get(campaign)
    if policy is None:
        raise CampaignNotFound(campaign, policies().campaigns)
    return policy


async def quota(session: AsyncSession, campaign: str, tier: Tier, unit: str) -> QuotaAnswer:
    plan = compute.plan(policy_for(campaign), tier, units.parse(unit))
    reference = None
    if plan.needs is not None:
        kind, year = plan.needs
        dataset = await repository.current(session, kind, year)
        if dataset is None:
            raise ReferenceDataMissing(kind.value, year)
        reference = as_reference(dataset)
    answer = compute.finish(plan, reference)
    if policies().is_demo(campaign):
        answer = answer.model_copy(update={"demo": True})
    return answer


async def usage(
    session: AsyncSession, campaign: str, tier: Tier, unit: str, candidates: list[CandidateIn]
) -> UsageAnswer:
    policy = policy_for(campaign)
    usage_rules.check_candidates(candidates)
    return usage_rules.usage(await quota(session, policy.campaign, tier, unit), candidates)


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
