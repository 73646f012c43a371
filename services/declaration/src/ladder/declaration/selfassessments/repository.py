"""Every query on self-assessments and their imports.

Lists are keyset-paginated over the indexes of `models.py`: after `(region_code, uscc,
factory)` (or `(enterprise_name, uscc, factory)` when searching by name) of the last row seen,
within one campaign year. Prefixes are turned into ranges here (`35` → `[35, 36)`), so the
plan is an index range whatever parameters a prepared statement is given.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, literal_column, not_, or_, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.declaration.enterprises.models import Enterprise
from ladder.declaration.selfassessments.auth import Scope
from ladder.declaration.selfassessments.models import SelfAssessment, SelfAssessmentImport
from ladder.declaration.settings import SCHEMA

T = SelfAssessment.__table__  # type: ignore[attr-defined]
UNIQUE_KEY = ("enterprise_uscc", "campaign_year", "factory_name")
_REPLACED_ON_CONFLICT = (
    "enterprise_name",
    "region_code",
    "cmmm_level",
    "segments",
    "attestations",
    "kpis",
    "outcome",
    "rules_edition",
    "findings",
    "source",
    "created_by",
)


async def upsert(session: AsyncSession, values: dict[str, Any]) -> tuple[SelfAssessment, bool]:
    """Insert, or replace the self-assessment of the same key; (row, inserted)."""
    stmt = insert(T).values(id=uuid.uuid4(), **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(UNIQUE_KEY),
        set_={
            **{c: stmt.excluded[c] for c in _REPLACED_ON_CONFLICT},
            "created_at": func.now(),
        },
    ).returning(T.c.id, literal_column("(xmax = 0)").label("inserted"))
    row = (await session.execute(stmt)).one()
    found = await session.get(SelfAssessment, row.id, populate_existing=True)
    assert found is not None
    return found, bool(row.inserted)


async def get(session: AsyncSession, assessment_id: uuid.UUID) -> SelfAssessment | None:
    return await session.get(SelfAssessment, assessment_id)


async def enterprise_group(session: AsyncSession, uscc: str) -> str | None:
    """The central-SOE group the enterprise's own profile names (None: none, or unknown)."""
    stmt = select(Enterprise.central_soe_group).where(Enterprise.uscc == uscc)
    return (await session.execute(stmt)).scalar_one_or_none()


def prefix_range(prefix: str) -> tuple[str, str | None]:
    """[prefix, the first string after every string starting with prefix) in code-point order
    (the columns' "C" collation); None: no upper bound."""
    chars = list(prefix)
    while chars:
        last = ord(chars[-1])
        if last < 0x10FFFF:
            chars[-1] = chr(last + 1)
            return prefix, "".join(chars)
        chars.pop()
    return prefix, None


@dataclass(frozen=True)
class Query:
    campaign_year: int
    region_prefix: str  # '' = anywhere
    enterprise_uscc: str | None
    outcome: str | None
    name_prefix: str | None
    scope: Scope | None = None  # an authority's: what it organises or reads

    @property
    def by_name(self) -> bool:
        return bool(self.name_prefix)

    def sort_columns(self) -> tuple[Any, ...]:
        first = T.c.enterprise_name if self.by_name else T.c.region_code
        return first, T.c.enterprise_uscc, T.c.factory_name


async def page(
    session: AsyncSession, query: Query, after: Sequence[str] | None, limit: int
) -> tuple[list[SelfAssessment], tuple[str, str, str] | None]:
    """One page and the sort key of its last row if more follow."""
    conditions = [T.c.campaign_year == query.campaign_year]
    if query.region_prefix:
        low, high = prefix_range(query.region_prefix)
        conditions.append(T.c.region_code >= low)
        if high is not None:
            conditions.append(T.c.region_code < high)
    if query.name_prefix:
        low, high = prefix_range(query.name_prefix)
        conditions.append(T.c.enterprise_name >= low)
        if high is not None:
            conditions.append(T.c.enterprise_name < high)
    if query.enterprise_uscc is not None:
        conditions.append(T.c.enterprise_uscc == query.enterprise_uscc)
    if query.outcome is not None:
        conditions.append(T.c.outcome == query.outcome)
    if query.scope is not None:
        conditions.extend(_in_scope(query.scope))
    order = query.sort_columns()
    if after is not None:
        conditions.append(tuple_(*order) > tuple_(*after))
    stmt = select(SelfAssessment).where(and_(*conditions)).order_by(*order).limit(limit + 1)
    rows = list((await session.execute(stmt)).scalars().all())
    more = len(rows) > limit
    rows = rows[:limit]
    if not more:
        return rows, None
    last = rows[-1]
    first = last.enterprise_name if query.by_name else last.region_code
    return rows, (first, last.enterprise_uscc, last.factory_name)


def _in_scope(scope: Scope) -> list[Any]:
    """`Scope.covers` as SQL conditions on `self_assessment` (ANDed)."""
    clauses: list[Any] = []
    if "" not in scope.regions:
        inside = or_(*(T.c.region_code.startswith(p, autoescape=True) for p in scope.regions))
        if scope.enterprises:
            inside = or_(inside, T.c.enterprise_uscc.in_(scope.enterprises))
        clauses.append(inside)
    clauses.extend(
        not_(T.c.region_code.startswith(p, autoescape=True)) for p in scope.excluded_regions
    )
    if scope.excluded_enterprises:
        clauses.append(T.c.enterprise_uscc.not_in(scope.excluded_enterprises))
    if scope.group is not None:
        # What the HQ imported, and what its group's enterprises (by their profile) filed.
        members = select(Enterprise.uscc).where(Enterprise.central_soe_group == scope.group)
        clauses.append(or_(T.c.central_soe_group == scope.group, T.c.enterprise_uscc.in_(members)))
    return clauses


# --- imports --------------------------------------------------------------------------------

STAGE = "self_assessment_stage"
_STAGE_COLUMNS = (
    "row_no",
    "uscc",
    "factory",
    "name",
    "region",
    "cmmm_level",
    "segments",
    "attestations",
    "kpis",
    "outcome",
    "findings",
)


class Staging:
    """The rows of one import, parked in a temporary table of the request's transaction.

    Rows are copied in (binary COPY) as they are checked, so Python never holds more than a
    chunk; duplicates within the file are found by the database; and when the whole file
    passed, the rows go into `self_assessment` in a few set-based statements. The table is
    dropped at commit, and with everything else at rollback.
    """

    def __init__(self, session: AsyncSession, campaign_year: int) -> None:
        self.session = session
        self.campaign_year = campaign_year

    async def create(self) -> None:
        await self.session.execute(
            text(
                f"CREATE TEMPORARY TABLE {STAGE} ("
                "row_no integer PRIMARY KEY, uscc text, factory text, name text, region text, "
                "cmmm_level smallint, segments jsonb, attestations jsonb, kpis jsonb, "
                "outcome text, findings jsonb) ON COMMIT DROP"
            )
        )

    async def _driver(self) -> Any:
        connection = await self.session.connection()
        raw = await connection.get_raw_connection()
        return raw.driver_connection

    async def copy(self, records: list[tuple[Any, ...]]) -> None:
        """Rows as tuples in `_STAGE_COLUMNS` order (JSON columns as JSON text)."""
        if records:
            driver = await self._driver()
            await driver.copy_records_to_table(STAGE, records=records, columns=_STAGE_COLUMNS)

    async def duplicates(self, limit: int) -> tuple[int, list[tuple[int, int]]]:
        """(how many rows repeat an earlier row's key, the first `limit` as (row, first row))."""
        count = (await self.session.execute(_COUNT_DUPLICATES)).scalar_one()
        if not count:
            return 0, []
        rows = (await self.session.execute(_LIST_DUPLICATES, {"limit": limit})).all()
        return count, [(r.row_no, r.first_row) for r in rows]

    async def foreign(
        self, jurisdiction: str, group: str | None, limit: int
    ) -> tuple[dict[str, int], list[tuple[int, str, str]]]:
        """Staged rows whose key names a self-assessment the importer may not change: one the
        enterprise filed itself (`filed_by_enterprise`), or one another organiser imported —
        registered outside `jurisdiction`, or imported by a group HQ other than `group`
        (`held_elsewhere`); (how many of each, the first `limit` as (row, code, stored
        region))."""
        params = {"year": self.campaign_year, "prefix": jurisdiction, "group": group}
        counts = {r.code: r.n for r in await self.session.execute(_COUNT_FOREIGN, params)}
        if not counts:
            return {}, []
        rows = (await self.session.execute(_LIST_FOREIGN, {**params, "limit": limit})).all()
        return counts, [(r.row_no, r.code, r.region_code) for r in rows]

    async def outside_group(self, group: str, limit: int) -> tuple[int, list[tuple[int, str]]]:
        """Staged rows of enterprises whose own profile names another group or none (a group
        HQ organises only its group's enterprises, 251号 一(一)); (how many, the first `limit`
        as (row, the group the profile names or '')."""
        params = {"group": group}
        count = (await self.session.execute(_COUNT_OUTSIDE_GROUP, params)).scalar_one()
        if not count:
            return 0, []
        rows = (await self.session.execute(_LIST_OUTSIDE_GROUP, {**params, "limit": limit})).all()
        return count, [(r.row_no, r.named or "") for r in rows]

    async def write(
        self,
        *,
        campaign_year: int,
        jurisdiction: str,
        group: str | None,
        edition: str,
        source: str,
        created_by: str,
        first_row: int,
        last_row: int,
        chunk: int,
    ) -> tuple[int, int]:
        """Upsert every staged row into `self_assessment`, `chunk` row numbers per statement;
        (rows written, of which inserted).

        The upsert replaces only imported rows inside `jurisdiction` and of the same importing
        group HQ (`group`, None for a region's importer) — `foreign` has refused the others;
        an enterprise filing its own form meanwhile makes its row skipped here, which the
        caller sees as fewer rows written than staged.

        Imports of one campaign write one at a time (a transaction-scoped advisory lock): two
        files upserting overlapping enterprises in different orders would otherwise deadlock.
        """
        await self.session.execute(_SERIALISE_WRITES, {"year": campaign_year})
        written = inserted = 0
        for low in range(first_row, last_row + 1, chunk):
            result = (
                await self.session.execute(
                    _WRITE,
                    {
                        "year": campaign_year,
                        "prefix": jurisdiction,
                        "group": group,
                        "edition": edition,
                        "source": source,
                        "created_by": created_by,
                        "low": low,
                        "high": low + chunk,
                    },
                )
            ).one()
            written += result.written
            inserted += result.inserted
        return written, inserted


# The staging statements, written out in full (they name `STAGE` and the schema's table).
_COUNT_DUPLICATES = text(
    "SELECT count(*) FROM (SELECT row_no, min(row_no) OVER (PARTITION BY uscc, factory) "
    "AS first_row FROM self_assessment_stage WHERE uscc IS NOT NULL) d "
    "WHERE row_no <> first_row"
)
_LIST_DUPLICATES = text(
    "SELECT row_no, first_row FROM (SELECT row_no, min(row_no) OVER (PARTITION BY uscc, "
    "factory) AS first_row FROM self_assessment_stage WHERE uscc IS NOT NULL) d "
    "WHERE row_no <> first_row ORDER BY row_no LIMIT :limit"
)
# Namespaced by a constant so it cannot collide with other advisory locks of the service.
_SERIALISE_WRITES = text("SELECT pg_advisory_xact_lock(hashtext('self_assessment_import'), :year)")

_WRITE = text(
    "WITH written AS ("
    "INSERT INTO declaration.self_assessment AS t (id, campaign_year, enterprise_uscc, "
    "enterprise_name, region_code, factory_name, cmmm_level, segments, attestations, "
    "kpis, outcome, rules_edition, findings, source, central_soe_group, created_by, "
    "created_at) "
    "SELECT gen_random_uuid(), :year, uscc, name, region, factory, cmmm_level, "
    "segments, attestations, kpis, outcome, :edition, findings, :source, "
    "CAST(:group AS text), :created_by, now() "
    "FROM self_assessment_stage WHERE row_no >= :low AND row_no < :high "
    "ON CONFLICT (enterprise_uscc, campaign_year, factory_name) DO UPDATE SET "
    "enterprise_name = EXCLUDED.enterprise_name, region_code = EXCLUDED.region_code, "
    "cmmm_level = EXCLUDED.cmmm_level, segments = EXCLUDED.segments, "
    "attestations = EXCLUDED.attestations, kpis = EXCLUDED.kpis, outcome = EXCLUDED.outcome, "
    "rules_edition = EXCLUDED.rules_edition, findings = EXCLUDED.findings, "
    "source = EXCLUDED.source, created_by = EXCLUDED.created_by, "
    "created_at = EXCLUDED.created_at "
    "WHERE t.source LIKE 'import:%' AND starts_with(t.region_code, :prefix) "
    "AND t.central_soe_group IS NOT DISTINCT FROM CAST(:group AS text) "
    "RETURNING (xmax = 0) AS inserted) "
    "SELECT count(*) AS written, count(*) FILTER (WHERE inserted) AS inserted FROM written"
)
# Staged rows naming a record the importer may not change (see `Staging.foreign`).
_COUNT_FOREIGN = text(
    "SELECT CASE WHEN t.source = 'form' THEN 'filed_by_enterprise' ELSE 'held_elsewhere' END "
    "AS code, count(*) AS n "
    "FROM self_assessment_stage s JOIN declaration.self_assessment t "
    "ON t.enterprise_uscc = s.uscc AND t.factory_name = s.factory AND t.campaign_year = :year "
    "WHERE s.region IS NOT NULL "
    "AND (t.source = 'form' OR NOT starts_with(t.region_code, :prefix) "
    "OR t.central_soe_group IS DISTINCT FROM CAST(:group AS text)) GROUP BY 1"
)
_LIST_FOREIGN = text(
    "SELECT s.row_no, t.region_code, CASE WHEN t.source = 'form' THEN 'filed_by_enterprise' "
    "ELSE 'held_elsewhere' END AS code "
    "FROM self_assessment_stage s JOIN declaration.self_assessment t "
    "ON t.enterprise_uscc = s.uscc AND t.factory_name = s.factory AND t.campaign_year = :year "
    "WHERE s.region IS NOT NULL "
    "AND (t.source = 'form' OR NOT starts_with(t.region_code, :prefix) "
    "OR t.central_soe_group IS DISTINCT FROM CAST(:group AS text)) "
    "ORDER BY s.row_no LIMIT :limit"
)
# Staged rows of registered enterprises whose profile names another group, or none.
_OUTSIDE_GROUP = (
    "FROM self_assessment_stage s JOIN declaration.enterprise e ON e.uscc = s.uscc "
    "WHERE s.region IS NOT NULL AND e.central_soe_group IS DISTINCT FROM CAST(:group AS text)"
)
_COUNT_OUTSIDE_GROUP = text("SELECT count(*) " + _OUTSIDE_GROUP)
_LIST_OUTSIDE_GROUP = text(
    "SELECT s.row_no, e.central_soe_group AS named " + _OUTSIDE_GROUP + " ORDER BY s.row_no "
    "LIMIT :limit"
)
assert STAGE == "self_assessment_stage" and SCHEMA == "declaration"


def stage_record(
    row_no: int,
    key: tuple[str, str] | None,
    row: Any = None,
    outcome: str | None = None,
    findings: list[dict[str, Any]] | None = None,
) -> tuple[Any, ...]:
    """A staging tuple: the full row when it passed, only its key (for duplicates) when not."""
    uscc, factory = key if key is not None else (None, None)
    if row is None:
        return (row_no, uscc, factory, None, None, None, None, None, None, None, None)
    return (
        row_no,
        uscc,
        factory,
        row.name,
        row.region,
        row.cmmm_level,
        _json(row.segments),
        _json(row.attestations),
        _json(row.kpis),
        outcome,
        _json(findings or []),
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def add_import(session: AsyncSession, record: SelfAssessmentImport) -> SelfAssessmentImport:
    session.add(record)
    await session.flush()
    await session.refresh(record)
    return record


async def get_import(session: AsyncSession, import_id: uuid.UUID) -> SelfAssessmentImport | None:
    return await session.get(SelfAssessmentImport, import_id)
