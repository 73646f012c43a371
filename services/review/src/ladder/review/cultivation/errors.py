"""Domain errors of the 领航级 cultivation and acceptance, each with a stable code."""

from ladder.kit.errors import LadderError, NotFound


class CultivationNotFound(NotFound):
    """Absent, or not the caller's to see (another region, enterprise, or an expert not
    assigned): the two are not told apart."""

    code = "cultivation_not_found"
    message = "培育对象不存在"
    message_en = "Cultivation record not found"


class CaseNotPilotTier(LadderError):
    """Only a 领航级 declaration becomes a cultivation object (培育对象, 工信厅联通装函〔2025〕251号
    三(二)4)."""

    status_code = 409
    code = "case_not_pilot_tier"
    message = "仅领航级智能工厂申报可列为培育对象"
    message_en = "Only a 领航级 (pilot tier) declaration can become a cultivation object"


class NoAcceptanceChain(LadderError):
    """The case's recommending unit has no acceptance chain in cultivation.yaml."""

    status_code = 409
    code = "no_acceptance_chain"
    message = "该推荐单位没有验收初审路径"
    message_en = "The case's recommending unit has no acceptance chain"


class CultivationPeriodTooLong(LadderError):
    status_code = 422
    code = "cultivation_period_too_long"
    message = "培育期不得超过规定上限"
    message_en = "The cultivation period exceeds the maximum"


class CultivationClosed(LadderError):
    """Accepted, failed or expired: nothing more is added or changed."""

    status_code = 409
    code = "cultivation_closed"
    message = "培育已结束，不能再修改"
    message_en = "The cultivation has ended; it can no longer change"


class NotCultivating(LadderError):
    status_code = 409
    code = "not_cultivating"
    message = "培育对象当前不在培育状态，不能提交验收申请"
    message_en = "The record is not in cultivation; an acceptance application is not possible"


class CultivationPeriodOver(LadderError):
    status_code = 409
    code = "cultivation_period_over"
    message = "培育期已届满，不能再提交验收申请"
    message_en = "The cultivation period is over; no acceptance application is possible"


class NotAwaitingInitialReview(LadderError):
    status_code = 409
    code = "not_awaiting_initial_review"
    message = "验收申请当前不在推荐单位初审环节"
    message_en = "The acceptance application is not awaiting the recommending unit's review"


class NotAcceptanceHolder(LadderError):
    """The caller sees the record but does not hold the application: another level has it."""

    status_code = 403
    code = "not_acceptance_holder"
    message = "该验收申请当前不在本单位审核环节"
    message_en = "Your authority does not hold this acceptance application at its current level"


class ReturnReservedForInitialReview(LadderError):
    """A level that receives the application (Fujian: the city) forwards it; returning it is
    the initial review's call (闽工信联函装备〔2025〕321号 四(六))."""

    status_code = 409
    code = "return_reserved_for_initial_review"
    message = "本级仅负责接收转报验收申请，退回须由初审单位作出"
    message_en = "This level receives and forwards; only the initial review may return"


class AcceptanceLevelNotInChain(LadderError):
    """The application sits at a level its chain no longer has (cultivation.yaml changed)."""

    status_code = 409
    code = "acceptance_level_not_in_chain"
    message = "该验收申请所处的审核层级已不在其验收路径中，请联系管理员修正"
    message_en = (
        "The application sits at a level its chain no longer has; an administrator must fix it"
    )


class ReasonsRequired(LadderError):
    status_code = 422
    code = "reasons_required"
    message = "退回验收申请或验收不通过须说明理由"
    message_en = "Returning an application or failing it requires reasons"


class NotAwaitingExpertAcceptance(LadderError):
    status_code = 409
    code = "not_awaiting_expert_acceptance"
    message = "培育对象当前不在专家委验收环节"
    message_en = "The record is not awaiting the expert committee's acceptance"
