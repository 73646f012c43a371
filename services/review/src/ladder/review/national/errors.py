"""Errors of the national review (评审, 现场核查, 公示), each with a stable code."""

from __future__ import annotations

from ladder.kit.errors import LadderError, NotFound

# The errors the case machine raises live with the review-wide errors (the machine and the
# national code both import them, without a cycle); named here for national callers.
from ladder.review.errors import (  # noqa: F401
    OnsiteFindingsMissing,
    OnsiteNotForTier,
    OnsiteVerificationRequired,
    ScoresIncomplete,
    TransitionNotAllowed,
)


class ScoreSheetInvalid(LadderError):
    status_code = 422
    code = "score_sheet_invalid"
    message = "评分表须对全部指标评分，且分值不超过该指标满分"
    message_en = "A score sheet scores every criterion of the tier, each between 0 and its max"


class ScoringClosed(LadderError):
    status_code = 409
    code = "scoring_closed"
    message = "该案件当前不接受评分"
    message_en = "The case is not open for scoring"


class ExpertNotFound(NotFound):
    code = "expert_not_found"
    message = "专家不存在"
    message_en = "Expert not found"


class ExpertAccountTaken(LadderError):
    status_code = 409
    code = "expert_account_taken"
    message = "该账号已登记为其他专家"
    message_en = "This account is already registered for another expert"


class ExpertInUse(LadderError):
    status_code = 409
    code = "expert_in_use"
    message = "该专家已参与评审或核查，不能删除，请改为停用"
    message_en = "The expert has reviewed or verified cases; deactivate instead of deleting"


class ExpertInactive(LadderError):
    status_code = 409
    code = "expert_inactive"
    message = "专家已停用，不能指派"
    message_en = "Inactive experts cannot be assigned"


class ExpertCountOutOfRange(LadderError):
    status_code = 422
    code = "expert_count_out_of_range"
    message = "指派的专家人数不在规定范围内"
    message_en = "The number of experts is outside the configured range"


class ConflictOfInterest(LadderError):
    """Details: per expert id, the conflicts found (code, messages, evidence)."""

    status_code = 409
    code = "conflict_of_interest"
    message = "所选专家与申报企业存在应回避情形"
    message_en = "A chosen expert has a conflict of interest with the declarant"


class OnsiteNotFound(NotFound):
    code = "onsite_not_found"
    message = "该案件尚未安排现场核查"
    message_en = "No on-site verification is scheduled for this case"


class ChecklistItemNotFound(NotFound):
    code = "checklist_item_not_found"
    message = "核查清单中没有该项"
    message_en = "The checklist has no such item"


class OnsiteClosed(LadderError):
    status_code = 409
    code = "onsite_closed"
    message = "现场核查已结束，不能再修改"
    message_en = "The on-site verification is over; it can no longer change"


class FindingNoteRequired(LadderError):
    status_code = 422
    code = "finding_note_required"
    message = "核查结果为存在差异或未核查时须填写说明"
    message_en = "A discrepancy or an unchecked item needs a note"


class PublicityNotFound(NotFound):
    code = "publicity_not_found"
    message = "公示不存在"
    message_en = "Publicity not found"


class PublicityExists(LadderError):
    status_code = 409
    code = "publicity_exists"
    message = "该批次、该层级的公示已存在"
    message_en = "A publicity for this campaign and tier already exists"


class NothingToAnnounce(LadderError):
    status_code = 409
    code = "nothing_to_announce"
    message = "没有拟入选的案件可供公示"
    message_en = "No selected case to announce"


class PublicityNotDraft(LadderError):
    status_code = 409
    code = "publicity_not_draft"
    message = "公示已发布，不能再次发布"
    message_en = "The publicity was already announced"


class PublicityAnnounced(LadderError):
    """One publicity per campaign and tier: a case selected after it would never be listed."""

    status_code = 409
    code = "publicity_announced"
    message = "本批次该层级已进入公示，不能再确定入选"
    message_en = "This campaign's publicity for the tier was announced; no more selections"


class PublicityClosed(LadderError):
    status_code = 409
    code = "publicity_closed"
    message = "公示期已结束，不再受理异议"
    message_en = "The publicity period is over; objections are no longer accepted"


class PublicityNotEnded(LadderError):
    status_code = 409
    code = "publicity_not_ended"
    message = "公示期尚未结束"
    message_en = "The publicity period has not ended"


class PublicityNotOpen(LadderError):
    status_code = 409
    code = "publicity_not_open"
    message = "公示不在进行中"
    message_en = "The publicity is not running"


class ObjectionsUnresolved(LadderError):
    status_code = 409
    code = "objections_unresolved"
    message = "尚有异议未处理"
    message_en = "Some objections are not resolved"


class ObjectionNotFound(NotFound):
    code = "objection_not_found"
    message = "异议不存在"
    message_en = "Objection not found"


class ObjectionResolved(LadderError):
    status_code = 409
    code = "objection_already_resolved"
    message = "该异议已处理"
    message_en = "The objection was already resolved"


class PublicityEntryNotFound(NotFound):
    code = "publicity_entry_not_found"
    message = "公示名单中没有该项目"
    message_en = "The project is not on the publicity list"


class PublishedListNotFound(NotFound):
    code = "published_list_not_found"
    message = "名单尚未发布"
    message_en = "The list has not been published"


class PublicityPeriodTooLong(LadderError):
    status_code = 422
    code = "publicity_period_too_long"
    message = "公示期超过允许的最长天数"
    message_en = "The publicity period exceeds the configured maximum"
