"""Routes of the register of recognised tiers (认定记录): the import of earlier years' lists
(JSON, or a CSV/XLSX file), the authority and enterprise read, and the public read."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from ladder.declaration.recognitions import repository, service
from ladder.declaration.recognitions.errors import (
    MayNotImportRecognitions,
    RecognitionImportNotFound,
    RecognitionsRejected,
)
from ladder.declaration.recognitions.schemas import (
    DocumentNumber,
    ListImportIn,
    PublicRecognition,
    RecognitionImportRead,
    RecognitionRead,
    SourceNote,
)
from ladder.declaration.selfassessments.endpoints import receive_upload
from ladder.declaration.selfassessments.errors import UnsupportedFileType
from ladder.declaration.selfassessments.problems import Problems
from ladder.declaration.selfassessments.reader import FILE_BODY, UnreadableFile, open_table
from ladder.kit.auth import PrincipalDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import PayloadTooLarge, declare
from ladder.kit.pagination import Page, PageDep, PageParams
from ladder.kit.writes import KeyedWriteDep

router = APIRouter(prefix="/v1/recognitions", tags=["recognitions (认定记录)"])
public_router = APIRouter(prefix="/public/v1/recognitions", tags=["public: 认定名单"])

Tier = Literal["basic", "advanced", "excellence", "pilot"]
UsccPath = Annotated[str, Path(min_length=18, max_length=18, description="统一社会信用代码")]
IMPORT_ERRORS = (MayNotImportRecognitions, RecognitionsRejected)
_IMPORT_TEXT = (
    "By the ministry (rows of any region) or a province (rows of its own region only); "
    "Idempotency-Key required. Each row: USCC, enterprise name, factory name, region code "
    "(the factory's), tier (advanced/excellence/pilot or 先进级/卓越级/领航级) and the year "
    "recognised; the document number (文号) and a source note are the whole list's. Every row "
    "is checked; if any fails nothing is written and the answer is 422 "
    "`recognitions_rejected` listing each problem (row, column, code, message). Otherwise "
    "every row is written in one transaction: a row the register already holds (same "
    "enterprise, factory, tier and year) is counted `already_recorded` and left as it was. "
    "先进级 is recorded as the province's recognition, 卓越级 and 领航级 as the ministries'. An "
    "import record is kept either way."
)


@router.post(
    "/imports",
    status_code=status.HTTP_201_CREATED,
    response_model=RecognitionImportRead,
    responses=declare(*IMPORT_ERRORS),
    summary="Import an earlier year's recognised list (认定名单) as JSON (all or nothing)",
    description=_IMPORT_TEXT + " Rows are numbered from 1 in the order sent.",
)
async def import_list(
    data: ListImportIn, principal: PrincipalDep, write: KeyedWriteDep
) -> Response:
    service.ensure_may_import(principal)
    if (replayed := await write.begin(data)) is not None:
        return replayed
    rows = [(n, r.model_dump()) for n, r in enumerate(data.rows, 1)]
    code, body = await service.run_import(
        write.session,
        principal,
        document_number=data.document_number,
        source_note=data.source_note,
        complete_national_list=data.complete_national_list,
        rows=rows,
        problems=Problems(),
        content_type="application/json",
        file_name=None,
        sha256=None,
    )
    return await write.answer(body, code)


@router.post(
    "/imports/file",
    status_code=status.HTTP_201_CREATED,
    response_model=RecognitionImportRead,
    responses=declare(*IMPORT_ERRORS, UnsupportedFileType, PayloadTooLarge),
    summary="Import an earlier year's recognised list (认定名单) from a CSV or XLSX file",
    description=(
        _IMPORT_TEXT + " The body is the file (`text/csv`, UTF-8 or GB18030, or XLSX: its first "
        "sheet); its header row names the columns (uscc/统一社会信用代码, "
        "enterprise_name/企业名称, factory_name/工厂名称, region_code/行政区划代码, tier/层级, "
        "year/年度). Rows are numbered "
        "as the spreadsheet shows them (the header is row 1)."
    ),
    openapi_extra=FILE_BODY,
)
async def import_list_file(
    request: Request,
    principal: PrincipalDep,
    write: KeyedWriteDep,
    document_number: Annotated[DocumentNumber, Query(description="文号 of the list")],
    source_note: Annotated[SourceNote | None, Query()] = None,
    complete_national_list: Annotated[
        bool, Query(description="the ministry's whole national list (see the JSON route)")
    ] = False,
) -> Response:
    service.ensure_may_import(principal)
    upload = await receive_upload(request)
    sent = {
        "document_number": document_number,
        "source_note": source_note,
        "complete_national_list": complete_national_list,
        "file_sha256": upload.sha256,
        "content_type": upload.media_type,
    }
    try:
        if (replayed := await write.begin(sent)) is not None:
            return replayed
        problems = Problems()
        rows = await run_in_threadpool(_read_rows, upload, problems)
        code, body = await service.run_import(
            write.session,
            principal,
            document_number=document_number,
            source_note=source_note,
            complete_national_list=complete_national_list,
            rows=rows,
            problems=problems,
            content_type=upload.media_type,
            file_name=upload.file_name,
            sha256=upload.sha256,
        )
    finally:
        upload.file.close()
    return await write.answer(body, code)


def _read_rows(upload, problems: Problems) -> list:
    """The file's rows (a worker thread: openpyxl and the csv module block)."""
    try:
        table = open_table(upload.file, upload.media_type, upload.charset)
        try:
            return service.rows_of_table(table.rows, problems)
        finally:
            table.close()
    except UnreadableFile as exc:
        problems.add(exc.row, None, None, exc.code, **exc.args_)
        return []


@router.get(
    "/imports/{import_id}",
    response_model=RecognitionImportRead,
    responses=declare(RecognitionImportNotFound),
    summary="Read an import of a recognised list: status, counts and its row problems",
)
async def read_import(
    import_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> RecognitionImportRead:
    return RecognitionImportRead.model_validate(
        await service.get_import(session, principal, import_id)
    )


@router.get(
    "",
    response_model=Page[RecognitionRead],
    summary="The register: an enterprise's own history, or an authority's jurisdiction",
    description=(
        "An enterprise reads its own entries (self-assessed 基础级 included); an authority every "
        "entry of the regions it covers; every caller the public ones (lists: 先进级 lists "
        "submitted, lists published, acceptances, imported lists) of any region. Filter by "
        "`enterprise_uscc`, `region` (a code prefix) and `tier`. Ordered by enterprise, "
        "factory, year and tier."
    ),
)
async def list_recognitions(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    enterprise_uscc: Annotated[str | None, Query(min_length=18, max_length=18)] = None,
    region: Annotated[str | None, Query(pattern=r"^[0-9]{1,6}$")] = None,
    tier: Tier | None = None,
) -> Page[RecognitionRead]:
    found = await repository.page(
        session,
        reader=principal,
        uscc=enterprise_uscc,
        region=region,
        tier=tier,
        offset=page.offset,
        limit=page.page_size,
    )
    return _page(RecognitionRead, found, page)


@public_router.get(
    "/{uscc}",
    response_model=Page[PublicRecognition],
    summary="An enterprise's recognised tiers as the lists published them (no token)",
    description=(
        "Public: the entries that come from lists (名单) — 先进级 lists, published 卓越级 lists, "
        "accepted 领航级, imported earlier lists. A 基础级 self-assessment is the enterprise's "
        "own and is not shown."
    ),
)
async def public_recognitions(
    uscc: UsccPath, session: SessionDep, page: PageDep
) -> Page[PublicRecognition]:
    found = await repository.page(
        session,
        reader=None,
        uscc=uscc,
        region=None,
        tier=None,
        offset=page.offset,
        limit=page.page_size,
    )
    return _page(PublicRecognition, found, page)


def _page(model, found: tuple[list, int], page: PageParams) -> Page:
    rows, total = found
    return Page(
        items=[model.model_validate(r) for r in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )
