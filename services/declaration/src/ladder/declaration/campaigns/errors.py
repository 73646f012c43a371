"""Errors of campaigns and their deadlines, each with a stable code."""

from __future__ import annotations

from ladder.declaration.campaigns.deadlines import (
    LEVEL_NAMES_EN,
    LEVEL_NAMES_ZH,
    OutOfOrder,
    describe,
    in_beijing,
    jurisdiction_key,
    last_day_of,
)
from ladder.declaration.campaigns.models import Deadline
from ladder.kit.errors import Conflict, Forbidden, LadderError, NotFound


class NoSuchCampaign(NotFound):
    """A campaign named in the path that does not exist (in a request body it is a 422)."""

    code = "campaign_not_found"
    message = "申报批次不存在"
    message_en = "No such campaign"


class DeadlineChainNotFound(NotFound):
    code = "deadline_chain_not_found"
    message = "该批次在此辖区没有该层级的截止时间链"
    message_en = "This campaign has no deadline chain for this jurisdiction and tier"


class CampaignExists(Conflict):
    code = "campaign_exists"
    message = "该年度的申报批次已存在"
    message_en = "A campaign for this year exists already"


class CampaignInvalid(LadderError):
    """A campaign (or a chain of it) that its own fields contradict; `details.field` names
    the field and `details.reason` what is wrong with it."""

    status_code = 422
    code = "campaign_invalid"
    message = "申报批次数据不合法"
    message_en = "Invalid campaign"


class TierInUse(LadderError):
    """A tier taken out of a campaign while declarations or deadline chains of it exist."""

    status_code = 409
    code = "tier_in_use"
    message = "该层级已有申报书或截止时间，不能从申报批次中移除"
    message_en = (
        "The tier has declarations or deadline chains; it cannot be removed from the campaign"
    )


class UnknownRulesEdition(LadderError):
    status_code = 422
    code = "unknown_rules_edition"
    message = "规则服务没有该版本的要素条件"
    message_en = "The rules service has no such edition of 要素条件"


class ChainNotYours(Forbidden):
    """A province sets only the 先进级 calendar of its own jurisdiction (251号 一(二))."""

    code = "deadline_chain_not_yours"
    message = "省级主管部门只能设置本辖区先进级智能工厂的截止时间"
    message_en = "A province sets only the advanced-tier (先进级) deadlines of its own jurisdiction"


class DeadlinePassed(Conflict):
    code = "deadline_passed"
    message = "已超过截止时间"
    message_en = "The deadline has passed"

    def __init__(self, deadline: Deadline, *, region_code: str, now_at: str) -> None:
        level = deadline.level
        when_zh, when_en = describe(deadline.closes_at)
        source = f"{deadline.source} {deadline.clause}"
        super().__init__(
            f"已超过{LEVEL_NAMES_ZH[level]}截止时间：{when_zh}（{source}）",
            f"The {LEVEL_NAMES_EN[level]} deadline, {when_en}, has passed ({source})",
            details={
                "campaign_year": deadline.campaign_year,
                "region_code": region_code,
                "tier": deadline.tier,
                "level": level,
                "jurisdiction": deadline.jurisdiction,
                "jurisdiction_key": jurisdiction_key(deadline.jurisdiction),
                "closes_at": in_beijing(deadline.closes_at).isoformat(),
                "last_day": last_day_of(deadline.closes_at).isoformat(),
                "source": deadline.source,
                "clause": deadline.clause,
                "clause_text": deadline.clause_text,
                "now": now_at,
            },
        )


class DeadlineChainOutOfOrder(LadderError):
    status_code = 422
    code = "deadline_chain_out_of_order"
    message = "截止时间顺序错误：上级截止时间不得早于下级"
    message_en = "Deadlines out of order: a higher level may not close before a lower one"

    def __init__(self, violations: list[OutOfOrder]) -> None:
        pairs_zh = "；".join(
            f"{LEVEL_NAMES_ZH[v.higher]}({v.higher.value})早于{LEVEL_NAMES_ZH[v.lower]}"
            f"({v.lower.value})"
            for v in violations
        )
        pairs_en = "; ".join(f"{v.higher.value} closes before {v.lower.value}" for v in violations)
        super().__init__(
            f"截止时间顺序错误：{pairs_zh}",
            f"Deadlines out of order: {pairs_en}",
            details={"violations": [v.as_details() for v in violations]},
        )
