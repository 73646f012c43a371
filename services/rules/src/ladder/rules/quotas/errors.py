"""Errors of the quota answers, each with a stable code."""

from __future__ import annotations

from typing import Any

from ladder.kit.errors import Conflict, LadderError, NotFound


def _field(field: str, code: str, message_en: str) -> list[dict[str, Any]]:
    return [{"field": field, "type": code, "message_en": message_en}]


class CampaignNotFound(NotFound):
    code = "campaign_not_found"
    message = "该申报批次没有推荐名额规定"
    message_en = "No quota policy for this campaign"

    def __init__(self, campaign: str, known: list[str]) -> None:
        super().__init__(details={"campaign": campaign, "known": known})


class NoQuotaForTier(LadderError):
    """基础级 and 先进级 are recognised locally, with no national recommendation quota."""

    status_code = 422
    code = "no_quota_for_tier"
    message = "该层级没有推荐名额（基础级自评、先进级由省级认定）"
    message_en = "This tier has no recommendation quota"

    def __init__(self, tier: str, tiers_with_quota: list[str]) -> None:
        super().__init__(
            details={
                "fields": _field("tier", self.code, f"no quota for tier {tier!r}"),
                "tiers_with_quota": tiers_with_quota,
            }
        )


class InvalidUnit(LadderError):
    status_code = 422
    code = "invalid_unit"
    message = (
        "推荐单位无效：须为省级或以下的行政区划代码（GB/T 2260）、xpcc 或 soe:<统一社会信用代码>"
    )
    message_en = (
        "Invalid recommending unit: a GB/T 2260 region code, `xpcc`, or `soe:<unified social "
        "credit code of the group headquarters>`"
    )

    def __init__(self, unit: str, reason: str) -> None:
        super().__init__(details={"fields": _field("unit", self.code, reason), "unit": unit})


class RecommendViaProvince(LadderError):
    """The unit has no quota of its own and no single province to borrow one from.

    A central SOE's 领航级 projects go through the province where each factory is: the SOE has
    factories in many provinces, so there is no one number to give it. Ask for that province.
    """

    status_code = 422
    code = "recommend_via_province"
    message = "该单位没有本层级的推荐名额，其项目由所在省（区、市）统一推荐；请按工厂所在省查询"
    message_en = (
        "This unit has no quota of its own for this tier: its projects are recommended by the "
        "province where the factory is; ask for that province"
    )

    def __init__(self, unit: str, clause: str, text: str, text_en: str) -> None:
        super().__init__(
            details={
                "fields": _field("unit", self.code, text_en),
                "unit": unit,
                "clause": clause,
                "text": text,
                "text_en": text_en,
            }
        )


class ReferenceDataMissing(Conflict):
    """The quota needs a reference table (or a row of it) that has not been loaded."""

    code = "reference_data_missing"
    message = "缺少计算推荐名额所需的参考数据，请先由部委用户上传"
    message_en = "The reference data this quota needs has not been loaded"

    def __init__(self, kind: str, year: int, region: str | None = None) -> None:
        details: dict[str, Any] = {"kind": kind, "year": year}
        if region is not None:
            details["region"] = region
        what = f"{kind} {year}" + (f", region {region}" if region else "")
        super().__init__(
            f"{type(self).message}（{what}）", f"{type(self).message_en} ({what})", details=details
        )


class DuplicateCandidate(LadderError):
    status_code = 422
    code = "duplicate_candidate"
    message = "候选项目重复"
    message_en = "A candidate is listed twice"

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(
            details={
                "fields": [{"field": f, "type": self.code, "message_en": m} for f, m in problems]
            }
        )
