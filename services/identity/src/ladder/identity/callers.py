"""Who is calling, as an account: the user and organisation behind a token this service
issued (`sub` = `user:<id>`). A token for a deactivated user or organisation is refused here
at once, whatever its expiry."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from ladder.identity.accounts.models import OrgRole, User, UserStatus
from ladder.identity.organisations.models import Organisation, OrgStatus
from ladder.kit.auth import PrincipalDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import Forbidden, Unauthenticated, implies


@dataclass(frozen=True)
class Caller:
    user: User
    org: Organisation

    @property
    def is_admin(self) -> bool:
        return self.user.org_role == OrgRole.admin

    @property
    def actor(self) -> str:
        """How the caller is named in records (created_by, decided_by …)."""
        return f"user:{self.user.id}"


async def current_caller(principal: PrincipalDep, session: SessionDep) -> Caller:
    kind, _, ident = principal.sub.partition(":")
    try:
        user_id = uuid.UUID(ident) if kind == "user" else None
    except ValueError:
        user_id = None
    user = await session.get(User, user_id) if user_id is not None else None
    org = await session.get(Organisation, user.org_id) if user is not None else None
    if user is None or org is None:
        raise Forbidden(
            "该操作需要 Ladder 账号登录",
            "This needs a signed-in Ladder account",
            details={"reason": "not_an_account"},
        )
    if user.status != UserStatus.active or org.status != OrgStatus.active:
        raise Unauthenticated(
            "账号未启用或已停用", "The account is not active", details={"reason": "inactive"}
        )
    return Caller(user=user, org=org)


implies(current_caller, Forbidden, Unauthenticated)
CallerDep = Annotated[Caller, Depends(current_caller)]


async def current_admin(caller: CallerDep) -> Caller:
    if not caller.is_admin:
        raise Forbidden(
            "需要本单位管理员权限",
            "Only an admin of the organisation may do this",
            details={"reason": "not_admin"},
        )
    return caller


implies(current_admin, Forbidden)
AdminDep = Annotated[Caller, Depends(current_admin)]
