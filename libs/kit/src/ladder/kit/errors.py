"""The error model every Ladder process answers with.

A domain failure is a `LadderError` subclass with a stable `code` and an HTTP status; one set
of handlers renders every failure (ours, validation, routing) as

    {"error": {"code": "...", "message": "中文", "message_en": "...", "details": {...}}}

Bugs are not turned into anything else: an unexpected exception is a 500 with code
`internal_error` and no internals leaked, logged once with its traceback and the request id.
`RequestContextMiddleware` (`ladder.kit.observability`) answers it, inside Starlette's
`ServerErrorMiddleware`, so the server never sees the exception and the keep-alive connection
stays open for the next request. A database that cannot be reached is not a bug: it is a 503
`database_unavailable` with `Retry-After` (`ladder.kit.db.install_database_errors`).

The envelope is built language-neutral (`message` Chinese, `message_en` English) and put in
the language the request asks for only when it is answered (`render_error`,
`ladder.kit.negotiation`): `Accept-Language: en` gives the English text in `message` too.
Bodies kept for later (a keyed write's stored answer, an outbox rejection) stay neutral.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ladder.kit.negotiation import (
    DEFAULT_LANGUAGE,
    add_vary,
    language_of,
    localized,
)

_log = logging.getLogger("ladder.errors")


class LadderError(Exception):
    """A domain failure with a stable code, a status and messages in Chinese and English."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    message: ClassVar[str] = "请求无效"
    message_en: ClassVar[str] = "Bad request"

    def __init__(
        self,
        message: str | None = None,
        message_en: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or type(self).message
        self.message_en = message_en or type(self).message_en
        self.details = details or {}
        self.headers = headers
        super().__init__(self.message_en)

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.message_en, self.details)


def error_body(code: str, message: str, message_en: str, details: dict[str, Any] | None = None):
    return {
        "error": {
            "code": code,
            "message": message,
            "message_en": message_en,
            "details": details or {},
        }
    }


class BadRequest(LadderError):
    pass


class Unauthenticated(LadderError):
    status_code = 401
    code = "unauthenticated"
    message = "未认证：缺少或无效的访问令牌"
    message_en = "Not authenticated: missing or invalid access token"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="ladder"'})
        super().__init__(*args, **kwargs)


class Forbidden(LadderError):
    status_code = 403
    code = "forbidden"
    message = "无权执行此操作"
    message_en = "You are not allowed to do this"


class NotFound(LadderError):
    status_code = 404
    code = "not_found"
    message = "资源不存在"
    message_en = "Not found"


class NotInJurisdiction(NotFound):
    """Outside the caller's jurisdiction: answered as 404 so existence does not leak."""

    code = "not_found"


class Conflict(LadderError):
    status_code = 409
    code = "conflict"
    message = "与当前状态冲突"
    message_en = "Conflicts with the current state"


class PreconditionRequired(LadderError):
    status_code = 428
    code = "if_match_required"
    message = "修改共享记录须携带 If-Match 请求头"
    message_en = "Editing a shared record requires an If-Match header"


class PreconditionFailed(LadderError):
    status_code = 412
    code = "stale_etag"
    message = "记录已被他人修改，请刷新后重试"
    message_en = "The record was changed by someone else; reload and retry"


class IdempotencyKeyRequired(LadderError):
    status_code = 428
    code = "idempotency_key_required"
    message = "此操作须携带 Idempotency-Key 请求头"
    message_en = "This operation requires an Idempotency-Key header"


class IdempotencyKeyReused(LadderError):
    status_code = 422
    code = "idempotency_key_reused"
    message = "同一 Idempotency-Key 已用于另一请求"
    message_en = "This Idempotency-Key was already used for a different request"


class IdempotencyKeyMalformed(LadderError):
    status_code = 400
    code = "idempotency_key_malformed"
    message = "Idempotency-Key 格式无效（8–128 位字母、数字或 ._:-）"
    message_en = "Malformed Idempotency-Key (8–128 of A-Z a-z 0-9 . _ : -)"


class ValidationFailed(LadderError):
    """The request's path, query, header or body breaks its schema (FastAPI's validation,
    rendered in the one envelope with the fields that broke)."""

    status_code = 422
    code = "validation_error"
    message = "请求数据不合法"
    message_en = "Invalid request data"


class ServiceUnavailable(LadderError):
    status_code = 503
    code = "service_unavailable"
    message = "依赖的服务暂不可用，请稍后重试"
    message_en = "A service this request depends on is unavailable; retry later"


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached (down, restarting, out of connections): worth a retry."""

    code = "database_unavailable"
    message = "数据库暂不可用，请稍后重试"
    message_en = "The database is unavailable; retry later"
    retry_after_seconds: ClassVar[int] = 5

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(self.retry_after_seconds)})
        super().__init__(*args, **kwargs)


class UpstreamError(LadderError):
    status_code = 502
    code = "upstream_error"
    message = "依赖的服务返回了无效应答"
    message_en = "A service this request depends on answered badly"


class PayloadTooLarge(LadderError):
    status_code = 413
    code = "payload_too_large"
    message = "请求体过大"
    message_en = "Request body too large"


_STATUS_CODES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求无效", "Bad request"),
    401: ("unauthenticated", "未认证", "Not authenticated"),
    403: ("forbidden", "无权执行此操作", "Forbidden"),
    404: ("not_found", "资源不存在", "Not found"),
    405: ("method_not_allowed", "不支持的请求方法", "Method not allowed"),
    413: ("payload_too_large", "请求体过大", "Request body too large"),
    415: ("unsupported_media_type", "不支持的内容类型", "Unsupported media type"),
    429: ("rate_limited", "请求过于频繁", "Too many requests"),
}


class ErrorBody(BaseModel):
    code: str
    message: str
    message_en: str
    details: dict[str, Any] = {}


class ErrorResponse(BaseModel):
    """The shape of every error answer; declared in OpenAPI for each route."""

    error: ErrorBody


# ---- errors declared per route -------------------------------------------------------------
#
# A route names the domain errors it can raise: `responses=declare(CaseNotFound, NotCaseHolder)`.
# The errors its dependencies imply (a token → 401, a role check → 403, an Idempotency-Key →
# 428/400/422, If-Match → 428/412, parameters → 422 validation_error, the database → 503) are
# added from the dependency tree (`implies`). OpenAPI lists the codes per status
# (`ladder.kit.docs`), and a raised code the route did not declare is recorded in `UNDECLARED`
# (the test suite fails on it: `conftest.py`).

CODES_KEY = "x-error-codes"
_IMPLIED: dict[Any, tuple[type[LadderError], ...]] = {}
_CACHE_ATTR = "_ladder_declared_errors"  # kept on the route: an id() could be reused
UNDECLARED: list[tuple[str, str, str]] = []
"""(method, path template, code) of every raised error its route did not declare."""


def implies(dependency: Any, *errors: type[LadderError]) -> None:
    """Every route that depends on `dependency` (a FastAPI dependency callable) can answer
    `errors`: they are declared for it without being named."""
    _IMPLIED[dependency] = (*_IMPLIED.get(dependency, ()), *errors)


def declare(*errors: type[LadderError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` naming the domain errors a route raises, grouped by status."""
    out: dict[int | str, dict[str, Any]] = {}
    for err in errors:
        entry = out.setdefault(err.status_code, {"model": ErrorResponse, CODES_KEY: []})
        # An error whose code is per instance names them all in `codes`.
        for code in getattr(err, "codes", None) or (err.code,):
            if code not in entry[CODES_KEY]:
                entry[CODES_KEY].append(code)
    return out


def _dependency_calls(dependant: Any) -> list[Any]:
    calls, stack = [], [dependant]
    while stack:
        d = stack.pop()
        if d.call is not None:
            calls.append(d.call)
        stack.extend(d.dependencies)
    return calls


def _has_inputs(dependant: Any) -> bool:
    stack = [dependant]
    while stack:
        d = stack.pop()
        if d.path_params or d.query_params or d.header_params or d.body_params:
            return True
        if d.cookie_params:
            return True
        stack.extend(d.dependencies)
    return False


def declared_errors(route: Any) -> dict[int, list[str]]:
    """Status → codes a route declares: those it names (`declare`) and those its dependencies
    and inputs imply. A route that names none can answer only the implied ones."""
    cached = getattr(route, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    named = {
        int(status): list(entry[CODES_KEY])
        for status, entry in (getattr(route, "responses", None) or {}).items()
        if isinstance(entry, dict) and CODES_KEY in entry
    }
    result = named
    dependant = getattr(route, "dependant", None)
    implied: list[type[LadderError]] = []
    if dependant is not None:
        for call in _dependency_calls(dependant):
            implied.extend(_IMPLIED.get(call, ()))
        if _has_inputs(dependant) or getattr(route, "body_field", None) is not None:
            implied.append(ValidationFailed)
    for err in implied:
        codes = result.setdefault(err.status_code, [])
        if err.code not in codes:
            codes.append(err.code)
    try:
        setattr(route, _CACHE_ATTR, result)
    except AttributeError:  # an object without a __dict__: computed each time
        pass
    return result


def check_declared(request: Request, status_code: int, code: str) -> None:
    """Record `code` if the route that raised it does not declare it (see `UNDECLARED`)."""
    route = request.scope.get("route")
    if route is None or status_code >= 500:
        return
    declared = declared_errors(route)
    if code in declared.get(status_code, ()):
        return
    path = getattr(route, "path", request.url.path)
    UNDECLARED.append((request.method, path, f"{status_code} {code}"))
    _log.error("undeclared error code %s %s for %s %s", status_code, code, request.method, path)


def _field_path(loc: tuple[Any, ...]) -> str:
    """`("body", "facts", "segments", 0)` → `facts.segments[0]`."""
    path = ""
    for part in loc:
        if part in ("body", "query", "path", "header") and not path:
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or ".".join(str(p) for p in loc)


# Chinese for the validation errors pydantic names (`type`), worded from its `ctx`; pydantic
# words them in English only (`message_en`). A type not listed here gets the generic one.
_VALIDATION_ZH: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "须为字符串",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "至多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符合要求",
    "int_type": "须为整数",
    "int_parsing": "须为整数",
    "int_from_float": "须为整数",
    "float_type": "须为数字",
    "float_parsing": "须为数字",
    "decimal_type": "须为数字",
    "decimal_parsing": "须为数字",
    "finite_number": "须为有限的数字",
    "bool_type": "须为布尔值",
    "bool_parsing": "须为布尔值",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "须不小于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "须不大于 {le}",
    "multiple_of": "须为 {multiple_of} 的倍数",
    "too_short": "至少 {min_length} 项",
    "too_long": "至多 {max_length} 项",
    "list_type": "须为数组",
    "tuple_type": "须为数组",
    "set_type": "须为数组",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "literal_error": "须为以下之一：{expected}",
    "enum": "须为以下之一：{expected}",
    "uuid_type": "须为 UUID",
    "uuid_parsing": "须为 UUID",
    "date_type": "须为日期（YYYY-MM-DD）",
    "date_parsing": "须为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "须为日期（YYYY-MM-DD）",
    "datetime_type": "须为日期时间（ISO 8601）",
    "datetime_parsing": "须为日期时间（ISO 8601）",
    "datetime_from_date_parsing": "须为日期时间（ISO 8601）",
    "url_type": "须为 URL",
    "url_parsing": "须为 URL",
    "url_scheme": "URL 协议不允许",
    "json_invalid": "不是有效的 JSON",
    "union_tag_invalid": "类型标记无效",
    "union_tag_not_found": "缺少类型标记",
}
_VALIDATION_ZH_DEFAULT = "取值无效"


def _validation_zh(err: dict[str, Any]) -> str:
    template = _VALIDATION_ZH.get(str(err.get("type")), _VALIDATION_ZH_DEFAULT)
    try:
        return template.format_map(err.get("ctx") or {})
    except (KeyError, IndexError, ValueError):
        return _VALIDATION_ZH_DEFAULT


def validation_details(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """`{"fields": [{field, type, message (中文), message_en}]}` for pydantic's errors."""
    fields = []
    for err in errors:
        fields.append(
            {
                "field": _field_path(tuple(err.get("loc", ()))),
                "type": err.get("type"),
                "message": _validation_zh(err),
                "message_en": err.get("msg"),
            }
        )
    return {"fields": fields}


INTERNAL_ERROR = error_body("internal_error", "服务器内部错误", "Internal server error")


def render_error(
    request: Request | None,
    body: dict[str, Any],
    status_code: int,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """An error answer in the language `request` asks for (`ladder.kit.negotiation`), saying
    so (`Content-Language`, `Vary: Accept-Language`). Without a request: the default."""
    language = (
        language_of(request.headers.getlist("accept-language"))
        if request is not None
        else DEFAULT_LANGUAGE
    )
    response = JSONResponse(localized(body, language), status_code=status_code, headers=headers)
    response.headers["Content-Language"] = language
    add_vary(response.headers, "Accept-Language")
    return response


def error_response(exc: LadderError, request: Request | None = None) -> JSONResponse:
    return render_error(request, exc.body(), exc.status_code, exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Render every failure with the one error model."""

    @app.exception_handler(LadderError)
    async def _ladder(request: Request, exc: LadderError) -> JSONResponse:
        check_declared(request, exc.status_code, exc.code)
        return error_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        check_declared(request, 422, ValidationFailed.code)
        details = validation_details(list(exc.errors()))
        names = ", ".join(f["field"] for f in details["fields"][:5])
        return render_error(
            request,
            error_body(
                ValidationFailed.code,
                f"请求数据不合法：{names}",
                f"Invalid request data: {names}",
                details,
            ),
            422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, zh, en = _STATUS_CODES.get(exc.status_code, ("http_error", "请求失败", "Failed"))
        detail = exc.detail if isinstance(exc.detail, str) else en
        return render_error(
            request,
            error_body(code, zh, detail if detail != en else en),
            exc.status_code,
            getattr(exc, "headers", None),
        )

    # Only the net under an app without `RequestContextMiddleware`, which answers bugs itself:
    # Starlette runs this handler in `ServerErrorMiddleware` and then re-raises to the server,
    # which logs the traceback (so not here too) and closes the connection.
    @app.exception_handler(Exception)
    async def _bug(request: Request, __: Exception) -> JSONResponse:
        return render_error(request, INTERNAL_ERROR, 500)
