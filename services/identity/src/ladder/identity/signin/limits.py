"""Sign-in limits (等保 2.0 三级: 登录失败处理): a throttle per address and a temporary lockout
per account, and how a refusal leaves its trace.

A refused sign-in raises, and the request's transaction rolls back with it; yet the failure
must count and the audit must show it. So a refusal is written by `refuse` in a transaction of
its own, committed before the error is raised. The request's transaction takes no lock before
a refusal (it only reads), so the two never wait on each other.

What counts against an address is a wrong secret — a password, a TOTP code or a recovery code
that did not match (the audit row's `details.wrong`) — not the normal second step
(`mfa_required`), not a refusal of a locked account, and not the throttle's own refusals (which
would otherwise keep an address throttled for as long as anyone keeps knocking).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from fastapi import Request
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.identity.accounts.models import User
from ladder.identity.audit.models import AuthEvent
from ladder.identity.audit.record import event, record
from ladder.identity.errors import AccountLocked, TooManyAttempts
from ladder.identity.settings import Settings
from ladder.kit import clock
from ladder.kit.db import Database
from ladder.kit.errors import LadderError

SIGN_IN = "sign_in"
WRONG = "wrong"
"""`details` key of an audit row whose attempt offered a wrong secret (what it was)."""

T = TypeVar("T")


def seconds_until(at: datetime, now: datetime) -> int:
    """Whole seconds from `now` to `at`, at least 1 (a Retry-After of 0 invites a hammering)."""
    return max(1, math.ceil((at - now).total_seconds()))


async def apart(request: Request, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in a transaction of its own, committed when it returns."""
    db: Database = request.app.state.db
    async with db.transaction() as session:
        return await work(session)


async def address_wait(
    session: AsyncSession, settings: Settings, ip: str | None, now: datetime
) -> int | None:
    """Seconds until the address may try again, or None while it is under the threshold. The
    wait ends when enough of its wrong guesses leave the window to bring it under."""
    if ip is None:
        return None
    since = now - timedelta(seconds=settings.ip_failure_window_seconds)
    guesses = (
        select(AuthEvent.at)
        .where(
            AuthEvent.ip == ip,
            AuthEvent.event == SIGN_IN,
            AuthEvent.outcome == "failure",
            col(AuthEvent.at) > since,
            AuthEvent.details.has_key(WRONG),  # type: ignore[attr-defined]
        )
        .order_by(col(AuthEvent.at))
    )
    count = (await session.exec(select(func.count()).select_from(guesses.subquery()))).one()
    if count < settings.ip_failure_threshold:
        return None
    # The (count − threshold + 1)-th oldest guess leaving the window brings the count under.
    oldest_to_go = (
        await session.exec(guesses.offset(count - settings.ip_failure_threshold).limit(1))
    ).one()
    window = timedelta(seconds=settings.ip_failure_window_seconds)
    return seconds_until(oldest_to_go + window, now)


def too_many_attempts(wait: int) -> TooManyAttempts:
    return TooManyAttempts(details={"retry_after": wait}, headers={"Retry-After": str(wait)})


def account_locked(until: datetime, now: datetime) -> AccountLocked:
    wait = seconds_until(until, now)
    return AccountLocked(details={"retry_after": wait}, headers={"Retry-After": str(wait)})


async def count_failure(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID
) -> datetime | None:
    """One more failed attempt of the user, under a row lock; the lock's end when this one
    reached the threshold (None otherwise). A lock that has run out starts a new count."""
    row = await session.get(User, user_id, with_for_update=True, populate_existing=True)
    if row is None:
        return None
    now = clock.now()
    if row.locked_until is not None and row.locked_until <= now:
        row.failed_attempts, row.locked_until = 0, None
    row.failed_attempts += 1
    locked = row.failed_attempts >= settings.lockout_threshold
    if locked:
        row.locked_until = now + timedelta(seconds=settings.lockout_seconds)
    session.add(row)
    await session.flush()
    return row.locked_until if locked else None


async def refuse(
    request: Request,
    settings: Settings,
    error: LadderError | Callable[[AsyncSession], Awaitable[LadderError]],
    *,
    subject: str,
    who: tuple[uuid.UUID, uuid.UUID] | None = None,
    wrong: str | None = None,
    details: dict | None = None,
) -> LadderError:
    """Write the refusal in its own committed transaction — with `wrong` (the secret that did
    not match), one more failure of the account `who` (user id, organisation id), which may
    lock it and turn the answer into 423 — and return the error to raise. `error` may be a
    function of the transaction that writes what the refusal hands out (an enrolment token)
    and returns the error."""

    async def write(session: AsyncSession) -> LadderError:
        answer = error if isinstance(error, LadderError) else await error(session)
        if wrong is not None and who is not None:
            until = await count_failure(session, settings, who[0])
            if until is not None:
                answer = account_locked(until, clock.now())
        extra = {**(details or {}), **({WRONG: wrong} if wrong is not None else {})}
        await record(
            session,
            stamped(
                event(
                    request,
                    SIGN_IN,
                    "failure",
                    reason=answer.code,
                    subject=subject,
                    user_id=who[0] if who is not None else None,
                    org_id=who[1] if who is not None else None,
                    details=extra,
                )
            ),
        )
        return answer

    return await apart(request, write)


def stamped(entry: AuthEvent) -> AuthEvent:
    """The audit row at the app's clock (the window of `address_wait` counts on it)."""
    entry.at = clock.now()
    return entry
