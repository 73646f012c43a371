"""Domain errors of the review service, each with a stable code."""

from ladder.kit.errors import LadderError, NotFound


class CaseNotFound(NotFound):
    """Absent, or outside the caller's jurisdiction: the two are not told apart."""

    code = "case_not_found"
    message = "评审案件不存在"
    message_en = "Review case not found"


class InvalidEventPayload(LadderError):
    """An event whose payload breaks its contract. Answered 422 so the publisher's outbox keeps
    the event and retries it (with backoff) until someone fixes the producer or the contract."""

    status_code = 422
    code = "invalid_event_payload"
    message = "事件内容不符合约定格式"
    message_en = "The event payload does not match its contract"
