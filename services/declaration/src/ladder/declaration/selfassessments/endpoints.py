"""Routes for 基础级 self-assessments (自评自建): the short form, the bulk import and reading."""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from email.message import Message
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status

from ladder.declaration.errors import CampaignNotFound, NotOwnEnterprise, TierNotOpen
from ladder.declaration.rules_client import RulesDep
from ladder.declaration.selfassessments import rules as basic_rules
from ladder.declaration.selfassessments import service
from ladder.declaration.selfassessments.errors import (
    RULES_REFUSALS,
    ImportNotFound,
    ImportRaced,
    ImportRejected,
    InvalidCursor,
    MayNotImport,
    RegionOutsideJurisdiction,
    SelfAssessmentNotFound,
    UnsupportedFileType,
)
from ladder.declaration.selfassessments.layout import layout, template_csv, template_xlsx
from ladder.declaration.selfassessments.reader import CSV, FILE_BODY, MEDIA_TYPES, XLSX
from ladder.declaration.selfassessments.schemas import (
    ImportRead,
    SelfAssessmentCreate,
    SelfAssessmentPage,
    SelfAssessmentRead,
)
from ladder.kit.auth import PrincipalDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import Forbidden, PayloadTooLarge, UpstreamError, declare
from ladder.kit.params import CampaignYearQuery
from ladder.kit.writes import KeyedWriteDep

router = APIRouter(prefix="/v1/self-assessments", tags=["self-assessments"])
IMPORT_PATH = "/v1/self-assessments/imports"
_SPOOL_IN_MEMORY = 1024 * 1024  # larger uploads go to a temporary file

CampaignYear = CampaignYearQuery

# What reading the campaign's 基础级 forms can answer: no campaign, no 基础级, rules refused.
CAMPAIGN_ERRORS = (CampaignNotFound, TierNotOpen, UpstreamError)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SelfAssessmentRead,
    responses={
        200: {"model": SelfAssessmentRead, "description": "replaced the year's earlier one"},
        **declare(NotOwnEnterprise, *CAMPAIGN_ERRORS, *RULES_REFUSALS),
    },
    summary="Self-assess a factory as 基础级 (自评自建): evaluated at once, stored",
    description=(
        "By the enterprise itself (token role `enterprise`, `org` = its USCC); Idempotency-Key "
        "required. The rules service evaluates the facts for 基础级 under the overlays of "
        "`region_code`; the outcome (eligible, ineligible or incomplete) and the findings that "
        "did not pass are stored with the form and answered. One self-assessment per "
        "enterprise, campaign year and factory: a later one replaces it (200 instead of 201). "
        "No campaign deadline applies. A KPI or attestation the campaign's edition does not "
        "know is a 422 naming the field (`kpis.<key>`, `attestations.<key>`)."
    ),
)
async def submit_self_assessment(
    data: SelfAssessmentCreate, principal: PrincipalDep, write: KeyedWriteDep, rules: RulesDep
) -> Response:
    if (replayed := await write.begin(data)) is not None:
        return replayed
    record, inserted = await service.submit_form(write.session, rules, principal, data)
    read = SelfAssessmentRead.model_validate(record)
    return await write.answer(read, 201 if inserted else 200)


@router.get(
    "",
    response_model=SelfAssessmentPage,
    responses=declare(Forbidden, NotOwnEnterprise, RegionOutsideJurisdiction, InvalidCursor),
    summary="List self-assessments of a campaign year (keyset pagination)",
    description=(
        "An enterprise sees its own; an authority those registered in its jurisdiction "
        "(`region` narrows it: a prefix such as 35 or 3501). Ordered by region code, USCC and "
        "factory — or by enterprise name when `name` (a prefix) is given. Pass `next_cursor` "
        "back as `cursor` for the next page: pages neither repeat nor skip rows, whatever is "
        "inserted meanwhile. A cursor belongs to its filters (422 `invalid_cursor` otherwise)."
    ),
)
async def list_self_assessments(
    session: SessionDep,
    principal: PrincipalDep,
    campaign_year: CampaignYear,
    region: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,6}$", description="region code prefix")
    ] = None,
    enterprise_uscc: Annotated[str | None, Query(min_length=18, max_length=18)] = None,
    outcome: Literal["eligible", "ineligible", "incomplete"] | None = None,
    name: Annotated[
        str | None, Query(min_length=1, max_length=200, description="enterprise name prefix")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SelfAssessmentPage:
    return await service.list_for(
        session,
        principal,
        campaign_year=campaign_year,
        region=region,
        uscc=enterprise_uscc,
        outcome=outcome,
        name=name.strip() if name else None,
        cursor=cursor,
        limit=limit,
    )


def _file_name(request: Request) -> str | None:
    header = request.headers.get("content-disposition")
    if not header:
        return None
    message = Message()
    message["content-disposition"] = header
    name = message.get_filename()
    return name[:255] if name else None


async def receive_upload(request: Request) -> service.Upload:
    media, _, params = request.headers.get("content-type", "").partition(";")
    media = media.strip().lower()
    if media not in MEDIA_TYPES:
        raise UnsupportedFileType(details={"content_type": media or None})
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    spooled = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)
    digest = hashlib.sha256()
    size = 0
    try:
        async for chunk in request.stream():
            digest.update(chunk)
            size += len(chunk)
            spooled.write(chunk)
    except BaseException:
        spooled.close()
        raise
    return service.Upload(
        file=spooled,  # type: ignore[arg-type]
        sha256=digest.hexdigest(),
        size=size,
        media_type=media,
        charset=charset,
        file_name=_file_name(request),
    )


@router.post(
    "/imports",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportRead,
    responses=declare(
        MayNotImport,
        UnsupportedFileType,
        PayloadTooLarge,
        ImportRejected,
        ImportRaced,
        *CAMPAIGN_ERRORS,
    ),
    summary="Import a province's self-assessments from a CSV or XLSX file (all or nothing)",
    description=(
        "By a province (rows of its own regions) or the ministry; Idempotency-Key required. "
        "The body is the file itself, `Content-Type: text/csv` (UTF-8, or `charset=`; GB18030 "
        "is recognised) or XLSX (the first sheet is read); `Content-Disposition: attachment; "
        "filename=…` names it. Columns: see the templates. Every row is checked (USCC check "
        "character, region known and in the importer's jurisdiction, numbers in range, no "
        "repeated enterprise and factory) and evaluated for 基础级 by the rules service. If "
        "any row fails, nothing is written and the answer is 422 `import_rejected` listing "
        "the first 1,000 row errors (row as in the file, column key, code, message) with the "
        "total; otherwise every row is written in one transaction (replacing earlier "
        "self-assessments of the same enterprise, year and factory). Ineligible and "
        "incomplete outcomes are not errors: they are recorded. Only a row the rules service "
        "refuses to evaluate is. Either way an import record is kept. Up to 64 MiB and "
        "600,000 rows per file."
    ),
    openapi_extra=FILE_BODY,
)
async def import_self_assessments(
    request: Request,
    principal: PrincipalDep,
    write: KeyedWriteDep,
    rules: RulesDep,
    campaign_year: CampaignYear,
) -> Response:
    # Who may import is known from the token: a caller who may not is refused before a byte
    # of the (up to 64 MiB) body is read.
    service.ensure_may_import(principal)
    upload = await receive_upload(request)
    sent = {
        "campaign_year": campaign_year,
        "file_sha256": upload.sha256,
        "content_type": upload.media_type,
    }
    try:
        if (replayed := await write.begin(sent)) is not None:
            return replayed
        code, body = await service.run_import(
            write.session, rules, principal, campaign_year=campaign_year, upload=upload
        )
    finally:
        upload.file.close()
    return await write.answer(body, code)


async def _columns(session: SessionDep, rules: RulesDep, campaign_year: int):
    campaign = await service.basic_campaign(session, campaign_year)
    forms = await basic_rules.forms(rules, campaign.rules_edition)
    return campaign, layout(forms)


def _attachment(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.get(
    "/imports/template.csv",
    response_class=Response,
    responses={
        200: {"content": {CSV: {}}, "description": "the header row"},
        **declare(*CAMPAIGN_ERRORS),
    },
    summary="The import template as CSV (UTF-8 with BOM): the header row of the campaign",
)
async def import_template_csv(
    session: SessionDep, rules: RulesDep, _: PrincipalDep, campaign_year: CampaignYear
) -> Response:
    _campaign, columns = await _columns(session, rules, campaign_year)
    return _attachment(
        template_csv(columns), f"{CSV}; charset=utf-8", f"self-assessments-{campaign_year}.csv"
    )


@router.get(
    "/imports/template.xlsx",
    response_class=Response,
    responses={
        200: {"content": {XLSX: {}}, "description": "header row and a sheet of notes"},
        **declare(*CAMPAIGN_ERRORS),
    },
    summary="The import template as XLSX: the header row, and a sheet explaining each column",
)
async def import_template_xlsx(
    session: SessionDep, rules: RulesDep, _: PrincipalDep, campaign_year: CampaignYear
) -> Response:
    campaign, columns = await _columns(session, rules, campaign_year)
    content = template_xlsx(columns, campaign_year=campaign_year, edition=campaign.rules_edition)
    return _attachment(content, XLSX, f"self-assessments-{campaign_year}.xlsx")


@router.get(
    "/imports/{import_id}",
    response_model=ImportRead,
    responses=declare(ImportNotFound),
    summary="Read an import record: status, counts and the first row errors",
)
async def read_import(import_id: uuid.UUID, session: SessionDep, principal: PrincipalDep):
    return ImportRead.model_validate(await service.get_import(session, principal, import_id))


@router.get(
    "/{assessment_id}",
    response_model=SelfAssessmentRead,
    responses=declare(SelfAssessmentNotFound),
    summary="Read one self-assessment",
)
async def read_self_assessment(
    assessment_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> SelfAssessmentRead:
    return SelfAssessmentRead.model_validate(
        await service.get_readable(session, principal, assessment_id)
    )
