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
from datetime import UTC, datetime, timedelta
from typing import Annotated, Protocol

from fastapi import Depends, FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send


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


def install_clock(app: FastAPI, clock: Clock | None = None) -> None:
    app.state.clock = clock or SYSTEM_CLOCK
    app.add_middleware(_BindClock)
