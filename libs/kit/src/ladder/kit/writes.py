"""The one keyed write every write route goes through.

A retried write must not happen twice, and its answer must be the same each time. The route
takes a `KeyedWrite` (`KeyedWriteDep`: Idempotency-Key required, 428 without it;
`OptionalKeyedWriteDep`: the key optional) and runs

    if (replayed := await write.begin(data)) is not None:
        return replayed                       # the stored answer, with its ETag
    read = await service.do_it(...)
    return await write.answer(read, 201)      # stored for the key, ETag set, relay woken

`run(body, fn)` does the same for a function. The key row is claimed in the request's
transaction (`ladder.kit.idempotency.claim`), so the answer is stored exactly when the write
commits. The scope of a key is the verified caller's `sub`; a route without a token passes its
own (`scope=`). The OpenAPI documents mark the header `required: true` where it is
(`ladder.kit.docs`), and the errors it implies are declared for the route
(`ladder.kit.errors.implies`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from ladder.kit.db import SessionDep
from ladder.kit.errors import (
    IdempotencyKeyMalformed,
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    implies,
)
from ladder.kit.idempotency import KEY_PATTERN, IdempotencySlot, claim
from ladder.kit.outbox import wake_relay

Result = BaseModel | dict[str, Any] | list[Any]


def answer_json(result: Result, status_code: int = 200) -> JSONResponse:
    """A JSON answer with the record's ETag as a header when the body carries one."""
    body = _jsonable(result)
    etag = body.get("etag") if isinstance(body, dict) else None
    headers = {"ETag": etag} if isinstance(etag, str) and etag else None
    return JSONResponse(body, status_code=status_code, headers=headers)


def _jsonable(result: Result) -> Any:
    return result.model_dump(mode="json") if isinstance(result, BaseModel) else result


class KeyedWrite:
    """One write request: its key (None where optional and absent), its session, the app."""

    def __init__(self, request: Request, session: Any, key: str | None) -> None:
        self.request = request
        self.session = session
        self.key = key
        self._slot: IdempotencySlot | None = None

    def _scope(self, scope: str | None) -> str:
        if scope is not None:
            return scope
        principal = getattr(self.request.state, "principal", None)
        if principal is None:
            raise RuntimeError("a keyed write without a verified caller must pass scope=")
        return principal.sub

    async def begin(
        self, body: Result | None = None, *, scope: str | None = None
    ) -> Response | None:
        """Claim the key for `body` (what makes two requests the same): the stored answer of
        the first request to replay, or None when this request is ours to carry out."""
        if self.key is None:
            return None
        table = self.request.app.state.idempotency_table
        self._slot = await claim(
            self.session,
            table,
            principal=self._scope(scope),
            key=self.key,
            request=self.request,
            body=None if body is None else _jsonable(body),
        )
        return self._slot.replayed()

    async def answer(
        self, result: Result, status_code: int = 200, *, headers: dict[str, str] | None = None
    ) -> JSONResponse:
        """The answer, stored for the key's replays, with its ETag; this process's relay is
        woken for the events the write queued."""
        body = _jsonable(result)
        if self._slot is not None:
            await self._slot.store(self.session, status_code, body)
        wake_relay(self.request.app.state)
        response = answer_json(body, status_code)
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response

    async def run(
        self,
        body: Result | None,
        fn: Callable[[], Awaitable[tuple[int, Result]]],
        *,
        scope: str | None = None,
    ) -> Response:
        """`begin`, then `fn()` → (status, result), then `answer`."""
        if (replayed := await self.begin(body, scope=scope)) is not None:
            return replayed
        status_code, result = await fn()
        return await self.answer(result, status_code)


def _checked(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise IdempotencyKeyMalformed(details={"field": "Idempotency-Key"})
    return key


_KEY_HELP = (
    "8–128 characters [A-Za-z0-9._:-]; a retry with the same key and body answers the first "
    "response"
)


async def required_key(
    request: Request,
    session: SessionDep,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", description=f"required; {_KEY_HELP}")
    ] = None,
) -> KeyedWrite:
    if idempotency_key is None:
        raise IdempotencyKeyRequired()
    return KeyedWrite(request, session, _checked(idempotency_key))


async def optional_key(
    request: Request,
    session: SessionDep,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", description=f"optional; {_KEY_HELP}")
    ] = None,
) -> KeyedWrite:
    key = None if idempotency_key is None else _checked(idempotency_key)
    return KeyedWrite(request, session, key)


implies(required_key, IdempotencyKeyRequired, IdempotencyKeyMalformed, IdempotencyKeyReused)
implies(optional_key, IdempotencyKeyMalformed, IdempotencyKeyReused)

KeyedWriteDep = Annotated[KeyedWrite, Depends(required_key)]
OptionalKeyedWriteDep = Annotated[KeyedWrite, Depends(optional_key)]

REQUIRED_HEADERS: dict[Callable[..., Any], str] = {required_key: "Idempotency-Key"}
"""Dependencies whose header is required although FastAPI sees a default (the 428 is ours)."""
