"""What the national routes share: the keyed (Idempotency-Key) write and the relay nudge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.idempotency import claim, require_idempotency_key
from ladder.kit.outbox import wake_relay
from ladder.review.tables import IDEMPOTENCY


def answer(body: dict[str, Any], status_code: int = 200) -> JSONResponse:
    etag = body.get("etag")
    return JSONResponse(body, status_code=status_code, headers={"ETag": etag} if etag else None)


async def keyed(
    request: Request,
    session: AsyncSession,
    *,
    caller: str,
    key: str | None,
    body: Any,
    run: Callable[[], Awaitable[tuple[int, dict[str, Any]]]],
) -> JSONResponse:
    """Carry out `run` once per Idempotency-Key (a replay answers the stored response, with
    its ETag); without a key (only where the key is optional) it simply runs."""
    slot = None
    if key is not None:
        slot = await claim(
            session, IDEMPOTENCY, principal=caller, key=key, request=request, body=body
        )
        if (replayed := slot.replayed()) is not None:
            return replayed
    status_code, payload = await run()
    if slot is not None:
        await slot.store(session, status_code, payload)
    wake_relay(request.app.state)
    return answer(payload, status_code)


async def _optional_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="optional; 8–128 characters [A-Za-z0-9._:-]; a retry with the same "
            "key and body answers the first response",
        ),
    ] = None,
) -> str | None:
    if idempotency_key is None:
        return None
    return await require_idempotency_key(idempotency_key)


OptionalKeyDep = Annotated[str | None, Depends(_optional_key)]

IfNoneMatchHeader = Annotated[
    str | None,
    Header(alias="If-None-Match", description="`*`: only create, never replace"),
]
