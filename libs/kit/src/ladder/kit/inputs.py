"""The edge of every process: text and JSON that no handler should ever see.

PostgreSQL cannot store a NUL character in `text`, and a lone UTF-16 surrogate cannot be
encoded as UTF-8 at all; both used to reach the database and come back as a 500 (whose logged
traceback carried the statement's parameters). JSON that Python's parser accepts but no
well-formed client sends — duplicate keys (which one wins?), `NaN`/`Infinity`, `1e400`,
integers of thousands of digits, nesting thousands deep — is refused here too, before
FastAPI parses the body, so every route gets the same answer without each model repeating it:

    422 {"error": {"code": "invalid_input", "details": {"reason": ..., "where": ..., "field": ...}}}

`reason` is one of `nul_character`, `control_character` (C0 controls but tab, CR, LF),
`unpaired_surrogate`, `invalid_utf8`, `duplicate_key`,
`non_finite_number`, `number_out_of_range`, `too_deeply_nested`. (A body that is not JSON at
all passes: the route answers that itself, a 422 `validation_error` or a 415.) `field`
names where it was found (`facts.summary`, `items[3].name`, a query parameter's name), never
the value: the value may be personal data, and the answer (like the log) must not echo it.

What is checked: the path, the query string, JSON bodies (`application/json`, `…+json`) and
form bodies (`application/x-www-form-urlencoded`). File uploads (CSV, XLSX, PDF) are the
readers' business: they check their cells themselves.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ladder.kit.errors import error_body
from ladder.kit.observability import send_error

MAX_DEPTH = 32
# JSON numbers Ladder accepts fit a signed 64-bit integer; anything larger is hostile.
MAX_INT = 2**63 - 1

_REASONS: dict[str, tuple[str, str]] = {
    "nul_character": ("含有空字符（NUL）", "contains a NUL character"),
    "unpaired_surrogate": ("含有不成对的代理字符", "contains an unpaired surrogate"),
    "control_character": ("含有控制字符", "contains a control character"),
    "invalid_utf8": ("不是有效的 UTF-8 编码", "is not valid UTF-8"),
    "duplicate_key": ("JSON 对象含有重复的键", "has a JSON object with a repeated key"),
    "non_finite_number": ("含有 NaN 或无穷大", "contains NaN or Infinity"),
    "number_out_of_range": ("含有超出范围的数字", "contains a number out of range"),
    "too_deeply_nested": (f"嵌套超过 {MAX_DEPTH} 层", f"is nested deeper than {MAX_DEPTH}"),
}
_WHERE = {"path": ("请求路径", "The path"), "query": ("查询参数", "The query"),
          "body": ("请求体", "The body")}  # fmt: skip


class InvalidInput(Exception):
    """Raised by the checks below; the middleware renders it as a 422."""

    def __init__(self, reason: str, where: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.where = where
        self.field = field

    def body(self) -> dict[str, Any]:
        zh, en = _REASONS[self.reason]
        where_zh, where_en = _WHERE[self.where]
        at_zh = f"（{self.field}）" if self.field else ""
        at_en = f" ({self.field})" if self.field else ""
        details: dict[str, Any] = {"reason": self.reason, "where": self.where}
        if self.field:
            details["field"] = self.field
        return error_body(
            "invalid_input", f"{where_zh}{at_zh}{zh}", f"{where_en}{at_en} {en}", details
        )


# C0 controls other than tab, line feed and carriage return: never typed by a person, and
# illegal in the XML of the spreadsheets and PDFs Ladder writes from what was typed.
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = re.compile(b"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_problem(value: str) -> str | None:
    """Why text may not be taken (`nul_character`, `control_character`,
    `unpaired_surrogate`), or None. Readers of uploaded files use it on every cell."""
    if "\x00" in value:
        return "nul_character"
    if _CONTROL.search(value):
        return "control_character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "unpaired_surrogate"
    return None


def check_text(value: str, where: str, field: str | None = None) -> None:
    """NUL, other control characters and lone surrogates are refused wherever text is taken."""
    reason = text_problem(value)
    if reason is not None:
        raise InvalidInput(reason, where, field)


def _check_encoded(raw: bytes, where: str) -> None:
    """A percent-encoded path or query (or a form body): decoded, it must be UTF-8 with no NUL."""
    for part in raw.split(b"&"):
        name, _, value = part.partition(b"=")
        field = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace")
        for chunk in (name, value):
            decoded = unquote_to_bytes(chunk.replace(b"+", b" "))
            if b"\x00" in decoded:
                raise InvalidInput("nul_character", where, field[:100] or None)
            if _CONTROL_BYTES.search(decoded):
                raise InvalidInput("control_character", where, field[:100] or None)
            try:
                decoded.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput("invalid_utf8", where, field[:100] or None) from None


def _check_path(raw: bytes) -> None:
    decoded = unquote_to_bytes(raw)
    if b"\x00" in decoded:
        raise InvalidInput("nul_character", "path")
    if _CONTROL_BYTES.search(decoded):
        raise InvalidInput("control_character", "path")
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("invalid_utf8", "path") from None


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _JsonRefused("duplicate_key", key)
            seen.add(key)
    return found


def _constant(_: str) -> float:
    raise _JsonRefused("non_finite_number")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _JsonRefused("non_finite_number")
    return value


class _JsonRefused(Exception):
    def __init__(self, reason: str, key: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.key = key


# What a hostile value must look like in the raw bytes: a NUL, a control character or a lone
# surrogate inside a string can only be written as an escape (a raw one is not JSON at all,
# except DEL); NaN, Infinity and numbers out of range as their tokens. A body showing none of
# these cannot fail the checks, so such a body — nearly every one — is parsed once, by the C
# parser, with only duplicate keys watched; one that does gets the full walk, which names the
# field (and accepts what only looked suspect: "\\\\u0000" typed as text, "NaN" in a name).
# The scans are bytes operations (translate, substring search), a few per cent of a parse.
_ESCAPE = re.compile(rb"\\(?:u(?:00[01][0-9a-fA-F]|007[fF]|[dD][89a-fA-F])|[bf])")
_CONTROLS = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_FOLD = bytes.maketrans(b"0123456789E" + _CONTROLS, b"0" * 10 + b"e" + b"\x01" * len(_CONTROLS))
_LONG_NUMBERS = (b"0" * 19, b"e000", b"e+000", b"e-000")
_BRACKETS = bytes.maketrans(b"[{]}", b"(())")
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'[]{}"')))


def _suspect(raw: bytes) -> bool:
    if b"\\" in raw and _ESCAPE.search(raw):
        return True
    if b"NaN" in raw or b"Infinity" in raw:
        return True
    folded = raw.translate(_FOLD)
    return b"\x01" in folded or any(token in folded for token in _LONG_NUMBERS)


def _nests_deeper_than(raw: bytes, limit: int) -> bool:
    """Whether the brackets outside strings nest deeper than `limit`: escapes and strings are
    dropped, brackets become parentheses, and each pass removes the innermost pairs."""
    text = raw.replace(b"\\\\", b"").replace(b'\\"', b"") if b"\\" in raw else raw
    shape = b"".join(text.translate(_BRACKETS, _NOT_STRUCTURE).split(b'"')[::2])
    for _ in range(limit):
        if not shape:
            return False
        shape = shape.replace(b"()", b"")
    return bool(shape)


def parse_json(raw: bytes) -> Any:
    """Parse a JSON body strictly and check every string and number in it (see the module
    docstring); raises `InvalidInput`. A body that is not JSON at all is not judged here."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("invalid_utf8", "body") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and _nests_deeper_than(raw, MAX_DEPTH):
        raise InvalidInput("too_deeply_nested", "body")
    try:
        if not _suspect(raw):
            return json.loads(text, object_pairs_hook=_object)
        value = json.loads(
            text, object_pairs_hook=_object, parse_constant=_constant, parse_float=_float
        )
    except _JsonRefused as refused:
        raise InvalidInput(refused.reason, "body", refused.key) from None
    except RecursionError:
        raise InvalidInput("too_deeply_nested", "body") from None
    except json.JSONDecodeError:
        # Not JSON at all: the route answers that itself (FastAPI's 422, or a 415 for a route
        # that takes files), as precisely as it can.
        return _NOT_JSON
    except ValueError:
        # Integers of more than 4,300 digits are refused by the parser itself.
        raise InvalidInput("number_out_of_range", "body") from None
    check_value(value)
    return value


_NOT_JSON = object()


def check_value(value: Any) -> None:
    """Walk a parsed JSON value (iteratively: a deep value must not exhaust the stack)."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidInput("too_deeply_nested", "body", path or None)
        if isinstance(item, str):
            check_text(item, "body", path or None)
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{path}.{key}" if path else key
                check_text(key, "body", name[:200])
                stack.append((child, name[:200], depth + 1))
        elif isinstance(item, list):
            for i, child in enumerate(item):
                stack.append((child, f"{path}[{i}]", depth + 1))
        elif isinstance(item, int) and not isinstance(item, bool):
            if abs(item) > MAX_INT:
                raise InvalidInput("number_out_of_range", "body", path or None)


def _media_type(scope: Scope) -> str:
    for name, value in scope.get("headers") or ():
        if name == b"content-type":
            return value.decode("latin-1").partition(";")[0].strip().lower()
    return ""


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


class InputGuardMiddleware:
    """Refuses hostile text and JSON before the app sees the request (see the module docstring).

    `skip_body_prefixes` leaves bodies of some paths alone: the gateway's REST proxy passes
    bodies through to the service, which checks them itself.
    """

    def __init__(self, app: ASGIApp, *, skip_body_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.skip_body_prefixes = skip_body_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        try:
            _check_path(scope.get("raw_path") or path.encode("utf-8", "surrogatepass"))
            _check_encoded(scope.get("query_string", b""), "query")
        except InvalidInput as refused:
            await _refuse(send, refused, scope)
            return
        media_type = _media_type(scope)
        skipped = bool(self.skip_body_prefixes) and path.startswith(self.skip_body_prefixes)
        if skipped or not (is_json(media_type) or media_type == _FORM):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                # The client went away before sending its body: nothing to answer.
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        try:
            if media_type == _FORM:
                _check_encoded(raw, "body")
            elif raw.strip():
                parse_json(raw)
        except InvalidInput as refused:
            await _refuse(send, refused, scope)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


_FORM = "application/x-www-form-urlencoded"


async def _refuse(send: Send, refused: InvalidInput, scope: Scope) -> None:
    await send_error(send, 422, refused.body(), scope=scope)
