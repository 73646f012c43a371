"""Errors of user accounts and invitations (sign-in's are in `ladder.identity.errors`)."""

from __future__ import annotations

from ladder.kit.errors import Conflict, NotFound


class UserNotFound(NotFound):
    """No such user in the caller's organisation (another organisation's users are not said to
    exist)."""

    code = "user_not_found"
    message = "本单位没有该用户"
    message_en = "No such user in your organisation"


class CannotDeactivateSelf(Conflict):
    code = "cannot_deactivate_self"
    message = "不能停用自己的账号"
    message_en = "You cannot deactivate your own account"


class UserDeactivated(Conflict):
    code = "user_deactivated"
    message = "该用户已停用"
    message_en = "The user is deactivated"


class NotInvited(Conflict):
    """An invitation is sent again only to a user who has not accepted one yet."""

    code = "not_invited"
    message = "该用户已接受邀请或已停用，不能再次发送邀请"
    message_en = "The user has accepted an invitation or is deactivated; none is sent again"
