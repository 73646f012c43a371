"""Routes for recommendation quotas (推荐名额) of a campaign."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query

from ladder.kit.auth import PrincipalDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import declare
from ladder.rules.quotas import service
from ladder.rules.quotas.errors import (
    CampaignNotFound,
    DuplicateCandidate,
    InvalidUnit,
    NoQuotaForTier,
    RecommendViaProvince,
    ReferenceDataMissing,
)
from ladder.rules.quotas.policy import policies
from ladder.rules.quotas.schemas import QuotaAnswer, UnitText, UsageAnswer, UsageRequest
from ladder.rules.reference.regions import regions
from ladder.rules.vocabulary import IdentifierPath, Tier


@asynccontextmanager
async def _load_policies(_: FastAPI) -> AsyncIterator[None]:
    """Read and validate every policy and the region table now: bad data stops the start."""
    regions()
    policies()
    yield


router = APIRouter(prefix="/v1/campaigns", tags=["quotas"], lifespan=_load_policies)

_UNITS = (
    "`unit` is a GB/T 2260 code (province `350000`; 计划单列市 `370200`, answered with its "
    "province's quota; Shanghai district `310115`, answered with the local cap of "
    "沪经信制〔2025〕430号; any other city or county `350102`, answered with its province's "
    "quota), `xpcc`, or `soe:<统一社会信用代码 of the group HQ>`. "
)
_VIA_PROVINCE = (
    "A central SOE asking for 领航级 gets 422 `recommend_via_province`: under "
    "工信厅联通装函〔2025〕251号 三(二)2 its projects go through the province where each factory "
    "is, and an SOE has factories in many provinces, so there is no one number to give it; ask "
    "with that province's code instead. "
)
_ERRORS = (
    "`invalid_unit` names the field `unit`, `no_quota_for_tier` (基础级/先进级) the field "
    "`tier`; `reference_data_missing` names `kind`, `year` and, when one row is missing, "
    "`region`: a ministry user uploads the table at `POST /v1/reference-datasets`. Answers "
    "resting on SAMPLE reference data say `sample: true`."
)
QUOTA_ERRORS = (
    CampaignNotFound,
    InvalidUnit,
    NoQuotaForTier,
    RecommendViaProvince,
    ReferenceDataMissing,
)


@router.get(
    "/{campaign}/quotas",
    response_model=QuotaAnswer,
    responses=declare(*QUOTA_ERRORS),
    summary="The recommendation quota (推荐名额) of a unit for a tier, with its derivation",
    description=(
        "How many projects the unit may recommend (`limit`, 不超过), whose quota that is "
        "(`quota_unit`), and every step with its clause (`derivation`). "
        + _UNITS
        + _VIA_PROVINCE
        + _ERRORS
    ),
)
async def read_quota(
    campaign: IdentifierPath,
    session: SessionDep,
    _: PrincipalDep,
    tier: Annotated[Tier, Query(description="excellence (卓越级) or pilot (领航级)")],
    unit: Annotated[UnitText, Query()],
) -> QuotaAnswer:
    return await service.quota(session, campaign, tier, unit)


@router.post(
    "/{campaign}/quotas/usage",
    response_model=UsageAnswer,
    responses=declare(*QUOTA_ERRORS, DuplicateCandidate),
    summary="Check a ranked list of candidates against the unit's quota",
    description=(
        "The quota answer plus how the ranked candidates (推荐顺序) use it: each candidate "
        "either takes the next slot (`counted`, or `over_quota` past the limit) or is "
        "`exempt` (e.g. `jiebang_accepted` under a Shanghai district's 卓越级 quota, "
        "沪经信制〔2025〕430号 一(二)4: the candidate's `enterprise_uscc` has an active record in "
        "the 揭榜单位 registry, `/v1/jiebang-units`, of that province's acceptance; the answer "
        "names it as `exempted_by`). At most 1000 candidates; ids unique (422 "
        "`duplicate_candidate`). Reads only, changes nothing. The review service asks it each "
        "time a case is added to a recommending unit's list (推荐汇总表): which entries use the "
        "quota is decided here, once. " + _UNITS + _VIA_PROVINCE + _ERRORS
    ),
)
async def check_usage(
    campaign: IdentifierPath, data: UsageRequest, session: SessionDep, _: PrincipalDep
) -> UsageAnswer:
    return await service.usage(session, campaign, data.tier, data.unit, data.candidates)
