"""Routes for reference datasets: the ministry loads a table, anyone authenticated reads it."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from ladder.kit.auth import PrincipalDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import PayloadTooLarge, declare
from ladder.kit.pagination import Page, PageDep
from ladder.kit.params import FIRST_REFERENCE_YEAR, LAST_CAMPAIGN_YEAR, OptionalReferenceYearQuery
from ladder.kit.writes import KeyedWriteDep
from ladder.rules.reference import repository, service, upload
from ladder.rules.reference.auth import MinistryDep
from ladder.rules.reference.errors import (
    DatasetNotFound,
    DuplicateRank,
    DuplicateRegion,
    IncompleteTable,
    InvalidCsv,
    InvalidRank,
    InvalidRegion,
    NegativeCount,
    NoTableToUpdate,
    UnexpectedParameter,
    UnsupportedMediaType,
)
from ladder.rules.reference.kinds import DatasetKind
from ladder.rules.reference.schemas import (
    MAX_ROWS,
    DatasetRead,
    DatasetSummary,
    DatasetUpload,
)

router = APIRouter(prefix="/v1/reference-datasets", tags=["reference data"])

_CSV_EXAMPLE = "region,value\n440000,1\n320000,2\n370000,3\n"


def _upload_schema() -> dict[str, Any]:
    """The JSON body's schema, self-contained (the body is read by hand, so FastAPI does not
    register its models in the components)."""
    schema = DatasetUpload.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**inline(defs[ref.removeprefix("#/$defs/")]), **inline(rest)}
        return {k: inline(v) for k, v in node.items()}

    return inline(schema)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DatasetRead,
    responses=declare(
        PayloadTooLarge,
        UnsupportedMediaType,
        InvalidRegion,
        DuplicateRegion,
        InvalidRank,
        DuplicateRank,
        NegativeCount,
        InvalidCsv,
        UnexpectedParameter,
        IncompleteTable,
        NoTableToUpdate,
    ),
    summary="Load a reference table (ministry only; Idempotency-Key required)",
    description=(
        "Stores the table as the next version of its kind and reference year; the highest "
        "version is the one quotas use. Send either `application/json` "
        "`{kind, year, source_note, sample?, rows: [{region, value}]}` or `text/csv` with the "
        "header `region,value` (UTF-8, a BOM is fine) and `kind`, `year`, `source_note`, "
        f"`sample`, `partial` as query parameters. At most {MAX_ROWS} rows and 1 MiB. A table "
        "has every region of its kind once: the 31 province-level GB/T 2260 codes (and `xpcc` "
        "in `excellence_count`); one that leaves regions out is 422 `incomplete_table` naming "
        "them, unless sent with `partial: true`, which changes only the regions sent and keeps "
        "the others from the current version (409 `no_table_to_update` when there is none). "
        "Ranks are 1..n without repeats; counts are ≥ 0. A refused table (422: "
        "`invalid_region`, `duplicate_region`, `invalid_rank`, `duplicate_rank`, "
        "`negative_count`, `incomplete_table`, `invalid_csv`, `unexpected_parameter`, "
        "`validation_error`) stores nothing; `details.fields[].field` names each bad cell, "
        "e.g. `rows[3].region`."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _upload_schema()},
                "text/csv": {"schema": {"type": "string"}, "example": _CSV_EXAMPLE},
            },
        }
    },
)
async def upload_dataset(
    request: Request,
    session: SessionDep,
    principal: MinistryDep,
    write: KeyedWriteDep,
    kind: Annotated[DatasetKind | None, Query(description="CSV only")] = None,
    year: Annotated[
        int | None,
        Query(
            ge=FIRST_REFERENCE_YEAR,
            le=LAST_CAMPAIGN_YEAR,
            description="the reference year (CSV only)",
        ),
    ] = None,
    source_note: Annotated[str | None, Query(max_length=500, description="CSV only")] = None,
    sample: Annotated[bool | None, Query(description="CSV only")] = None,
    partial: Annotated[
        bool | None, Query(description="CSV only: true to change only the regions sent")
    ] = None,
) -> Response:
    content_type, options = upload.media_type(request)
    body = await upload.read_body(request)
    query = {
        "kind": kind,
        "year": year,
        "source_note": source_note,
        "sample": sample,
        "partial": partial,
    }
    data = upload.parse(body, content_type, options, query)
    if (replayed := await write.begin(data)) is not None:
        return replayed
    read = await service.store(session, data, uploaded_by=principal.sub)
    return await write.answer(read, status.HTTP_201_CREATED)


@router.get(
    "",
    response_model=Page[DatasetSummary],
    responses=declare(),
    summary="List reference datasets (newest year first, then kind, newest version first)",
)
async def list_datasets(
    session: SessionDep,
    _: PrincipalDep,
    page: PageDep,
    kind: DatasetKind | None = None,
    year: OptionalReferenceYearQuery = None,
) -> Page[DatasetSummary]:
    rows, total = await repository.page(
        session, kind=kind, year=year, offset=page.offset, limit=page.page_size
    )
    return Page(
        items=[service.to_summary(d, current) for d, current in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.get(
    "/{dataset_id}",
    response_model=DatasetRead,
    responses=declare(DatasetNotFound),
    summary="Read one reference dataset with its rows",
)
async def read_dataset(dataset_id: uuid.UUID, session: SessionDep, _: PrincipalDep) -> DatasetRead:
    return await service.get(session, dataset_id)
