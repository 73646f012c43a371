"""The mutations' calls: one write to one service's REST route, as the caller.

The request carries what the REST proxy would send for the same call: the caller's own bearer
token, the request id, the client's address as the gateway determined it (`X-Forwarded-For`:
the 公示's objections are keyed per address), the GraphQL request's `Accept-Language` (the
services choose the language of `message` by it), and the `If-Match` and `Idempotency-Key`
the mutation was given. Nothing is retried: a write that got no answer may have been done, and
only its Idempotency-Key makes sending it again safe — the portal's choice.

Every outcome is a value: the parsed answer and its ETag, or the typed error of
`mutation_types` with the service's code, messages and details (`refusal`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from ladder.gateway.clients import client_ip
from ladder.gateway.graphql.errors import (
    ForbiddenError,
    InvalidArgumentError,
    NotFoundError,
    ServiceUnavailableError,
    UnauthenticatedError,
    UpstreamFailedError,
    bad_answer,
    from_transport_failure,
    invalid_argument,
)
from ladder.gateway.graphql.mutation_models import ErrorEnvelope
from ladder.gateway.graphql.mutation_types import (
    ConflictError,
    PreconditionFailedError,
    PreconditionRequiredError,
    RateLimitedError,
    ValidationFailedError,
)
from ladder.gateway.upstreams import upstream_failure
from ladder.kit.auth import bearer_token
from ladder.kit.errors import LadderError
from ladder.kit.observability import request_id_var

log = logging.getLogger("ladder.gateway.graphql")
M = TypeVar("M", bound=BaseModel)

# A path segment the gateway puts in a service's URL from an argument: nothing that could
# step out of the route (`/`, `.`, `%`, `?`); the service checks the value itself.
_SEGMENT = re.compile(r"^[A-Za-z0-9:_-]{1,80}$")
# A header value from an argument (If-Match, Idempotency-Key): visible ASCII and spaces only,
# so no argument can end a header or start another.
_HEADER_VALUE = re.compile(r"^[\x20-\x7e]{1,512}$")


@dataclass
class Written(Generic[M]):
    answer: M
    etag: str


def segment(value: str, field: str) -> str | InvalidArgumentError:
    if _SEGMENT.match(value):
        return value
    return invalid_argument(
        field, f"{field} 含有不允许的字符", f"{field} has characters not allowed"
    )


def header_value(value: str, field: str) -> str | InvalidArgumentError:
    if _HEADER_VALUE.match(value):
        return value
    return invalid_argument(
        field,
        f"{field} 须为 1–512 个可见 ASCII 字符",
        f"{field} must be 1–512 visible ASCII characters",
    )


def caller_headers(request: Request, *, authorized: bool) -> dict[str, str]:
    """What every write sends besides its own headers; the token only for a verified caller."""
    headers = {"X-Request-ID": request_id_var.get() or "", "X-Forwarded-For": client_ip(request)}
    if authorized and (token := bearer_token(request)) is not None:
        headers["Authorization"] = f"Bearer {token}"
    if language := request.headers.get("accept-language"):
        headers["Accept-Language"] = language
    return headers


async def send(
    request: Request,
    service: str,
    method: str,
    path: str,
    answer: type[M],
    *,
    authorized: bool = True,
    json: dict[str, Any] | None = None,
    if_match: str | None = None,
    idempotency_key: str | None = None,
) -> Written[M] | Any:
    """`method path` on `service` with `json`, the answer parsed as `answer`; or the typed
    error."""
    headers = caller_headers(request, authorized=authorized)
    for name, value in (("If-Match", if_match), ("Idempotency-Key", idempotency_key)):
        if value is not None:
            checked = header_value(value, "ifMatch" if name == "If-Match" else "idempotencyKey")
            if isinstance(checked, InvalidArgumentError):
                return checked
            headers[name] = checked
    client: httpx.AsyncClient = request.app.state.upstreams[service]
    try:
        resp = await client.request(method, path, json=json, headers=headers)
    except httpx.TransportError as exc:
        return from_transport_failure(service, upstream_failure(service, exc))
    if not 200 <= resp.status_code < 300:
        return refusal(service, resp)
    try:
        parsed = answer.model_validate_json(resp.content)
    except ValidationError as exc:
        # Where it did not parse, never what it held (an answer may carry personal data).
        where = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})[:5]
        log.warning("unreadable answer from %s %s: %s", service, path, ", ".join(where))
        return bad_answer(service, resp.status_code)
    etag = getattr(parsed, "etag", None) or resp.headers.get("etag") or ""
    return Written(parsed, etag)


_BY_STATUS: dict[int, type] = {
    400: InvalidArgumentError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    413: InvalidArgumentError,
    422: ValidationFailedError,
    428: PreconditionRequiredError,
}


def refusal(service: str, resp: httpx.Response) -> Any:
    """A service's error answer as the typed error of its status, its envelope kept whole; an
    answer that is not the envelope is `UpstreamFailed`."""
    try:
        error = ErrorEnvelope.model_validate_json(resp.content).error
    except ValidationError:
        log.warning("error answer of %s without the error model: %s", service, resp.status_code)
        return bad_answer(service, resp.status_code)
    status = resp.status_code
    common = {
        "code": error.code,
        "message": error.message,
        "message_en": error.message_en,
        "details": error.details,
    }
    if status == 401:
        return UnauthenticatedError(**common, reason="rejected_by_service")
    if status == 412:
        current = error.details.get("current_etag")
        return PreconditionFailedError(
            **common, current_etag=current if isinstance(current, str) else None
        )
    if status == 429:
        wait = error.details.get("retry_after_seconds")
        return RateLimitedError(
            **common, retry_after_seconds=wait if isinstance(wait, int) else None
        )
    if status in (503, 504):
        return ServiceUnavailableError(**common, service=service)
    if (kind := _BY_STATUS.get(status)) is not None:
        return kind(**common)
    return UpstreamFailedError(**common, service=service, status=status)


def rate_limited(refused: LadderError) -> RateLimitedError:
    """The gateway's own 429 (`ladder.gateway.ratelimit`), as the typed error."""
    return RateLimitedError(
        code=refused.code,
        message=refused.message,
        message_en=refused.message_en,
        details=refused.details,
        retry_after_seconds=refused.details.get("retry_after_seconds"),
    )
