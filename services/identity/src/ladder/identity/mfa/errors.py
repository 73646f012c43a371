"""Errors of TOTP enrolment. The sign-in's (`mfa_required`, `mfa_invalid`,
`mfa_enrolment_required`) are the service's own (`ladder.identity.errors`)."""

from __future__ import annotations

from ladder.kit.errors import BadRequest, Conflict


class MfaAlreadyEnrolled(Conflict):
    code = "mfa_already_enrolled"
    message = "该账号已绑定动态验证码（TOTP）"
    message_en = "This account has already enrolled a one-time code (TOTP)"


class MfaEnrolmentNotStarted(Conflict):
    """A confirmation with no pending seed: `/v1/mfa/totp/enrol` comes first."""

    code = "mfa_enrolment_not_started"
    message = "请先获取动态验证码密钥（/v1/mfa/totp/enrol），再确认"
    message_en = "Start the enrolment (/v1/mfa/totp/enrol) before confirming it"


class EnrolmentCredentialsConflict(BadRequest):
    """Both an enrolment token and a bearer token: which account is meant is not clear."""

    code = "enrolment_credentials_conflict"
    message = "请只提供绑定令牌或访问令牌之一"
    message_en = "Send either an enrolment token or a bearer token, not both"
