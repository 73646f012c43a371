"""Routes of the exports: each is the path of the list it exports with `/export`, and
`?format=csv|xlsx|json` (one way for every export). Reads only: no Idempotency-Key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from ladder.kit.clock import ClockDep
from ladder.kit.errors import declare
from ladder.kit.exports import (
    MAX_CONCURRENT_EXPORTS,
    CsvEncoding,
    ExportFormat,
    ExportSessionDep,
    export_response,
    export_responses,
)
from ladder.kit.params import CampaignYearPath
from ladder.review.cases.auth import ReviewerDep
from ladder.review.cases.machine import CaseStatus
from ladder.review.exports import service
from ladder.review.exports.schemas import CASE_COLUMNS, PUBLISHED_COLUMNS, described
from ladder.review.national.data import NationalTier
from ladder.review.national.errors import PublishedListNotFound
from ladder.review.vocabulary import Tier

router = APIRouter(tags=["exports"])

FormatQuery = Annotated[
    ExportFormat,
    Query(
        alias="format",
        description="csv (RFC 4180; UTF-8 with a byte-order mark, or `encoding=gb18030`), "
        "xlsx (one sheet, header frozen; text cells never formulas), json (one array, a row "
        "per line, keyed by the column keys)",
    ),
]
EncodingQuery = Annotated[
    CsvEncoding,
    Query(description="CSV only: utf-8 (with BOM, which Excel needs for Chinese) or gb18030"),
]
FORMATS = (
    "Streamed as it is read (no row limit; memory constant in the rows). In CSV a text "
    "starting with = + - @, a tab or a CR gets a leading apostrophe; in XLSX every text is a "
    "text cell, with the quote prefix there. Instants are in Beijing time. At most "
    f"{MAX_CONCURRENT_EXPORTS} exports at once per process (503 `exports_busy`, Retry-After)."
)


INBOX_EXPORT = (
    "The cases `GET /v1/inbox` lists for the caller, every one, oldest received first: "
    "authorities only, each within its jurisdiction (a county its district, a city its "
    "prefecture, a province its province, a group HQ its group, the XPCC its own, the ministry "
    "all — by default only those held at its level; the ministry holds none, `held=false`). "
    f"{FORMATS} Columns: {described(CASE_COLUMNS)}."
)

PUBLISHED_EXPORT = (
    "Every project of the list published when the 公示 closed, numbered in order (those "
    "withdrawn after an upheld objection are not on it); public, like the list itself; 404 "
    f"`published_list_not_found` before. {FORMATS} Columns: {described(PUBLISHED_COLUMNS)}."
)


@router.get(
    "/v1/inbox/export",
    response_class=Response,
    responses={**export_responses("the cases, as a file"), **declare()},
    summary="The inbox as a file: ?format=csv|xlsx|json, with the inbox's filters "
    "(held, tier, status); streamed",
    description=INBOX_EXPORT,
)
async def export_inbox(
    principal: ReviewerDep,
    session: ExportSessionDep,
    clock: ClockDep,
    fmt: FormatQuery,
    held: Annotated[
        bool,
        Query(
            description="true: only the cases held at the caller's level (its move); "
            "false: every case in its jurisdiction (oversight)"
        ),
    ] = True,
    tier: Annotated[Tier | None, Query()] = None,
    status_filter: Annotated[CaseStatus | None, Query(alias="status")] = None,
    encoding: EncodingQuery = CsvEncoding.utf_8,
) -> Response:
    rows = service.cases(
        session,
        principal,
        held=held,
        tier=tier.value if tier else None,
        status=status_filter.value if status_filter else None,
    )
    name, ascii_name = service.cases_file_name(principal, held, clock.now())
    return export_response(
        fmt, CASE_COLUMNS, rows, name=name, ascii_name=ascii_name, encoding=encoding,
        sheet_title="申报案件",
    )  # fmt: skip


@router.get(
    "/public/v1/published-lists/{campaign}/{tier}/export",
    response_class=Response,
    responses={
        **export_responses("the published list, as a file"),
        **declare(PublishedListNotFound),
    },
    summary="The published list (卓越级 名单 / 领航级 培育对象名单) as a file: "
    "?format=csv|xlsx|json (no token); streamed",
    description=PUBLISHED_EXPORT,
)
async def export_published_list(
    campaign: CampaignYearPath,
    tier: NationalTier,
    session: ExportSessionDep,
    fmt: FormatQuery,
    encoding: EncodingQuery = CsvEncoding.utf_8,
) -> Response:
    rows = await service.published_list(session, campaign, tier)
    name, ascii_name = service.published_file_name(campaign, tier)
    return export_response(
        fmt, PUBLISHED_COLUMNS, rows, name=name, ascii_name=ascii_name, encoding=encoding,
        sheet_title="名单",
    )  # fmt: skip
