"""TOTP enrolment: `POST /v1/mfa/totp/enrol` hands out a seed, `POST /v1/mfa/totp/confirm`
makes it the account's second factor. Either with the enrolment token of sign-in's 403 (the
gateway passes `/api/identity/v1/mfa/totp/*` without a token) or with a bearer token.

No Idempotency-Key: the answers are secrets (a seed, recovery codes, tokens) that must not be
stored for a replay. A retried `enrol` hands out a new seed that replaces the unconfirmed one;
a retried `confirm` after a success is 409 `mfa_already_enrolled`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ladder.identity.callers import Caller, current_caller
from ladder.identity.errors import AccountInactive, InvalidCredentials, LinkInvalid, MfaInvalid
from ladder.identity.mfa import service
from ladder.identity.mfa.errors import (
    EnrolmentCredentialsConflict,
    MfaAlreadyEnrolled,
    MfaEnrolmentNotStarted,
)
from ladder.identity.mfa.schemas import EnrolConfirm, EnrolConfirmed, EnrolStart, EnrolStarted
from ladder.identity.signin.service import NO_STORE
from ladder.kit.auth import InsufficientScope, get_principal
from ladder.kit.db import SessionDep
from ladder.kit.errors import Forbidden, Unauthenticated, declare, implies

router = APIRouter(prefix="/v1/mfa/totp", tags=["mfa"])


async def optional_caller(request: Request, session: SessionDep) -> Caller | None:
    """The signed-in caller when the request carries a bearer token (checked as any), else
    None: the enrolment token in the body speaks instead."""
    if request.headers.get("authorization") is None:
        return None
    return await current_caller(await get_principal(request), session)


implies(optional_caller, Unauthenticated, InsufficientScope, Forbidden)
OptionalCallerDep = Annotated[Caller | None, Depends(optional_caller)]

_WHO = (
    "Send `enrolment_token` (from sign-in's 403 `mfa_enrolment_required`) or a bearer token, "
    "not both (400 `enrolment_credentials_conflict`); neither is 401 `unauthenticated`, a "
    "used or expired enrolment token 410 `link_invalid`. "
)


@router.post(
    "/enrol",
    response_model=EnrolStarted,
    responses=declare(
        EnrolmentCredentialsConflict,
        LinkInvalid,
        AccountInactive,
        MfaAlreadyEnrolled,
        InvalidCredentials,
    ),
    summary="Start enrolling TOTP: a new seed (shown once), pending until confirmed",
    description=_WHO
    + "With a bearer token, `password` is required too (401 `invalid_credentials` without it "
    "or when wrong). The seed is kept sealed and pending; calling again replaces a pending "
    "one. 409 `mfa_already_enrolled` once an enrolment was confirmed. The enrolment token is "
    "not used up here, only by `/confirm`.",
)
async def enrol(
    request: Request,
    session: SessionDep,
    caller: OptionalCallerDep,
    data: EnrolStart | None = None,
) -> JSONResponse:
    token = data.enrolment_token if data is not None else None
    account = await service.enrolling(session, token, caller)
    if caller is not None:  # re-authenticate: the password, not only the access token
        service.check_password(account, data.password if data is not None else None)
    started = await service.start(session, request.app.state.settings, account)
    return JSONResponse(started.model_dump(mode="json"), headers=NO_STORE)


@router.post(
    "/confirm",
    response_model=EnrolConfirmed,
    responses=declare(
        EnrolmentCredentialsConflict,
        LinkInvalid,
        AccountInactive,
        MfaAlreadyEnrolled,
        MfaEnrolmentNotStarted,
        MfaInvalid,
    ),
    summary="Confirm TOTP with a code from the authenticator: recovery codes (shown once)",
    description=_WHO
    + "A right `code` makes the pending seed the account's second factor and answers ten "
    "one-use recovery codes; with an enrolment token it also completes the sign-in (the "
    "answer carries the token pair of `POST /v1/sessions`) and uses the enrolment token up. "
    "A wrong code is 401 `mfa_invalid` and changes nothing: the enrolment token stays usable.",
)
async def confirm(
    data: EnrolConfirm, request: Request, session: SessionDep, caller: OptionalCallerDep
) -> JSONResponse:
    app = request.app
    account = await service.enrolling(session, data.enrolment_token, caller)
    confirmed = await service.confirm(
        request,
        session,
        app.state.settings,
        app.state.keys,
        account,
        data.code,
        data.enrolment_token,
    )
    return JSONResponse(confirmed.model_dump(mode="json", exclude_none=True), headers=NO_STORE)
