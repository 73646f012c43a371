"""Routes of user accounts: an admin invites, lists, reads and deactivates its organisation's
users and resends invitations; an invited user accepts (no token yet); `/v1/me`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from ladder.identity.accounts import service
from ladder.identity.accounts.errors import (
    CannotDeactivateSelf,
    NotInvited,
    UserDeactivated,
    UserNotFound,
)
from ladder.identity.accounts.models import UserStatus
from ladder.identity.accounts.schemas import (
    InvitationAccept,
    InvitationAccepted,
    InvitationSent,
    Me,
    UserCreate,
    UserPage,
    UserRead,
)
from ladder.identity.callers import AdminDep, CallerDep
from ladder.identity.errors import LinkInvalid, UsernameTaken
from ladder.identity.requests import SettingsDep
from ladder.identity.secrets import digest
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import ServiceUnavailable, declare
from ladder.kit.pagination import PageDep
from ladder.kit.writes import KeyedWriteDep, OptionalKeyedWriteDep, answer_json

router = APIRouter(tags=["accounts"])


@router.post(
    "/v1/users",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=declare(UsernameTaken, ServiceUnavailable),
    summary="Invite a colleague into the caller's organisation (admin; Idempotency-Key)",
    description=(
        "The user is created `invited`, without a password, and mailed a one-time link "
        "(`/invitations/accept#token=…`) to set one. Its token claims will be the "
        "organisation's. When the mail cannot be sent, nothing is written (503, "
        "`details.reason: mail_unavailable`)."
    ),
)
async def invite_user(
    data: UserCreate,
    request: Request,
    caller: AdminDep,
    write: KeyedWriteDep,
    settings: SettingsDep,
) -> Response:
    if (replayed := await write.begin(data)) is not None:
        return replayed
    user = await service.invite(write.session, settings, request, caller, data)
    return await write.answer(service.to_read(user), 201)


@router.get(
    "/v1/users",
    response_model=UserPage,
    summary="The users of the caller's organisation (admin), each with its ETag",
)
async def list_users(
    caller: AdminDep,
    session: SessionDep,
    page: PageDep,
    status_filter: Annotated[UserStatus | None, Query(alias="status")] = None,
) -> UserPage:
    rows, total = await service.page(session, caller, page, status_filter)
    return UserPage(
        items=[service.to_read(u) for u in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.get(
    "/v1/users/{user_id}",
    response_model=UserRead,
    responses=declare(UserNotFound),
    summary="One user of the caller's organisation (admin; with its ETag)",
)
async def read_user(user_id: uuid.UUID, caller: AdminDep, session: SessionDep) -> Response:
    return answer_json(service.to_read(await service.get(session, caller, user_id)))


@router.post(
    "/v1/users/{user_id}/deactivate",
    response_model=UserRead,
    responses=declare(UserNotFound, CannotDeactivateSelf, UserDeactivated),
    summary="Deactivate a user of the caller's organisation (admin; If-Match)",
    description=(
        "Revokes at once: every refresh token of the user, its unused links, and this "
        "service's acceptance of its access tokens; the other services' copies die within the "
        "access token's TTL (≤ 15 min). An admin cannot deactivate itself."
    ),
)
async def deactivate_user(
    user_id: uuid.UUID,
    request: Request,
    caller: AdminDep,
    session: SessionDep,
    if_match: IfMatchDep,
) -> Response:
    user = await service.deactivate(session, request, caller, user_id, if_match)
    return answer_json(service.to_read(user))


@router.post(
    "/v1/users/{user_id}/invitation",
    response_model=InvitationSent,
    responses=declare(UserNotFound, NotInvited, ServiceUnavailable),
    summary="Mail an invited user a new invitation link (admin; Idempotency-Key)",
    description="The earlier links stop working. Only for a user still `invited` (else 409).",
)
async def resend_invitation(
    user_id: uuid.UUID, caller: AdminDep, write: KeyedWriteDep, settings: SettingsDep
) -> Response:
    if (replayed := await write.begin({"user_id": str(user_id)})) is not None:
        return replayed
    user, expires_at = await service.resend_invitation(write.session, settings, caller, user_id)
    sent = InvitationSent(
        user_id=user.id, username=user.username, status=user.status, expires_at=expires_at
    )
    return await write.answer(sent, 200)


@router.post(
    "/v1/invitations/accept",
    response_model=InvitationAccepted,
    responses=declare(LinkInvalid),
    summary="Accept an invitation: set the first password (no token needed)",
    description=(
        "`token` is the mailed link's `#token=`. The password follows NIST SP 800-63B (at least "
        "8 characters, not a common password or the account's name; 422 `validation_error` "
        "with `details.problems` otherwise, and the link stays usable). The link works once: "
        "afterwards, or once expired, 410 `link_invalid`. Signing in is a separate step "
        "(officials enrol TOTP first)."
    ),
)
async def accept_invitation(
    data: InvitationAccept, request: Request, write: OptionalKeyedWriteDep
) -> Response:
    scope = f"invitation:{digest(data.token)}"
    if (replayed := await write.begin(data, scope=scope)) is not None:
        return replayed
    user = await service.accept_invitation(write.session, request, data.token, data.password)
    return await write.answer(InvitationAccepted(username=user.username, status=user.status))


@router.get("/v1/me", response_model=Me, summary="The caller's account, organisation and claims")
async def read_me(caller: CallerDep) -> Me:
    """The claims are the organisation's (role, org = its USCC, region = its unit), as every
    token of the caller carries them."""
    return service.me(caller)
