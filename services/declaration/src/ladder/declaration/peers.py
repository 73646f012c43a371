"""The HTTP clients of the services this one calls, as FastAPI dependencies.

They are `async def` on purpose: FastAPI runs a plain `def` dependency in a worker thread,
a hop that costs more than the lookup itself on every request.
"""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request


async def _rules(request: Request) -> httpx.AsyncClient:
    return request.app.state.peers["rules"]


RulesDep = Annotated[httpx.AsyncClient, Depends(_rules)]
