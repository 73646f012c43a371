"""Errors of the identity service, each with a stable code. Sign-in failures say as little as
they must: a wrong username and a wrong password are the same `invalid_credentials`."""

from __future__ import annotations

from ladder.kit.errors import Conflict, Forbidden, LadderError, Unauthenticated


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"
    message = "用户名或密码错误"
    message_en = "Wrong username or password"


class MfaRequired(Unauthenticated):
    code = "mfa_required"
    message = "请输入动态验证码（TOTP）或恢复码"
    message_en = "A one-time code (TOTP) or a recovery code is required"


class MfaInvalid(Unauthenticated):
    code = "mfa_invalid"
    message = "动态验证码错误或已使用"
    message_en = "The one-time code is wrong or was already used"


class MfaEnrolmentRequired(Forbidden):
    """The password was right, but the account must enrol TOTP before its first token; the
    answer carries a short-lived enrolment token for that."""

    code = "mfa_enrolment_required"
    message = "该账号须先绑定动态验证码（TOTP）"
    message_en = "This account must enrol a one-time code (TOTP) first"


class AccountLocked(LadderError):
    """Too many failed sign-ins: locked for a period (Retry-After)."""

    status_code = 423
    code = "account_locked"
    message = "登录失败次数过多，账号已暂时锁定"
    message_en = "Too many failed sign-ins: the account is locked for a while"


class TooManyAttempts(LadderError):
    """Too many failed sign-ins from one address (Retry-After)."""

    status_code = 429
    code = "too_many_attempts"
    message = "来自该地址的登录失败次数过多，请稍后再试"
    message_en = "Too many failed sign-ins from this address; try again later"


class AccountInactive(Unauthenticated):
    code = "account_inactive"
    message = "账号未启用或已停用"
    message_en = "The account is not active"


class InvalidGrant(Unauthenticated):
    code = "invalid_grant"
    message = "刷新令牌无效、已过期或已撤销"
    message_en = "The refresh token is invalid, expired or revoked"


class LinkInvalid(LadderError):
    status_code = 410
    code = "link_invalid"
    message = "链接无效、已过期或已使用"
    message_en = "The link is invalid, expired or already used"


class AlreadyRegistered(Conflict):
    code = "already_registered"
    message = "该统一社会信用代码已注册或正在审核"
    message_en = "This USCC is already registered or awaiting approval"


class UsernameTaken(Conflict):
    code = "username_taken"
    message = "用户名已被使用"
    message_en = "The username is taken"
