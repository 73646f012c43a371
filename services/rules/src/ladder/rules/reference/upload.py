"""Reading an upload: a JSON body, or a CSV file with the metadata as query parameters.

Both end as the same `DatasetUpload`, validated by the same model, so a bad value is reported
with the same field name (`rows[2].value`) whichever way it came. The body is read with a cap
of its own (1 MiB), below the process-wide one, because a table is small.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from ladder.kit.errors import PayloadTooLarge
from ladder.rules.reference.errors import InvalidCsv, UnexpectedParameter, UnsupportedMediaType
from ladder.rules.reference.schemas import MAX_BODY_BYTES, MAX_ROWS, DatasetUpload

CSV_HEADER = ["region", "value"]
_INTEGER = re.compile(r"^[+-]?[0-9]{1,9}$")


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"参考数据文件超过上限 {limit} 字节",
        f"A reference table upload may not exceed {limit} bytes",
        details={"limit_bytes": limit},
    )


def media_type(request: Request) -> tuple[str, dict[str, str]]:
    raw = request.headers.get("content-type", "")
    kind, *params = (p.strip() for p in raw.split(";"))
    options = {}
    for p in params:
        name, _, value = p.partition("=")
        options[name.strip().lower()] = value.strip().strip('"').lower()
    return kind.lower(), options


def parse(body: bytes, content_type: str, options: dict[str, str], query: dict[str, Any]):
    """The upload in `body`; `query` holds kind/year/source_note/sample as given (or None)."""
    given = {k: v for k, v in query.items() if v is not None}
    if content_type == "application/json":
        if given:
            raise UnexpectedParameter([(name, "send it in the JSON body") for name in given])
        return _validated(_json(body))
    if content_type == "text/csv":
        charset = options.get("charset", "utf-8")
        if charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(details={"charset": charset})
        return _validated({**given, "rows": csv_rows(body)})
    raise UnsupportedMediaType(details={"content_type": content_type or None})


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body",), "msg": f"JSON decode error: {exc}"}]
        ) from None


def _validated(data: Any) -> DatasetUpload:
    try:
        return DatasetUpload.model_validate(data)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


def csv_rows(body: bytes) -> list[dict[str, Any]]:
    """`region,value` rows as dicts; integers parsed, anything else left for the model to refuse.

    UTF-8 with or without a byte-order mark (Excel writes one); blank lines are skipped.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidCsv([("body", f"not UTF-8 at byte {exc.start}")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = [(reader.line_num, cells) for cells in reader if any(c.strip() for c in cells)]
    except csv.Error as exc:
        raise InvalidCsv([("body", f"line {reader.line_num}: {exc}")]) from None
    if not lines or [c.strip().lower() for c in lines[0][1]] != CSV_HEADER:
        raise InvalidCsv([("body", "the first line must be the header region,value")])
    rows = []
    for i, (number, cells) in enumerate(lines[1:]):
        if i >= MAX_ROWS + 1:  # enough for the model to say "too many"
            break
        if len(cells) != 2:
            raise InvalidCsv([(f"rows[{i}]", f"line {number}: expected 2 cells, got {len(cells)}")])
        region, value = (c.strip() for c in cells)
        rows.append({"region": region, "value": int(value) if _INTEGER.match(value) else value})
    return rows
