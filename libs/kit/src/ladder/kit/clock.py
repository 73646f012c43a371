"""What time it is: one clock per app (`app.state.clock`), replaceable so tests can stand at
the second a deadline closes.

Routes take the clock as `ClockDep`. Code below a route that has no request in hand (a
deadline check deep in a service function) calls `clock.now()`, which reads the clock of the
app serving the current request: `install_clock()` binds it for each request in a context variable.
Outside a request (scripts, seeding) `now()` is the system clock.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from ladder.kit.auth import Principal, Role, require_roles


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FrozenClock:
    """A clock that stays where it is put (tests)."""

    at: datetime

    def __post_init__(self) -> None:
        self.set(self.at)

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a clock needs a timezone-aware instant")
        self.at = at.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@dataclass
class AdjustableClock:
    """The system clock shifted by an offset that moves only forward (cross-service tests in
    dev/test: `POST /internal/clock`, see `install_clock(control=True)`)."""

    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock does not go back")
        self.offset += timedelta(seconds=seconds)


SYSTEM_CLOCK = SystemClock()
_current: ContextVar[Clock] = ContextVar("ladder_clock", default=SYSTEM_CLOCK)


def now() -> datetime:
    """The current instant by the clock of the app serving this request."""
    return _current.get().now()


async def get_clock(request: Request) -> Clock:
    return getattr(request.app.state, "clock", SYSTEM_CLOCK)


ClockDep = Annotated[Clock, Depends(get_clock)]


class _BindClock:
    """Binds `scope["app"].state.clock` for the duration of each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _current.set(getattr(scope["app"].state, "clock", SYSTEM_CLOCK))
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


class ClockAdvance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    advance_seconds: float = Field(ge=0, le=10 * 366 * 86400, allow_inf_nan=False)


class ClockRead(BaseModel):
    now: datetime
    offset_seconds: float


# Services only (a test harness holds a service token): a person, even the ministry, never
# moves a clock, and the gateway does not proxy /internal/* anyway.
ClockMoverDep = Annotated[Principal, require_roles(Role.service)]


def _control_router() -> APIRouter:
    router = APIRouter(prefix="/internal/clock", tags=["internal: clock (dev/test only)"])

    def _read(clock: AdjustableClock) -> ClockRead:
        return ClockRead(now=clock.now(), offset_seconds=clock.offset.total_seconds())

    @router.get("", response_model=ClockRead)
    async def read_clock(request: Request, _: ClockMoverDep) -> ClockRead:
        return _read(request.app.state.clock)

    @router.post("", response_model=ClockRead)
    async def advance_clock(data: ClockAdvance, request: Request, _: ClockMoverDep) -> ClockRead:
        """Move this service's clock forward (never back): deadlines, 公示 periods and
        cultivation timers see the new time at once; sweepers on their next tick."""
        clock: AdjustableClock = request.app.state.clock
        clock.advance(data.advance_seconds)
        return _read(clock)

    return router


def install_clock(app: FastAPI, clock: Clock | None = None, *, control: bool = False) -> None:
    """Give the app its clock. With `control` (settings `clock_control`, dev/test only) the
    clock is an `AdjustableClock` and `/internal/clock` moves it."""
    if control:
        clock = AdjustableClock()
        app.include_router(_control_router())
    app.state.clock = clock or SYSTEM_CLOCK
    app.add_middleware(_BindClock)


BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
"""Notices count days on Beijing dates (UTC+8, no daylight saving)."""


def beijing_date(at: datetime) -> date:
    """The Beijing calendar date of an instant."""
    return at.astimezone(BEIJING).date()


def beijing_today() -> date:
    """Today in Beijing, by the current clock (`now()`)."""
    return beijing_date(now())
