"""Expected failures, as typed results.

The convention, for every field: a field that can fail in an expected way returns a union of
its success type and error types that implement the `Error` interface (`code`, `message` in
Chinese, `messageEn`), e.g. `declarations: DeclarationsResult` is `DeclarationPage |
Unauthenticated | Forbidden | InvalidArgument | ServiceUnavailable | UpstreamFailed`. The
`code` strings are those of the REST error model. The top-level GraphQL `errors` list is left
for what is not expected: documents refused by validation (depth, alias and token limits) and
bugs, whose messages are masked.

A POST that is not a GraphQL request at all (no JSON object, the wrong content type) has no
GraphQL answer to carry an error: it is refused in the REST error model, `{"error": {...}}`,
as a 400 `bad_graphql_request` (`details.reason` says why), or as the edge's 422
`invalid_input` for what the kit's input guard refuses (NUL, invalid UTF-8, deep nesting).
"""

from typing import Any

import httpx
import strawberry
from strawberry.scalars import JSON

from ladder.kit.errors import LadderError, NotFound, Unauthenticated
from ladder.kit.inputs import InvalidInput


@strawberry.interface(description="An expected failure; `code` is stable, messages are for people")
class Error:
    code: str
    message: str
    message_en: str
    details: JSON | None = strawberry.field(
        default=None, description="the service's `details`, as REST answers them"
    )


@strawberry.type(name="Unauthenticated", description="No token, or a token that does not verify")
class UnauthenticatedError(Error):
    reason: str | None = None


@strawberry.type(name="Forbidden", description="The caller may not see this")
class ForbiddenError(Error):
    pass


@strawberry.type(
    name="NotFound",
    description="Nothing of that name the caller may see (as REST's 404: existence is not told)",
)
class NotFoundError(Error):
    pass


@strawberry.type(name="InvalidArgument", description="An argument is out of range or malformed")
class InvalidArgumentError(Error):
    field: str | None = None


@strawberry.type(
    name="ServiceUnavailable", description="A service behind the gateway did not answer in time"
)
class ServiceUnavailableError(Error):
    service: str


@strawberry.type(name="UpstreamFailed", description="A service behind the gateway answered badly")
class UpstreamFailedError(Error):
    service: str
    status: int | None = None


FieldError = (
    UnauthenticatedError
    | ForbiddenError
    | NotFoundError
    | InvalidArgumentError
    | ServiceUnavailableError
    | UpstreamFailedError
)


class UpstreamFailure(Exception):
    """Raised inside the gateway's upstream calls; a resolver returns `.error`."""

    def __init__(self, error: FieldError) -> None:
        super().__init__(error.code)
        self.error = error


def unauthenticated(failure: LadderError | None) -> UnauthenticatedError:
    if failure is None:
        return UnauthenticatedError(
            code="unauthenticated",
            message="未认证：缺少访问令牌",
            message_en="Not authenticated: no access token",
            reason="missing_token",
        )
    return UnauthenticatedError(
        code=failure.code,
        message=failure.message,
        message_en=failure.message_en,
        reason=failure.details.get("reason"),
    )


def invalid_argument(field: str, message: str, message_en: str) -> InvalidArgumentError:
    return InvalidArgumentError(
        code="validation_error", message=message, message_en=message_en, field=field
    )


def from_transport_failure(service: str, failure: LadderError) -> FieldError:
    """A call that got no answer (see `ladder.gateway.upstreams.upstream_failure`)."""
    if failure.status_code in (503, 504):
        return ServiceUnavailableError(
            code=failure.code,
            message=failure.message,
            message_en=failure.message_en,
            service=service,
        )
    return UpstreamFailedError(
        code=failure.code, message=failure.message, message_en=failure.message_en, service=service
    )


def from_ladder_error(service: str, failure: LadderError) -> FieldError:
    """A kit error raised by a call the gateway made for the field, as its typed error."""
    if isinstance(failure, Unauthenticated):
        return unauthenticated(failure)
    return from_transport_failure(service, failure)


def from_error_response(service: str, resp: httpx.Response) -> FieldError:
    """An upstream's non-2xx answer, keeping its own code and messages where it sent them."""
    code, message, message_en = _error_model(resp)
    status = resp.status_code
    if status == 401:
        return UnauthenticatedError(
            code=code or "unauthenticated",
            message=message or "未认证",
            message_en=message_en or "Not authenticated",
            reason="rejected_by_service",
        )
    if status == 403:
        return ForbiddenError(
            code=code or "forbidden",
            message=message or "无权查看",
            message_en=message_en or "Not allowed",
        )
    if status == 404:
        return not_found(code, message, message_en)
    if status in (400, 422):
        return InvalidArgumentError(
            code=code or "validation_error",
            message=message or "参数不合法",
            message_en=message_en or "Invalid argument",
        )
    if status == 503:
        return ServiceUnavailableError(
            code=code or "service_unavailable",
            message=message or "服务暂不可用",
            message_en=message_en or "Service unavailable",
            service=service,
        )
    return UpstreamFailedError(
        code=code or "upstream_error",
        message=message or "依赖的服务返回了无效应答",
        message_en=message_en or "A service answered badly",
        service=service,
        status=status,
    )


def not_found(
    code: str | None = None, message: str | None = None, message_en: str | None = None
) -> NotFoundError:
    return NotFoundError(
        code=code or "not_found",
        message=message or "资源不存在",
        message_en=message_en or "Not found",
    )


def bad_answer(service: str, status: int) -> UpstreamFailedError:
    return UpstreamFailedError(
        code="upstream_error",
        message="依赖的服务返回了无法解析的应答",
        message_en="A service answered with something that could not be read",
        service=service,
        status=status,
    )


def _error_model(resp: httpx.Response) -> tuple[str | None, str | None, str | None]:
    try:
        error: Any = resp.json().get("error")
    except (ValueError, AttributeError):
        return None, None, None
    if not isinstance(error, dict):
        return None, None, None
    fields = (error.get("code"), error.get("message"), error.get("message_en"))
    return tuple(f if isinstance(f, str) else None for f in fields)  # type: ignore[return-value]


class BadGraphQLRequest(LadderError):
    """Not a GraphQL request: `details.reason` is `unsupported_content_type`, `empty_body`,
    `not_json`, `not_an_object` or `invalid_request` (a field of the wrong type, no query)."""

    status_code = 400
    code = "bad_graphql_request"
    message = "不是有效的 GraphQL 请求"
    message_en = "Not a valid GraphQL request"


_REQUEST_PROBLEMS: dict[str, tuple[str, str]] = {
    "unsupported_content_type": (
        "GraphQL 请求须以 application/json 发送",
        "A GraphQL request must be sent as application/json",
    ),
    "empty_body": ("请求体为空", "The body is empty"),
    "not_json": ("请求体不是 JSON", "The body is not JSON"),
    "not_an_object": (
        '请求体须为 JSON 对象，如 {"query": "..."}',
        'The body must be a JSON object such as {"query": "..."}',
    ),
}


def bad_request(reason: str) -> BadGraphQLRequest:
    message, message_en = _REQUEST_PROBLEMS[reason]
    return BadGraphQLRequest(message, message_en, details={"reason": reason})


class MethodNotAllowed(LadderError):
    status_code = 405
    code = "method_not_allowed"
    message = "不支持的请求方法"
    message_en = "Method not allowed"


class RefusedInput(LadderError):
    """The kit's `InvalidInput`, raised where the edge guard did not look (a body whose
    content type it does not read as JSON): the same 422 `invalid_input` answer."""

    status_code = 422
    code = "invalid_input"

    @classmethod
    def of(cls, refused: InvalidInput) -> "RefusedInput":
        error = refused.body()["error"]
        return cls(error["message"], error["message_en"], details=error["details"])


def from_view_refusal(status: int, reason: str) -> LadderError:
    """What strawberry's view refuses (its `HTTPException`), in the error model. Its reasons
    name the rule broken, never the value sent, so the English one is kept as the detail."""
    if status == 404:
        return NotFound()
    if status == 405:
        return MethodNotAllowed()
    return BadGraphQLRequest(
        message_en=f"Not a valid GraphQL request: {reason}",
        details={"reason": "invalid_request"},
    )
