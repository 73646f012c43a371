"""Routes of password reset (a mailed one-time link; no token) and password change (signed in).

Each is a write with an Idempotency-Key, as every write of the service: a retried reset
request mails no second link, a retried completion or change answers its first 204 instead of
410 (the link was used) or 401 (the current password changed). Without a token the key's scope
is the caller's address, hashed (the gateway's X-Forwarded-For, believed from it only).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from ladder.identity.callers import CallerDep
from ladder.identity.errors import AccountLocked, InvalidCredentials, LinkInvalid
from ladder.identity.passwordreset import service
from ladder.identity.passwordreset.schemas import (
    PasswordChange,
    ResetComplete,
    ResetRequest,
    ResetRequested,
)
from ladder.identity.requests import SettingsDep, anonymous_scope
from ladder.kit.db import DatabaseDep
from ladder.kit.errors import ServiceUnavailable, declare
from ladder.kit.writes import KeyedWrite, KeyedWriteDep

router = APIRouter(tags=["password reset"])


async def _no_content(write: KeyedWrite) -> Response:
    """Store the 204 for the key's replays and answer it without a body."""
    await write.answer({}, status.HTTP_204_NO_CONTENT)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _replay(replayed: Response) -> Response:
    """A stored 204 replays without a body (the kit's replay renders the stored `{}`)."""
    if replayed.status_code == status.HTTP_204_NO_CONTENT:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return replayed


@router.post(
    "/v1/password-resets",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ResetRequested,
    responses=declare(ServiceUnavailable),
    summary="Ask for a password-reset link by mail (no token; Idempotency-Key)",
)
async def request_reset(
    data: ResetRequest,
    request: Request,
    write: KeyedWriteDep,
    db: DatabaseDep,
    settings: SettingsDep,
) -> Response:
    """202 `{}` whether or not an account matched: each active account (a locked one too)
    whose username or email is `username_or_email` (case-insensitive) is mailed a link to
    `/password-reset#token=…`, valid for `one_time_link_ttl_seconds`; a new link makes the
    earlier ones stop working. At most 3 links per account per hour: beyond that nothing is
    mailed, and the answer is the same. 503 `service_unavailable` (details.reason
    `mail_unavailable`) when the mail cannot be sent: nothing is kept; retry later."""
    if (
        replayed := await write.begin(data, scope=anonymous_scope(request, "password-reset"))
    ) is not None:
        return replayed
    await service.request_reset(write.session, db, request, settings, data.username_or_email)
    return await write.answer(ResetRequested(), status.HTTP_202_ACCEPTED)


@router.post(
    "/v1/password-resets/complete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=declare(LinkInvalid),
    summary="Set a new password with a reset link's token (no token; Idempotency-Key)",
)
async def complete_reset(data: ResetComplete, request: Request, write: KeyedWriteDep) -> Response:
    """The link works once: 410 `link_invalid` when it is unknown, used, expired, superseded by
    a newer link, or its account was deactivated. 422 `validation_error` (details.problems:
    too_short, common_password, matches_account …) for a refused password — the link then still
    works. On success the account is unlocked and every refresh token of it revoked."""
    if (
        replayed := await write.begin(data, scope=anonymous_scope(request, "password-reset"))
    ) is not None:
        return _replay(replayed)
    await service.complete_reset(write.session, request, data.token, data.password)
    return await _no_content(write)


@router.post(
    "/v1/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=declare(InvalidCredentials, AccountLocked),
    summary="Change the caller's password (Idempotency-Key)",
)
async def change_password(
    data: PasswordChange,
    request: Request,
    caller: CallerDep,
    write: KeyedWriteDep,
    db: DatabaseDep,
    settings: SettingsDep,
) -> Response:
    """401 `invalid_credentials` for a wrong `current_password` — it counts toward the lockout
    like a failed sign-in; 423 `account_locked` (Retry-After) while the account is locked; 422
    `validation_error` for a refused `new_password`. On success every refresh token of the
    user is revoked (the caller signs in again on its other devices)."""
    if (replayed := await write.begin(data)) is not None:
        return _replay(replayed)
    await service.change_password(
        write.session, db, request, settings, caller, data.current_password, data.new_password
    )
    return await _no_content(write)
