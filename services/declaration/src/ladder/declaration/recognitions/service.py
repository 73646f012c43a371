"""The behaviour of the register of recognised tiers (认定记录): written by the acts that
recognise (a 基础级 self-assessment found eligible, a submitted 先进级 list, a published 卓越级
list, an accepted 领航级 cultivation, an imported list of an earlier year), read by the
prerequisite check of a declaration and by the public, authority and enterprise reads."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from stdnum.cn import uscc as uscc_std
from stdnum.exceptions import ValidationError as StdnumError

from ladder.declaration import regions
from ladder.declaration.declarations.repository import DeclarationRow
from ladder.declaration.recognitions import repository, tier_counts
from ladder.declaration.recognitions.auth import (
    import_jurisdiction,
    may_import,
    may_read_import,
)
from ladder.declaration.recognitions.errors import (
    MayNotImportRecognitions,
    RecognitionImportNotFound,
    RecognitionsRejected,
)
from ladder.declaration.recognitions.models import RecognitionImport
from ladder.declaration.recognitions.schemas import RecognitionImportRead
from ladder.declaration.recognitions.standing import (
    MINISTRY,
    SELF,
    SOURCE_RULES,
    counts_for,
)
from ladder.declaration.selfassessments.models import SelfAssessment
from ladder.declaration.selfassessments.problems import Problems
from ladder.declaration.selfassessments.rows import text as cell_text
from ladder.kit import clock
from ladder.kit.auth import Principal
from ladder.kit.inputs import text_problem

MAX_FACTS = 50  # entries sent to the rules (its `facts.recognitions` limit)
_ORDER = {"basic": 1, "advanced": 2, "excellence": 3, "pilot": 4}

# --- the prerequisite's facts --------------------------------------------------------------


async def facts_for(session: AsyncSession, row: DeclarationRow) -> list[dict[str, Any]]:
    """`facts.recognitions` for the rules: the register's entries of the declaration's factory
    that count for its campaign (`standing.py`), the highest tiers first. Built here from the
    register, never from the applicant's document."""
    entries = await repository.of_factory(
        session, row.enterprise.uscc, row.factory.id, row.factory.name
    )
    counted = [e for e in entries if counts_for(row.declaration.campaign_year, e.year)]
    counted.sort(key=lambda e: (-_ORDER[e.tier], -e.year))
    return [
        {
            "tier": e.tier,
            "year": e.year,
            "authority": e.authority,
            "source": e.source_kind,
            "reference": e.source_ref[:200],
        }
        for e in counted[:MAX_FACTS]
    ]


# --- written by the acts that recognise ----------------------------------------------------


def entry(
    *,
    uscc: str,
    enterprise_name: str,
    factory_name: str,
    region_code: str,
    tier: str,
    year: int,
    authority: str,
    source_kind: str,
    source_ref: str,
    recorded_by: str,
    factory_id: uuid.UUID | None = None,
    declaration_id: uuid.UUID | None = None,
    import_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    assert tier in SOURCE_RULES[source_kind].tiers, (tier, source_kind)
    return {
        "enterprise_uscc": uscc,
        "enterprise_name": enterprise_name[:200],
        "factory_name": factory_name.strip(),
        "factory_id": factory_id,
        "region_code": region_code,
        "tier": tier,
        "year": year,
        "authority": authority,
        "source_kind": source_kind,
        "source_ref": source_ref[:200],
        "declaration_id": declaration_id,
        "import_id": import_id,
        "recorded_by": recorded_by[:200],
    }


async def from_self_assessment(session: AsyncSession, assessment: SelfAssessment) -> None:
    """A 基础级 self-assessment found eligible is the factory's 基础级 for its year (251号
    一(一): 自评自建); replaced by one that is not, that year's 基础级 goes."""
    if assessment.outcome != "eligible":
        await repository.forget_self_assessed(
            session, assessment.enterprise_uscc, assessment.factory_name, assessment.campaign_year
        )
        return
    await repository.record(
        session,
        entry(
            uscc=assessment.enterprise_uscc,
            enterprise_name=assessment.enterprise_name,
            factory_name=assessment.factory_name,
            region_code=assessment.region_code,
            tier="basic",
            year=assessment.campaign_year,
            authority=SELF,
            source_kind="self_assessment",
            source_ref=str(assessment.id),
            recorded_by=assessment.created_by,
        ),
    )


def from_declaration(row: DeclarationRow, **recognised: Any) -> dict[str, Any]:
    """An entry for the factory of a declaration the review service decided on
    (`recognised`: tier, year, authority, source_kind, source_ref, recorded_by)."""
    return entry(
        uscc=row.enterprise.uscc,
        enterprise_name=row.enterprise.name,
        factory_name=row.factory.name,
        factory_id=row.factory.id,
        region_code=row.declaration.region_code,
        declaration_id=row.declaration.id,
        **recognised,
    )


# --- the import of earlier years' lists ----------------------------------------------------

FIELDS = ("uscc", "enterprise_name", "factory_name", "region_code", "tier", "year")
# Header texts a file may use for each field (the English key, or the 名单's own words).
HEADERS: dict[str, tuple[str, ...]] = {
    "uscc": ("uscc", "统一社会信用代码"),
    "enterprise_name": ("enterprise_name", "企业名称", "申报单位名称", "单位名称"),
    "factory_name": ("factory_name", "工厂名称", "智能工厂名称", "项目名称"),
    "region_code": ("region_code", "行政区划代码", "地区代码"),
    "tier": ("tier", "层级"),
    "year": ("year", "年度", "认定年度"),
}
_HEADER_OF = {h: key for key, names in HEADERS.items() for h in names}
TIER_WORDS = {
    "advanced": "advanced",
    "先进级": "advanced",
    "excellence": "excellence",
    "卓越级": "excellence",
    "pilot": "pilot",
    "领航级": "pilot",
}
FIRST_YEAR = 2022  # the first 梯度培育 lists; an earlier year is a typing error
MAX_ROWS = 20_000


def ensure_may_import(principal: Principal) -> None:
    if not may_import(principal):
        raise MayNotImportRecognitions(details={"role": principal.role.value})


def rows_of_table(
    cells: Iterable[tuple[int, Sequence[Any]]], problems: Problems
) -> list[tuple[int, dict[str, Any]]]:
    """A file's rows as field → cell, the header row naming the columns."""
    rows = iter(cells)
    first = next(rows, None)
    if first is None:
        problems.add(1, None, None, "empty_file")
        return []
    header_row, header = first
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        text = str(name or "").strip()
        key = _HEADER_OF.get(text) or _HEADER_OF.get(text.lower())
        if key is None:
            if text:
                problems.add(header_row, None, text, "unknown_column", name=text)
            continue
        if key in columns.values():
            problems.add(header_row, key, text, "duplicate_column", name=text)
            continue
        columns[index] = key
    for key in FIELDS:
        if key not in columns.values():
            problems.add(header_row, key, HEADERS[key][1], "missing_column", name=HEADERS[key][1])
    if problems:
        return []
    out = []
    for row_no, values in rows:
        if len(out) >= MAX_ROWS:
            problems.add(row_no, None, None, "too_many_rows", limit=MAX_ROWS)
            break
        out.append(
            (row_no, {key: values[i] if i < len(values) else None for i, key in columns.items()})
        )
    return out


def _shown(value: str) -> str:
    """A cell as a problem's message repeats it: short."""
    return value if len(value) <= 20 else value[:20] + "…"


def check_row(
    row_no: int, values: dict[str, Any], jurisdiction: str, this_year: int, problems: Problems
) -> dict[str, Any] | None:
    """The row's checked values, or None with its problems added (row, field, code)."""
    before = problems.count
    got = {key: cell_text(values.get(key)) for key in FIELDS}
    for key in FIELDS:
        reason = text_problem(got[key])
        if reason is not None:  # NUL, control characters: never stored, never echoed
            problems.add(row_no, key, HEADERS[key][1], "invalid_character", reason=reason)
            got[key] = ""
        elif not got[key]:
            problems.add(row_no, key, HEADERS[key][1], "required")
    for key in ("enterprise_name", "factory_name"):
        if len(got[key]) > 200:
            problems.add(row_no, key, HEADERS[key][1], "too_long", limit=200)
    if got["uscc"]:
        try:
            got["uscc"] = uscc_std.validate(got["uscc"].upper())
        except StdnumError as exc:
            problems.add(row_no, "uscc", HEADERS["uscc"][1], "invalid_uscc", reason=str(exc))
    region = got["region_code"]
    if region:
        if not regions.is_known(region):
            problems.add(
                row_no, "region_code", "行政区划代码", "unknown_region", value=_shown(region)
            )
        elif not region.startswith(jurisdiction):
            problems.add(
                row_no, "region_code", "行政区划代码", "outside_jurisdiction", value=region
            )
    if got["tier"]:
        tier = TIER_WORDS.get(got["tier"]) or TIER_WORDS.get(got["tier"].lower())
        if tier is None:
            problems.add(row_no, "tier", "层级", "invalid_tier", value=_shown(got["tier"]))
        got["tier"] = tier
    if got["year"]:
        try:
            year = int(got["year"])
        except ValueError:
            year = 0
        if not FIRST_YEAR <= year <= this_year:
            problems.add(
                row_no,
                "year",
                "年度",
                "invalid_year",
                value=_shown(got["year"]),
                first=FIRST_YEAR,
                last=this_year,
            )
        got["year"] = year
    return got if problems.count == before else None


async def run_import(
    session: AsyncSession,
    principal: Principal,
    *,
    document_number: str,
    source_note: str | None,
    complete_national_list: bool = False,
    rows: list[tuple[int, dict[str, Any]]],
    problems: Problems,
    content_type: str,
    file_name: str | None,
    sha256: str | None,
) -> tuple[int, dict[str, Any]]:
    """Check every row and write all of them or none; (status, body). A rejected list is an
    answer, not an exception: its import record is kept while none of its rows are written."""
    ensure_may_import(principal)
    jurisdiction = import_jurisdiction(principal)
    this_year = clock.beijing_today().year
    # Only a nationwide (ministry) import can be the whole national list; a province's never.
    complete = complete_national_list and jurisdiction == ""
    import_id = uuid.uuid4()
    checked: list[dict[str, Any]] = []
    first_of: dict[tuple[str, str, str, int], int] = {}
    for row_no, values in rows:
        got = check_row(row_no, values, jurisdiction, this_year, problems)
        if got is None:
            continue
        key = (got["uscc"], got["factory_name"], got["tier"], got["year"])
        if key in first_of:
            problems.add(row_no, "uscc", "统一社会信用代码", "duplicate_entry", first=first_of[key])
            continue
        first_of[key] = row_no
        checked.append(got)
    if not rows and not problems:
        problems.add(1, None, None, "empty_file")
    digest = (
        sha256
        or hashlib.sha256(
            json.dumps([v for _, v in rows], ensure_ascii=False, default=str).encode()
        ).hexdigest()
    )
    record = RecognitionImport(
        id=import_id,
        created_by=principal.sub,
        jurisdiction=jurisdiction,
        document_number=document_number,
        source_note=source_note,
        complete_national_list=complete,
        content_type=content_type,
        file_name=file_name,
        sha256=digest,
        row_count=len(rows),
        status="rejected" if problems else "accepted",
    )
    if problems:
        summary = problems.summary()
        record.errors = summary["errors"]
        await repository.add_import(session, record)
        rejected = RecognitionsRejected(
            details={"import_id": str(import_id), "row_count": record.row_count, **summary}
        )
        return rejected.status_code, rejected.body()
    await repository.add_import(session, record)
    entries = [
        entry(
            uscc=got["uscc"],
            enterprise_name=got["enterprise_name"],
            factory_name=got["factory_name"],
            region_code=got["region_code"],
            tier=got["tier"],
            year=got["year"],
            # 先进级 is the province's recognition (251号 一(二)); 卓越级, 领航级 the ministries'.
            authority=(
                regions.province_of(got["region_code"]) if got["tier"] == "advanced" else MINISTRY
            ),
            source_kind="import",
            source_ref=document_number,
            import_id=import_id,
            recorded_by=principal.sub,
        )
        for got in checked
    ]
    written = 0
    for start in range(0, len(entries), 1000):
        written += await repository.record_many(session, entries[start : start + 1000])
    record.written = written
    record.already_recorded = len(entries) - written
    if complete:
        for year in sorted({e["year"] for e in entries if e["tier"] == tier_counts.COUNTED_TIER}):
            await tier_counts.announce(
                session, year, source_kind="import", reference=document_number, complete=True
            )
    await session.flush()
    return 201, RecognitionImportRead.model_validate(record).model_dump(mode="json")


async def get_import(
    session: AsyncSession, principal: Principal, import_id: uuid.UUID
) -> RecognitionImport:
    record = await repository.get_import(session, import_id)
    if record is None or not may_read_import(principal, record):
        raise RecognitionImportNotFound(details={"import_id": str(import_id)})
    return record
