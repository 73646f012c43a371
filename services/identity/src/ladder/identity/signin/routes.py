"""Sign-in of people (`POST /v1/sessions`), refresh and logout. Reached without a token (the
gateway passes `/api/identity/v1/sessions*` as an anonymous entry, limited per address).

These are token endpoints: they take no Idempotency-Key. A replayed answer would have to be
stored, and it is a pair of bearer tokens (RFC 6749 §5.1: `Cache-Control: no-store`); a
retried sign-in simply signs in again, and a refresh token is its own one-use key.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse

from ladder.identity.errors import (
    AccountInactive,
    AccountLocked,
    InvalidCredentials,
    InvalidGrant,
    MfaEnrolmentRequired,
    MfaInvalid,
    MfaRequired,
    TooManyAttempts,
)
from ladder.identity.signin import service
from ladder.identity.signin.schemas import RefreshGrant, SignIn, TokenPair
from ladder.kit.db import SessionDep
from ladder.kit.errors import DatabaseUnavailable, declare

router = APIRouter(prefix="/v1/sessions", tags=["signin"])


def tokens(pair: TokenPair) -> JSONResponse:
    return JSONResponse(pair.model_dump(mode="json"), headers=service.NO_STORE)


@router.post(
    "",
    response_model=TokenPair,
    responses=declare(
        TooManyAttempts,
        AccountLocked,
        InvalidCredentials,
        AccountInactive,
        MfaRequired,
        MfaInvalid,
        MfaEnrolmentRequired,
    ),
    summary="Sign in with a password and, where the account has one, a TOTP or recovery code",
    description=(
        "Checks in this order: 429 `too_many_attempts` (wrong guesses from the address in the "
        "window; `Retry-After`), 423 `account_locked` (`Retry-After`, `details.retry_after`), "
        "401 `invalid_credentials` (a wrong username or password, alike), 401 "
        "`account_inactive`, then the second factor: every account but an enterprise's must "
        "have TOTP — 403 `mfa_enrolment_required` carries `details.enrolment_token` (10 "
        "minutes) for `/v1/mfa/totp/enrol` and `/v1/mfa/totp/confirm`; an enrolled account "
        "answers 401 `mfa_required` without `totp` or `recovery_code`, 401 `mfa_invalid` for a "
        "wrong or already used one. The attempt that reaches the failure threshold is "
        "answered 423. The access token lives ≤ 15 min; the refresh token is used once."
    ),
)
async def sign_in(data: SignIn, request: Request, session: SessionDep) -> JSONResponse:
    app = request.app
    issued = await service.sign_in(request, session, app.state.settings, app.state.keys, data)
    return tokens(TokenPair.of(issued, app.state.settings))


@router.post(
    "/refresh",
    response_model=TokenPair,
    responses=declare(InvalidGrant, DatabaseUnavailable),  # its own transaction
    summary="Trade a refresh token for a new pair (rotation)",
    description=(
        "The refresh token is used once: the answer carries its successor. Presenting a "
        "token that was already traded revokes its whole family — every session descending "
        "from that sign-in — and is 401 `invalid_grant`, like an unknown, expired or revoked "
        "token, or one of an account that is no longer active."
    ),
)
async def refresh(data: RefreshGrant, request: Request) -> JSONResponse:
    app = request.app
    issued = await service.refresh(request, app.state.settings, app.state.keys, data.refresh_token)
    return tokens(TokenPair.of(issued, app.state.settings))


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out: revoke the refresh token's family",
    description="204 whether or not the token was known (the answer is no oracle).",
)
async def logout(data: RefreshGrant, request: Request, session: SessionDep) -> Response:
    await service.logout(request, session, data.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers=service.NO_STORE)
