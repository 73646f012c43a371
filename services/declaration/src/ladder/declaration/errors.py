"""Domain errors of the declaration service, each with a stable code."""

from __future__ import annotations

from ladder.kit.errors import Conflict, Forbidden, LadderError, NotFound, ServiceUnavailable


class EnterpriseExists(Conflict):
    code = "enterprise_exists"
    message = "该统一社会信用代码的企业已存在"
    message_en = "An enterprise with this unified social credit code already exists"


class EnterpriseNotFound(NotFound):
    code = "enterprise_not_found"
    message = "企业不存在"
    message_en = "Enterprise not found"


class FactoryNotFound(NotFound):
    code = "factory_not_found"
    message = "工厂不存在"
    message_en = "Factory not found"


class DeclarationNotFound(NotFound):
    code = "declaration_not_found"
    message = "申报不存在"
    message_en = "Declaration not found"


class CampaignNotFound(LadderError):
    status_code = 422
    code = "campaign_not_found"
    message = "申报批次不存在"
    message_en = "No such campaign"


class TierNotOpen(LadderError):
    status_code = 422
    code = "tier_not_open"
    message = "该批次未开放此层级的申报"
    message_en = "This campaign does not open this tier"


class NotOwnEnterprise(Forbidden):
    code = "not_own_enterprise"
    message = "只能为本企业办理"
    message_en = "You may act only for your own enterprise"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    message = "当前状态不允许此操作"
    message_en = "This action is not allowed in the current state"


class RulesUnavailable(ServiceUnavailable):
    """The rules service did not answer within the submit's bound (or could not be reached):
    safe to retry with the same Idempotency-Key, nothing was stored."""

    code = "rules_unavailable"
    message = "规则服务暂不可用，请稍后重试"
    message_en = "The rules service is unavailable; retry later"


class ChangedDuringSubmit(Conflict):
    code = "declaration_changed"
    message = "提交期间申报已被修改，请重新提交"
    message_en = "The declaration changed while it was being checked; submit again"


class NotEditable(Conflict):
    code = "not_editable"
    message = "只有草稿或退回修改的申报可以编辑"
    message_en = "Only a draft or a declaration returned for revision can be edited"


class PrecheckFailed(LadderError):
    status_code = 422
    code = "precheck_failed"
    message = "未通过要素条件预检，不能提交"
    message_en = "The declaration fails the eligibility pre-check and cannot be submitted"


class InvalidUSCC(LadderError):
    status_code = 422
    code = "invalid_uscc"
    message = "统一社会信用代码无效"
    message_en = "Invalid unified social credit code"


class NotInCatalogue(LadderError):
    """A scene or KPI the campaign's 要素条件 edition does not have; `of` answers the subclass
    named by the first problem's type, so the code is one a route can declare."""

    status_code = 422
    code = "not_in_catalogue"
    message = "场景或指标不属于该批次所用要素条件版本的目录"
    message_en = "A scene or KPI is not in the catalogue of the campaign's edition"

    def __init__(self, edition: str, problems: list[dict[str, object]]) -> None:
        names = ", ".join(str(p["field"]) for p in problems[:5])
        super().__init__(
            f"不属于要素条件({edition})目录：{names}",
            f"Not in the catalogue of edition {edition}: {names}",
            details={"edition": edition, "fields": problems},
        )

    @staticmethod
    def of(edition: str, problems: list[dict[str, object]]) -> NotInCatalogue:
        kind = next((k for k in CATALOGUE_ERRORS if k.code == problems[0]["type"]), None)
        return (kind or NotInCatalogue)(edition, problems)


class UnknownSceneSegment(NotInCatalogue):
    code = "unknown_scene_segment"


class UnknownScene(NotInCatalogue):
    code = "unknown_scene"


class UnknownKpi(NotInCatalogue):
    code = "unknown_kpi"


CATALOGUE_ERRORS: tuple[type[NotInCatalogue], ...] = (UnknownSceneSegment, UnknownScene, UnknownKpi)
"""What a draft's save can answer for its scenes and KPIs (`declare(*CATALOGUE_ERRORS)`)."""


class DeclarationIncomplete(LadderError):
    """A submission lacking a section its tier's material list requires."""

    status_code = 422
    code = "declaration_incomplete"
    message = "申报书缺少该层级申报材料清单要求的部分，不能提交"
    message_en = "The declaration lacks sections its tier's material list requires"


class VersionNotFound(NotFound):
    code = "version_not_found"
    message = "申报版本不存在"
    message_en = "No such submitted version"


class DeclarationExists(Conflict):
    """The factory already has a live declaration that this one may not stand beside in the
    campaign (`declarations/coexistence.py`): `details` name it, its tier and the clause."""

    code = "declaration_exists"
    message = "该工厂在本批次已有不可并存的申报（同一层级只能申报一份；卓越级与领航级不能同时申报）"
    message_en = (
        "The factory already has a declaration in this campaign that this one may not stand "
        "beside (one per tier; not 卓越级 and 领航级 together)"
    )
