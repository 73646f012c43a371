"""Domain errors of the review service, each with a stable code."""

from ladder.kit.errors import LadderError, NotFound


class CaseNotFound(NotFound):
    """Absent, or outside the caller's jurisdiction: the two are not told apart."""

    code = "case_not_found"
    message = "评审案件不存在"
    message_en = "Review case not found"


class NotCaseHolder(LadderError):
    """The caller sees the case but does not hold it: another level or region has the move."""

    status_code = 403
    code = "not_case_holder"
    message = "该案件当前不在本单位审核环节"
    message_en = "Your authority does not hold this case at its current level"


class CaseNotAwaitingReview(LadderError):
    status_code = 409
    code = "case_not_awaiting_review"
    message = "该案件当前不在待初审状态"
    message_en = "The case is not awaiting initial review"


class CreditCheckRequired(LadderError):
    """榕工信装备〔2025〕96号 第2条: the county checks both credit systems before forwarding."""

    status_code = 409
    code = "credit_check_required"
    message = "转报前须查询国家企业信用信息公示系统和中国执行信息公开网"
    message_en = "Forwarding at this level requires a credit check on both credit systems"


class CreditBlacklisted(LadderError):
    """Listed on a credit system (失信黑名单): excluded, so the authority gives not_recommended."""

    status_code = 409
    code = "credit_blacklisted"
    message = "企业列入失信黑名单，不得转报，请出具不予推荐意见"
    message_en = "The enterprise is blacklisted; it cannot be forwarded (give not_recommended)"


class ReasonsRequired(LadderError):
    status_code = 422
    code = "reasons_required"
    message = "退回或不予推荐须说明理由"
    message_en = "Returning or not recommending requires reasons"


class CaseLevelNotInChain(LadderError):
    """The case sits at a level its region's chain no longer has (the chains file changed)."""

    status_code = 409
    code = "case_level_not_in_chain"
    message = "该案件所处的审核层级已不在其地区的推荐链中，请联系管理员修正"
    message_en = (
        "The case sits at a level its region's chain no longer has; an administrator must fix it"
    )


class RecommendationListNotFound(NotFound):
    """Absent, or outside the caller's jurisdiction: the two are not told apart."""

    code = "recommendation_list_not_found"
    message = "推荐汇总表不存在"
    message_en = "Recommendation list not found"


class ListLocked(LadderError):
    status_code = 409
    code = "list_locked"
    message = "推荐汇总表已锁定或已报送，不能修改"
    message_en = "The recommendation list is locked or submitted; unlock it to change it"


class ListSubmitted(LadderError):
    status_code = 409
    code = "list_submitted"
    message = "推荐汇总表已报送，不能再解锁或锁定"
    message_en = "The recommendation list was submitted; it can no longer change"


class QuotaExhausted(LadderError):
    status_code = 409
    code = "quota_exhausted"
    message = "推荐名额已用完"
    message_en = "The recommendation quota is used up"


class ForwardThroughTable(LadderError):
    """At a level that ranks its own table (a Shanghai district), cases go up through the
    table, in its rank order and within its cap, when the unit submits it."""

    status_code = 409
    code = "forward_through_table"
    message = "本级须按推荐项目优先顺序填写推荐汇总表，通过报送汇总表上报，不能逐件上报"
    message_en = (
        "This level ranks its own summary table: cases go up when the table is submitted, "
        "not one by one"
    )


class QuotaUnavailable(LadderError):
    """The rules service answered, but with no quota for this unit, tier and campaign."""

    status_code = 409
    code = "quota_unavailable"
    message = "无法确定该单位的推荐名额"
    message_en = "The rules service has no quota for this unit, tier and campaign"


class CaseNotAwaitingRecommendation(LadderError):
    status_code = 409
    code = "case_not_awaiting_recommendation"
    message = "该案件当前不在本单位待推荐状态"
    message_en = "The case is not awaiting this unit's recommendation"


class CaseNotForThisList(LadderError):
    status_code = 409
    code = "case_not_for_this_list"
    message = "该案件的批次或级别与推荐汇总表不符"
    message_en = "The case's campaign year or tier differs from the list's"


class AlreadyListed(LadderError):
    status_code = 409
    code = "already_listed"
    message = "该案件已在推荐汇总表中"
    message_en = "The case is already on the list"


class EntryNotFound(NotFound):
    code = "entry_not_found"
    message = "推荐汇总表中没有该案件"
    message_en = "The case is not on the list"


class DeadlinePassed(LadderError):
    """The step's deadline (from the campaign's deadline chain) has closed: 逾期不予接收."""

    status_code = 409
    code = "deadline_passed"
    message = "已超过截止时间，不能再办理"
    message_en = "The deadline for this step has passed"


class ListEmpty(LadderError):
    status_code = 409
    code = "list_empty"
    message = "推荐汇总表为空，不能报送"
    message_en = "The recommendation list is empty; there is nothing to submit"


class ListNotLocked(LadderError):
    status_code = 409
    code = "list_not_locked"
    message = "推荐汇总表须先锁定再报送"
    message_en = "Lock the recommendation list before submitting it"


class EntriesNoLongerAwaiting(LadderError):
    """A case on the list left `awaiting_recommendation` (e.g. a newer version restarted its
    review): the unit takes it off the list before submitting."""

    status_code = 409
    code = "entries_not_awaiting_recommendation"
    message = "推荐汇总表中有案件已不在待推荐状态，请先移出"
    message_en = "Some cases on the list no longer await recommendation; remove them first"


class OrderMismatch(LadderError):
    status_code = 422
    code = "order_mismatch"
    message = "排序须恰好包含推荐汇总表中的全部案件，且每个案件只出现一次"
    message_en = "The order must name every case on the list exactly once"


# ---- raised by the case machine (ladder.review.cases.machine) --------------------------------


class TransitionNotAllowed(LadderError):
    """The case's status does not have this move (details: status, action)."""

    status_code = 409
    code = "transition_not_allowed"
    message = "案件当前状态不允许此操作"
    message_en = "The case's current status does not allow this"


class OnsiteNotForTier(LadderError):
    """A 现场核查 for a tier the edition's data does not verify on site (national.yaml
    `onsite_verification`: 领航级 required, 卓越级 optional; details name them and the clause)."""

    status_code = 409
    code = "onsite_not_for_tier"
    message = "该层级不开展现场核查"
    message_en = "On-site verification does not apply to this tier"


class OnsiteVerificationRequired(LadderError):
    """工信厅联通装函〔2025〕251号 三(二)4: a 领航级 case is selected after its 现场核查."""

    status_code = 409
    code = "onsite_verification_required"
    message = "领航级案件须完成现场核查后方可确定入选"
    message_en = "A pilot (领航级) case is selected only after its on-site verification"


class OnsiteFindingsMissing(LadderError):
    status_code = 409
    code = "onsite_findings_missing"
    message = "现场核查尚有核查项未记录结果或未形成核查结论"
    message_en = "Some checklist items have no finding, or the verification has no conclusion"


class ScoresIncomplete(LadderError):
    status_code = 409
    code = "scores_incomplete"
    message = "尚有评审专家未提交评分"
    message_en = "Not every assigned expert has scored the case"


class UnitNotFound(NotFound):
    """Neither listed in the registry of units nor derivable (a GB/T 2260 code, `soe:<USCC>`)."""

    code = "unit_not_found"
    message = "推荐（初审）单位不存在"
    message_en = "Recommending or reviewing unit not found"


# ---- a whole ranked list pushed in one request (ladder.review.recommendations.push) ----------


class ListPushInvalid(LadderError):
    """A pushed or uploaded 推荐汇总表 failed validation as a whole: nothing was written.
    `details.row_problems` lists every row's problems (row as numbered in the file or the
    `entries` array, 1-based; field; for a file also the column header), `details.
    list_problems` those of the list (the ranks, the quota, the file itself)."""

    status_code = 422
    code = "list_push_invalid"
    message = "推荐汇总表未通过校验，未作任何更改"
    message_en = "The ranked list failed validation; nothing was changed"


class SheetTypeUnsupported(LadderError):
    status_code = 415
    code = "unsupported_media_type"
    message = (
        "仅支持 text/csv 或 XLSX"
        "（application/vnd.openxmlformats-officedocument.spreadsheetml.sheet）"
    )
    message_en = (
        "Send text/csv or XLSX (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)"
    )
