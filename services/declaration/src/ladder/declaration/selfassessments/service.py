"""The behaviour of self-assessments: the enterprise's short form, the provinces' bulk import
(all or nothing per file), and keyset-paginated reading.

Which rules outcomes are errors: none. A self-assessment the rules find ineligible or
incomplete is recorded as such (it is the enterprise's own assessment; the outcome is what a
province reads). Only a refusal — the rules service will not evaluate the facts at all (a 422
item: a name its edition does not know) — is an error: a 422 for the form, a row error in an
import.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from fastapi.concurrency import run_in_threadpool
from sqlmodel.ext.asyncio.session import AsyncSession
from stdnum.cn import uscc as uscc_std
from stdnum.exceptions import ValidationError as StdnumError

from ladder.declaration.campaigns import repository as campaigns
from ladder.declaration.campaigns.models import Campaign
from ladder.declaration.errors import CampaignNotFound, NotOwnEnterprise, TierNotOpen
from ladder.declaration.recognitions import repository as register
from ladder.declaration.recognitions import service as recognitions
from ladder.declaration.rules_client import BatchAnswer, RulesClient
from ladder.declaration.selfassessments import repository
from ladder.declaration.selfassessments import rules as basic_rules
from ladder.declaration.selfassessments.auth import (
    Scope,
    import_scope,
    may_import,
    may_read,
    may_read_import,
    scope_of,
)
from ladder.declaration.selfassessments.errors import (
    ImportNotFound,
    ImportRaced,
    ImportRejected,
    InvalidCursor,
    MayNotImport,
    RegionOutsideJurisdiction,
    SelfAssessmentNotFound,
)
from ladder.declaration.selfassessments.layout import Column, layout, read_header
from ladder.declaration.selfassessments.models import SelfAssessment, SelfAssessmentImport
from ladder.declaration.selfassessments.problems import MAX_LISTED, Problems
from ladder.declaration.selfassessments.reader import Table, UnreadableFile, open_table
from ladder.declaration.selfassessments.repository import Query, Staging, stage_record
from ladder.declaration.selfassessments.rows import Row, parse
from ladder.declaration.selfassessments.schemas import (
    ImportRead,
    SelfAssessmentCreate,
    SelfAssessmentPage,
    SelfAssessmentSummary,
)
from ladder.kit.auth import Principal, Role
from ladder.kit.errors import Forbidden

TIER = "basic"
CHUNK_ROWS = 5000  # rows checked and evaluated together (≤ the rules' batch limit)
WRITE_ROWS = 20_000  # rows per INSERT … SELECT from the staging table
MAX_ROWS = 600_000  # data rows per file (~500,000 above-scale enterprises in all)
assert CHUNK_ROWS <= basic_rules.MAX_BATCH


async def basic_campaign(session: AsyncSession, year: int) -> Campaign:
    campaign = await campaigns.campaign(session, year)
    if campaign is None:
        raise CampaignNotFound(details={"field": "campaign_year", "campaign_year": year})
    if TIER not in campaign.open_tiers:
        raise TierNotOpen(details={"field": "campaign_year", "tier": TIER})
    return campaign


# --- the short form ------------------------------------------------------------------------


def _own_uscc(principal: Principal) -> str:
    """The caller's enterprise: only an enterprise user whose `org` is a valid USCC."""
    if principal.role is not Role.enterprise or not principal.org:
        raise NotOwnEnterprise(details={"role": principal.role.value})
    try:
        return uscc_std.validate(principal.org)
    except StdnumError:
        raise NotOwnEnterprise(details={"org": principal.org}) from None


async def submit_form(
    session: AsyncSession,
    rules: RulesClient,
    principal: Principal,
    data: SelfAssessmentCreate,
) -> tuple[SelfAssessment, bool]:
    """Evaluate at once and store (replacing the year's earlier one); (record, inserted)."""
    uscc = _own_uscc(principal)
    campaign = await basic_campaign(session, data.campaign_year)
    segments = [s.segment.value for s in data.segments]
    result = await rules.evaluate(
        edition=campaign.rules_edition,
        tier=basic_rules.TIER,
        facts=basic_rules.facts_of(
            cmmm_level=data.cmmm_level,
            segments=segments,
            attestations=data.attestations,
            kpis=data.kpis,
        ),
        jurisdiction=data.region_code,
    )
    record, inserted = await repository.upsert(
        session,
        {
            "campaign_year": data.campaign_year,
            "enterprise_uscc": uscc,
            "enterprise_name": data.enterprise_name,
            "region_code": data.region_code,
            "factory_name": data.factory_name or "",
            "cmmm_level": data.cmmm_level,
            "segments": [s.model_dump(mode="json") for s in data.segments],
            "attestations": data.attestations or {},
            "kpis": data.kpis or {},
            "outcome": result.outcome,
            "rules_edition": result.edition or campaign.rules_edition,
            "findings": basic_rules.kept_findings(result.findings),
            "source": "form",
            "created_by": principal.sub,
        },
    )
    # Eligible, it is the factory's 基础级 in the register of recognised tiers (same transaction).
    await recognitions.from_self_assessment(session, record)
    return record, inserted


async def get_readable(
    session: AsyncSession, principal: Principal, assessment_id: uuid.UUID
) -> SelfAssessment:
    found = await repository.get(session, assessment_id)
    group = None
    if found is not None and principal.role is Role.central_soe_hq:
        group = await repository.enterprise_group(session, found.enterprise_uscc)
    if found is None or not may_read(principal, found, group):
        raise SelfAssessmentNotFound(details={"self_assessment_id": str(assessment_id)})
    return found


# --- reading -------------------------------------------------------------------------------


def _scope(
    principal: Principal, region: str | None, uscc: str | None
) -> tuple[str, str | None, Scope | None]:
    """(region prefix filter, enterprise USCC filter, the caller's scope) for the caller."""
    if principal.role is Role.enterprise:
        own = (principal.org or "").upper()
        if not own or (uscc is not None and uscc.upper() != own):
            raise NotOwnEnterprise(details={"enterprise_uscc": uscc})
        return region or "", own, None
    if principal.role is Role.service:
        return region or "", uscc, None
    scope = scope_of(principal)
    if scope is None:
        raise Forbidden(details={"role": principal.role.value})
    # One region of its own: that range of the index (the scope's other conditions still hold).
    own = scope.regions[0] if len(scope.regions) == 1 else ""
    if region is None or region.startswith(scope.regions):
        return region or own, uscc, scope
    if any(mine.startswith(region) for mine in scope.regions):  # wider: narrowed to its own
        return own, uscc, scope
    raise RegionOutsideJurisdiction(details={"field": "region", "region": region})


def _fingerprint(query: Query) -> str:
    canonical = json.dumps(
        [
            query.campaign_year,
            query.region_prefix,
            query.enterprise_uscc,
            query.outcome,
            query.name_prefix,
            repr(query.scope),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(query: Query, key: Sequence[str]) -> str:
    raw = json.dumps({"k": list(key), "q": _fingerprint(query)}, ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(query: Query, cursor: str) -> list[str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        body = json.loads(raw)
        key = body["k"]
        ok = (
            body["q"] == _fingerprint(query)
            and isinstance(key, list)
            and len(key) == 3
            and all(isinstance(k, str) for k in key)
        )
    except (ValueError, binascii.Error, KeyError, TypeError):
        ok = False
    if not ok:
        raise InvalidCursor(details={"field": "cursor"})
    return key


async def list_for(
    session: AsyncSession,
    principal: Principal,
    *,
    campaign_year: int,
    region: str | None,
    uscc: str | None,
    outcome: str | None,
    name: str | None,
    cursor: str | None,
    limit: int,
) -> SelfAssessmentPage:
    prefix, uscc, scope = _scope(principal, region, uscc)
    query = Query(
        campaign_year=campaign_year,
        region_prefix=prefix,
        enterprise_uscc=uscc.upper() if uscc else None,
        outcome=outcome,
        name_prefix=name or None,
        scope=scope,
    )
    after = decode_cursor(query, cursor) if cursor else None
    rows, last = await repository.page(session, query, after, limit)
    return SelfAssessmentPage(
        items=[SelfAssessmentSummary.model_validate(r) for r in rows],
        next_cursor=encode_cursor(query, last) if last is not None else None,
    )


# --- the bulk import -----------------------------------------------------------------------


@dataclass
class Upload:
    """The request body, spooled to a temporary file while it was hashed."""

    file: IO[bytes]
    sha256: str
    size: int
    media_type: str
    charset: str | None
    file_name: str | None


@dataclass
class _Chunk:
    """Up to CHUNK_ROWS rows read and checked in a worker thread."""

    good: list[Row] = field(default_factory=list)
    bad: list[tuple[Any, ...]] = field(default_factory=list)  # staging records (key only)
    problems: Problems = field(default_factory=Problems)
    read: int = 0
    last_row: int = 0
    failure: UnreadableFile | None = None
    done: bool = False


class _Reader:
    """Pulls the file's rows chunk by chunk (called from a worker thread, one call at a
    time)."""

    def __init__(self, rows: Iterator[tuple[int, Sequence[Any]]], jurisdiction: str) -> None:
        self.rows = rows
        self.jurisdiction = jurisdiction
        self.columns: list[tuple[int, Column]] = []
        self.count = 0

    def header(self, columns: Sequence[Column], problems: Problems) -> bool:
        first = next(self.rows, None)
        if first is None:
            return False
        self.columns = read_header(first[1], columns, problems, row_no=first[0])
        return True

    def chunk(self) -> _Chunk:
        out = _Chunk()
        try:
            for row_no, cells in self.rows:
                self.count += 1
                if self.count > MAX_ROWS:
                    raise UnreadableFile("too_many_rows", row_no, limit=MAX_ROWS)
                key, row = parse(row_no, cells, self.columns, self.jurisdiction, out.problems)
                if row is None:
                    out.bad.append(stage_record(row_no, key))
                else:
                    out.good.append(row)
                out.read += 1
                out.last_row = row_no
                if out.read >= CHUNK_ROWS:
                    return out
        except UnreadableFile as exc:
            out.failure = exc
        out.done = True
        return out


def _rules_column(field_name: str, columns: Sequence[tuple[int, Column]]) -> str | None:
    """The import column a rules field (facts.kpis.x, facts.basic_requirements.y) comes from."""
    if field_name.startswith("facts.kpis."):
        return "kpi." + field_name.removeprefix("facts.kpis.")
    if field_name.startswith("facts.basic_requirements."):
        fact = field_name.removeprefix("facts.basic_requirements.")
        return next((c.key for _, c in columns if fact in c.facts), None)
    if field_name.startswith("facts.segments"):
        return "segments"
    if field_name == "facts.cmmm_level":
        return "cmmm_level"
    return None


def _refusal(
    row_no: int, error: dict[str, Any], columns: Sequence[tuple[int, Column]]
) -> dict[str, Any]:
    """A row the rules service would not evaluate, as a row problem."""
    fields = (error.get("details") or {}).get("fields") or []
    column = _rules_column(str(fields[0].get("field", "")), columns) if fields else None
    header = next((c.header for _, c in columns if c.key == column), None)
    return {
        "row": row_no,
        "column": column,
        "header": header,
        "code": "rules_refused",
        "message": f"要素条件规则服务不接受（{error.get('code')}）：{error.get('message', '')}",
        "message_en": (
            f"Refused by the rules service ({error.get('code')}): {error.get('message_en', '')}"
        ),
    }


def ensure_may_import(principal: Principal) -> None:
    if not may_import(principal):
        raise MayNotImport(details={"role": principal.role.value})


async def run_import(
    session: AsyncSession,
    rules: RulesClient,
    principal: Principal,
    *,
    campaign_year: int,
    upload: Upload,
) -> tuple[int, dict[str, Any]]:
    """Check every row, evaluate every row, and write all of them or none; (status, body).

    A rejected file is an answer, not an exception: its import record is kept (the request's
    transaction commits it) while none of its rows are written.
    """
    ensure_may_import(principal)
    campaign = await basic_campaign(session, campaign_year)
    edition = campaign.rules_edition
    columns = layout(await basic_rules.forms(rules, edition))
    scope = import_scope(principal)
    jurisdiction = scope.single_region
    import_id = uuid.uuid4()
    problems = Problems()
    outcomes: Counter[str] = Counter()
    staging = Staging(session, campaign_year)
    reader: _Reader | None = None
    last_row = 0

    table: Table | None = None
    try:
        table = await run_in_threadpool(open_table, upload.file, upload.media_type, upload.charset)
        reader = _Reader(table.rows, jurisdiction)
        if not await run_in_threadpool(reader.header, columns, problems):
            problems.add(1, None, None, "empty_file")
    except UnreadableFile as exc:
        problems.add(exc.row, None, None, exc.code, **exc.args_)
    try:
        if reader is not None and not problems:
            await staging.create()
            last_row = await _check_rows(rules, edition, reader, staging, problems, outcomes)
            if reader.count == 0 and not problems:
                problems.add(1, None, None, "empty_file")
            duplicates, listed = await staging.duplicates(MAX_LISTED)
            header = next((c.header for _, c in reader.columns if c.key == "uscc"), None)
            for row_no, first in listed:
                problems.add(row_no, "uscc", header, "duplicate_row", first=first)
            problems.count_only("duplicate_row", duplicates - len(listed))
            # An import creates or replaces only the importer's own imported records.
            foreign, named = await staging.foreign(jurisdiction, scope.group, MAX_LISTED)
            for row_no, code, region in named:
                problems.add(row_no, "uscc", header, code, region=region)
            for code, n in foreign.items():
                problems.count_only(code, n - sum(1 for _, c, _ in named if c == code))
            if scope.group is not None:
                outside, listed_outside = await staging.outside_group(scope.group, MAX_LISTED)
                for row_no, named_group in listed_outside:
                    problems.add(row_no, "uscc", header, "not_in_group", named=named_group or "无")
                problems.count_only("not_in_group", outside - len(listed_outside))
    finally:
        if table is not None:
            table.close()

    record = SelfAssessmentImport(
        id=import_id,
        campaign_year=campaign_year,
        created_by=principal.sub,
        jurisdiction=jurisdiction,
        central_soe_group=scope.group,
        file_name=upload.file_name,
        file_sha256=upload.sha256,
        content_type=upload.media_type,
        byte_size=upload.size,
        row_count=reader.count if reader is not None else 0,
        status="rejected" if problems else "accepted",
        rules_edition=edition,
        outcomes=dict(outcomes),
    )
    if problems:
        summary = problems.summary()
        record.error_count = summary["error_count"]
        record.errors = summary["errors"]
        await repository.add_import(session, record)
        rejected = ImportRejected(
            details={"import_id": str(import_id), "row_count": record.row_count, **summary}
        )
        return rejected.status_code, rejected.body()
    written, _inserted = await staging.write(
        campaign_year=campaign_year,
        jurisdiction=jurisdiction,
        group=scope.group,
        edition=edition,
        source=f"import:{import_id}",
        created_by=principal.sub,
        first_row=2,
        last_row=last_row,
        chunk=WRITE_ROWS,
    )
    staged = reader.count if reader is not None else 0
    if written != staged:
        # An enterprise filed its own form for one of these rows while the file was checked:
        # nothing of the file is written (the transaction rolls back); sending it again tells
        # which row.
        raise ImportRaced(details={"staged": staged, "written": written})
    record.written = written
    await register.from_self_assessment_import(session, f"import:{import_id}")
    await repository.add_import(session, record)
    return 201, ImportRead.model_validate(record).model_dump(mode="json")


async def _check_rows(
    rules: RulesClient,
    edition: str,
    reader: _Reader,
    staging: Staging,
    problems: Problems,
    outcomes: Counter[str],
) -> int:
    """Read, check and evaluate every row, staging each; the last row number read.

    While the rules service evaluates one chunk, the next is read and checked in a worker
    thread, so the two processes work side by side.
    """
    last_row = 0
    pending = await run_in_threadpool(reader.chunk)
    while pending.read or pending.failure:
        evaluation = asyncio.create_task(_evaluate(rules, edition, pending.good))
        try:
            following = None if pending.done else await run_in_threadpool(reader.chunk)
            results = await evaluation
        except BaseException:
            evaluation.cancel()
            raise
        problems.merge(pending.problems)
        records = list(pending.bad)
        for row, result in zip(pending.good, results, strict=True):
            key = (row.uscc, row.factory)
            if result.error is not None or result.result is None:
                problems.add_raw(_refusal(row.row_no, result.error or {}, reader.columns))
                records.append(stage_record(row.row_no, key))
                continue
            answer = result.result
            outcomes[answer.outcome] += 1
            records.append(
                stage_record(
                    row.row_no,
                    key,
                    row,
                    answer.outcome,
                    basic_rules.kept_findings(answer.findings),
                )
            )
        await staging.copy(records)
        last_row = max(last_row, pending.last_row)
        if pending.failure is not None:
            failure = pending.failure
            problems.add(failure.row, None, None, failure.code, **failure.args_)
            break
        if following is None:
            break
        pending = following
    return last_row


async def _evaluate(rules: RulesClient, edition: str, rows: list[Row]) -> list[BatchAnswer]:
    if not rows:
        return []
    return await rules.evaluate_batch(
        edition=edition,
        tier=basic_rules.TIER,
        items=[
            {
                "ref": str(row.row_no),
                "facts": basic_rules.facts_of(
                    cmmm_level=row.cmmm_level,
                    segments=[s["segment"] for s in row.segments],  # type: ignore[misc]
                    attestations=row.attestations,
                    kpis=row.kpis,
                ),
                "jurisdiction": row.region,
            }
            for row in rows
        ],
    )


async def get_import(
    session: AsyncSession, principal: Principal, import_id: uuid.UUID
) -> SelfAssessmentImport:
    record = await repository.get_import(session, import_id)
    if record is None or not may_read_import(principal, record):
        raise ImportNotFound(details={"import_id": str(import_id)})
    return record
