"""A whole ranked list (推荐汇总表) in one request: a provincial system's JSON push, or the
附件3/附件5 file uploaded (`sheet_import` turns its rows into the same `PushRow`s).

Everything is judged before anything is written, and every problem is reported at once, in
one 422 `list_push_invalid` (`Problems`): each row (numbered as in the file, or 1-based in the
`entries` array) must name one case (`declaration_id`; else USCC and 项目名称; else 申报单位名称
and 项目名称 — the file has no USCC column) that awaits this unit (`service._check_listable`:
its recommendation, or at a ranking level its ranking), is of the list's campaign and tier,
and is named once; the ranks run 1..n without gaps or repeats; the columns given agree with
what the enterprise declared (the case's snapshot and `details`: a pushed row cannot rewrite
the 申报书 — a column left out is filled from the declaration, as the exported table is); and
the entries that use the quota fit it, by the rules service's usage check (`peers.
RulesClient.usage`, which knows the exemptions) against the limit kept with the list, as
`add_entry` counts them.

Before that, the state of the list is judged on its own: another unit's list is 404 as
everywhere in the module; a submitted list is final (409 `list_submitted`); a locked one is
being signed off and is not overwritten (409 `list_locked`: unlock it first — Ladder's
choice, so that a system pushing cannot change a table a person has locked for signature);
a push that submits is refused after the unit's deadline (409 `deadline_passed`, naming the
level, closes_at and clause), as `submit` is — nothing a row could change would help. A draft
push (`submit: false`) is not bound by the deadline, as adding an entry is not.

If all is well the entries replace the list's (a list absent is opened with the quota, as
`open_list` does), in one transaction: one history row `pushed` naming the counts and the
source; with `submit` the list is then locked and submitted exactly as `submit` does it
(`service.submit_locked`: the cases recommended — 先进级 recognised — the table frozen, the
event queued). A refused push rolls everything back, the list's opening too.

Comparisons of text are made on NFKC-normalised text with runs of white space folded (a
full-width bracket typed in Excel is the same bracket); scene instances and future modes are
compared as sets (the table lists them; their order is the declaration's). A mismatch names
what was declared; of a mobile number only the first three and last four digits (error
bodies end up in other systems' logs).
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ladder.kit.auth import Principal
from ladder.review.cases.auth import may_read as may_read_case
from ladder.review.cases.models import ReviewCase
from ladder.review.deadlines import DeadlineBook
from ladder.review.errors import (
    CaseNotAwaitingRecommendation,
    CaseNotForThisList,
    DeadlinePassed,
    ListLocked,
    ListPushInvalid,
    ListSubmitted,
)
from ladder.review.peers import Candidate, RulesClient
from ladder.review.recommendations import repository, service, transitions
from ladder.review.recommendations.models import RecommendationList
from ladder.review.recommendations.ranking_levels import ranking_levels
from ladder.review.recommendations.schemas import ListStatus, ListTier, PushEntry

Scene = tuple[str, str, str]

# field → (中文, English) names, as a row problem names them.
FIELDS: dict[str, tuple[str, str]] = {
    "rank": ("序号", "rank"),
    "declaration_id": ("申报书编号", "declaration id"),
    "enterprise_uscc": ("统一社会信用代码", "USCC"),
    "enterprise_name": ("申报单位名称", "enterprise name"),
    "project_name": ("项目名称", "project name"),
    "region_code": ("所在地区", "region code"),
    "scenes": ("涉及典型场景实例", "scene instances"),
    "future_modes": ("重点探索的未来制造模式清单", "future manufacturing modes"),
    "contact.name": ("联系人", "contact name"),
    "contact.mobile": ("联系方式（手机号）", "contact mobile"),
}

# code → (中文, English): the message of a problem, formatted with its facts.
TEXTS: dict[str, tuple[str, str]] = {
    # rows
    "reference_missing": (
        "未指明申报：须填写申报书编号，或统一社会信用代码和项目名称，或申报单位名称和项目名称",
        "No case named: give declaration_id, or enterprise_uscc and project_name, or "
        "enterprise_name and project_name",
    ),
    "not_found": (
        "本单位辖区内没有与之对应的申报",
        "No case in your jurisdiction matches this row",
    ),
    "ambiguous": (
        "有{count}件待本单位推荐的申报与之对应，请以申报书编号或统一社会信用代码指明",
        "{count} cases awaiting this unit match; name it by declaration_id or enterprise_uscc",
    ),
    "not_awaiting": (
        "该申报当前不在本单位待推荐状态（{status}）",
        "The case is not awaiting this unit's recommendation (status {status})",
    ),
    "not_for_this_list": (
        "该申报的批次或级别（{campaign_year}，{tier}）与推荐汇总表不符",
        "The case's campaign or tier ({campaign_year}, {tier}) is not the list's",
    ),
    "repeated": ("与第{first_row}行是同一申报", "The same case as row {first_row}"),
    "mismatch": (
        "{field_zh}与申报书不一致，应为：{expected_text}",
        "The {field_en} differs from the declaration; expected: {expected_text}",
    ),
    "rank_out_of_range": ("序号须为 1 至 {n} 的整数", "The rank must be a whole number 1 to {n}"),
    "rank_repeated": (
        "序号 {rank} 重复（第{rows}行）",
        "Rank {rank} is given more than once (rows {rows})",
    ),
    "rank_unreadable": ("序号不是整数", "The rank is not a whole number"),
    "scene_unreadable": (
        "第{line}行不是“环节—场景—实例”的格式",
        "Line {line} is not written 环节—场景—实例 (segment—scene—instance)",
    ),
    "text_invalid": ("含有不允许的字符（{reason}）", "Contains a character not allowed ({reason})"),
    "too_long": ("超过{limit}个字符", "Longer than {limit} characters"),
    "too_many_lines": ("超过{limit}行", "More than {limit} lines"),
    # the list
    "list_empty": ("没有推荐项目，不能报送", "No entries: there is nothing to submit"),
    "over_quota": (
        "超出推荐名额：不超过{limit}个（{clause}），本表计入名额{counted}个，第{rows}行超出",
        "Over the quota: at most {limit} ({clause}); {counted} entries use it, rows {rows} "
        "are beyond it",
    ),
    "ranks_missing": (
        "序号须从 1 至 {n} 连续、不重复，缺少：{missing}",
        "The ranks must run 1 to {n} without gaps or repeats; missing: {missing}",
    ),
    "too_many_rows": ("超过{limit}行，未再读取", "More than {limit} rows; the rest were not read"),
    "header_missing": (
        "未找到表头行，或缺少列：{headers}",
        "No header row, or columns missing: {headers}",
    ),
    "header_repeated": ("表头“{header}”出现多次", "The header “{header}” appears more than once"),
    "unreadable_file": ("文件无法读取（{reason}）", "The file cannot be read ({reason})"),
    "bad_encoding": (
        "文件不是 {encoding} 编码（请使用 UTF-8 或 GB18030）",
        "The file is not {encoding} (send UTF-8 or GB18030)",
    ),
}


class Problems:
    """Every problem found, of the rows and of the list; `error()` is the one 422."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.listwide: list[dict[str, Any]] = []
        self.columns: dict[str, str] = {}
        """field → the header of its column in the uploaded file (named in row problems)."""

    def __bool__(self) -> bool:
        return bool(self.rows or self.listwide)

    def row(self, row: int, field_name: str | None, code: str, **facts: Any) -> None:
        """A problem of row `row` (its field, or None for the row as a whole). `facts` are
        kept in the answer, but `expected_zh`/`expected_en`, which only word the message."""
        zh, en = _texts(code, field_name, facts)
        kept = {k: v for k, v in facts.items() if k not in ("expected_zh", "expected_en")}
        self.rows.append(
            {"row": row, "field": field_name, "code": code, "message": zh, "message_en": en} | kept
        )

    def list(self, code: str, **facts: Any) -> None:
        """A problem of the list as a whole (the ranks, the quota, the file)."""
        zh, en = _texts(code, None, facts)
        self.listwide.append({"code": code, "message": zh, "message_en": en} | facts)

    def error(self, rows_checked: int) -> ListPushInvalid:
        order = list(FIELDS)
        ranked = sorted(
            self.rows,
            key=lambda p: (p["row"], order.index(p["field"]) if p["field"] in order else -1),
        )
        for problem in ranked:
            if problem["field"] in self.columns:
                problem["column"] = self.columns[problem["field"]]
        return ListPushInvalid(
            details={
                "rows_checked": rows_checked,
                "row_problems": ranked,
                "list_problems": self.listwide,
            }
        )


def _texts(code: str, field_name: str | None, facts: dict[str, Any]) -> tuple[str, str]:
    zh, en = TEXTS[code]
    names = FIELDS.get(field_name or "", ("", ""))
    shown = {
        k: ", ".join(map(str, v)) if isinstance(v, list) and k != "expected" else v
        for k, v in facts.items()
    }
    return (
        zh.format(field_zh=names[0], **shown, expected_text=facts.get("expected_zh", "")),
        en.format(field_en=names[1], **shown, expected_text=facts.get("expected_en", "")),
    )


@dataclass
class PushRow:
    """One row of a pushed table, as given (None: left out, or unreadable — a problem says
    which). `row` is its number in the file or the `entries` array, 1-based."""

    row: int
    rank: int | None
    declaration_id: uuid.UUID | None = None
    enterprise_uscc: str | None = None
    enterprise_name: str | None = None
    project_name: str | None = None
    region_code: str | None = None
    scenes: list[Scene] | None = None
    future_modes: list[str] | None = None
    contact_name: str | None = None
    contact_mobile: str | None = None


@dataclass(frozen=True)
class Source:
    """Where the rows came from, for the history row: JSON, or a file (its name and hash)."""

    kind: str  # json | xlsx | csv
    file_name: str | None = None
    sha256: str | None = None

    def describe(self) -> str:
        if self.kind == "json":
            return "JSON"
        name = f" {self.file_name[:100]}" if self.file_name else ""
        return f"推荐汇总表 file{name} ({self.kind.upper()}, sha256 {(self.sha256 or '')[:12]}…)"


JSON = Source("json")


def rows_of_json(entries: Iterable[PushEntry]) -> list[PushRow]:
    return [
        PushRow(
            row=n,
            rank=e.rank,
            declaration_id=e.declaration_id,
            enterprise_uscc=e.enterprise_uscc,
            enterprise_name=e.enterprise_name,
            project_name=e.project_name,
            region_code=e.region_code,
            scenes=None
            if e.scenes is None
            else [(s.segment, s.scene, s.instance) for s in e.scenes],
            future_modes=e.future_modes,
            contact_name=e.contact.name if e.contact else None,
            contact_mobile=e.contact.mobile if e.contact else None,
        )
        for n, e in enumerate(entries, 1)
    ]


# --- comparing with the declaration -----------------------------------------------------------


def norm(text: str) -> str:
    """Text as compared: NFKC (full-width forms folded), white space runs folded, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _mobile(text: str) -> str:
    return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", text))


def _masked(mobile: str) -> str:
    return mobile[:3] + "*" * max(len(mobile) - 7, 0) + mobile[-4:] if len(mobile) > 7 else "***"


def _lines(items: list[str]) -> str:
    return "；".join(f"{i}.{item}" for i, item in enumerate(items, 1))


def declared_scenes(case: ReviewCase) -> list[Scene]:
    return [
        (s["segment"], s["scene"], s["instance"]) for s in (case.details or {}).get("scenes") or []
    ]


def _agree(problems: Problems, row: PushRow, case: ReviewCase) -> None:
    """A problem for every column given that differs from what the case's declaration says."""
    details = case.details or {}
    contact = details.get("contact") or {}

    def differs(name: str, given: str | None, declared: str | None, *, mask=False) -> None:
        if given is None:
            return
        key = _mobile if mask else norm
        if key(given) == key(declared or ""):
            return
        shown = (_masked(declared) if mask else declared) if declared else None
        problems.row(
            row.row,
            name,
            "mismatch",
            expected=shown,
            expected_zh=shown or "（申报书未填写）",
            expected_en=shown or "(not declared)",
        )

    if row.enterprise_uscc is not None and row.enterprise_uscc.upper() != case.enterprise_uscc:
        differs("enterprise_uscc", row.enterprise_uscc, case.enterprise_uscc)
    differs("enterprise_name", row.enterprise_name, case.enterprise_name)
    differs("project_name", row.project_name, case.factory_name)
    differs("region_code", row.region_code, case.region_code)
    differs("contact.name", row.contact_name, contact.get("name"))
    differs("contact.mobile", row.contact_mobile, contact.get("mobile"), mask=True)
    if row.scenes is not None:
        declared = declared_scenes(case)
        if sorted(tuple(map(norm, s)) for s in row.scenes) != sorted(
            tuple(map(norm, s)) for s in declared
        ):
            lines = ["—".join(s) for s in declared]
            problems.row(
                row.row,
                "scenes",
                "mismatch",
                expected=[{"segment": a, "scene": b, "instance": c} for a, b, c in declared],
                expected_zh=_lines(lines) or "（申报书未填写）",
                expected_en=_lines(lines) or "(not declared)",
            )
    if row.future_modes is not None:
        declared_modes = list(details.get("future_modes") or [])
        if sorted(map(norm, row.future_modes)) != sorted(map(norm, declared_modes)):
            problems.row(
                row.row,
                "future_modes",
                "mismatch",
                expected=declared_modes,
                expected_zh=_lines(declared_modes) or "（申报书未填写）",
                expected_en=_lines(declared_modes) or "(not declared)",
            )


# --- naming the cases -------------------------------------------------------------------------


@dataclass
class _Pool:
    """The cases awaiting the unit, indexed by how a row may name them."""

    by_uscc: dict[tuple[str, str], list[ReviewCase]] = field(default_factory=dict)
    by_name: dict[tuple[str, str], list[ReviewCase]] = field(default_factory=dict)

    @classmethod
    def of(cls, cases: list[ReviewCase]) -> _Pool:
        pool = cls(defaultdict(list), defaultdict(list))
        for c in cases:
            pool.by_uscc[(c.enterprise_uscc, norm(c.factory_name))].append(c)
            pool.by_name[(norm(c.enterprise_name), norm(c.factory_name))].append(c)
        return pool


def _not_waiting(
    problems: Problems,
    row: PushRow,
    field_name: str,
    exc: CaseNotAwaitingRecommendation | CaseNotForThisList,
) -> None:
    if isinstance(exc, CaseNotForThisList):
        problems.row(row.row, field_name, "not_for_this_list", **exc.details)
    else:
        problems.row(row.row, field_name, "not_awaiting", status=exc.details.get("status"))


async def _resolve(
    session: AsyncSession,
    principal: Principal,
    lst: RecommendationList,
    rows: list[PushRow],
    problems: Problems,
) -> dict[int, ReviewCase]:
    """Row number → the case it names, for the rows that name one the list may take; a
    problem for every other row."""
    ranking = ranking_levels().of_unit(lst.unit)
    by_id = await repository.cases_by_declaration(
        session, {r.declaration_id for r in rows if r.declaration_id is not None}
    )
    pool = _Pool.of(
        await repository.awaiting(session, lst, ranking.level.value if ranking else None)
    )
    found: dict[int, ReviewCase] = {}
    missed: list[tuple[PushRow, str]] = []
    for row in rows:
        if row.declaration_id is not None:
            case = by_id.get(row.declaration_id)
            if case is None or not may_read_case(principal, case):
                problems.row(row.row, "declaration_id", "not_found")
                continue
            try:
                service._check_listable(lst, case, lst.unit)
            except (CaseNotAwaitingRecommendation, CaseNotForThisList) as exc:
                _not_waiting(problems, row, "declaration_id", exc)
                continue
            found[row.row] = case
            continue
        if row.project_name is None or (row.enterprise_uscc is None and not row.enterprise_name):
            problems.row(row.row, None, "reference_missing")
            continue
        if row.enterprise_uscc is not None:
            key, index, field_name = (
                (row.enterprise_uscc.upper(), norm(row.project_name)),
                pool.by_uscc,
                "enterprise_uscc",
            )
        else:
            assert row.enterprise_name is not None
            key, index, field_name = (
                (norm(row.enterprise_name), norm(row.project_name)),
                pool.by_name,
                "enterprise_name",
            )
        matches = index.get(key, [])
        if len(matches) == 1:
            found[row.row] = matches[0]
        elif matches:
            problems.row(row.row, field_name, "ambiguous", count=len(matches))
        else:
            missed.append((row, field_name))
    await _explain_misses(session, principal, lst, missed, problems)
    return found


async def _explain_misses(
    session: AsyncSession,
    principal: Principal,
    lst: RecommendationList,
    missed: list[tuple[PushRow, str]],
    problems: Problems,
) -> None:
    """Rows naming a case by its enterprise that none awaiting the unit matches: the case
    exists (in the caller's sight) in another state, or there is none."""
    if not missed:
        return
    others = [
        c
        for c in await repository.cases_of_enterprises(
            session,
            lst.campaign_year,
            lst.tier,
            {r.enterprise_uscc.upper() for r, _ in missed if r.enterprise_uscc},
            {r.enterprise_name for r, _ in missed if r.enterprise_name and not r.enterprise_uscc},
        )
        if may_read_case(principal, c)
    ]
    for row, field_name in missed:
        assert row.project_name is not None
        project = norm(row.project_name)
        same = [
            c
            for c in others
            if norm(c.factory_name) == project
            and (
                c.enterprise_uscc == row.enterprise_uscc.upper()
                if row.enterprise_uscc
                else norm(c.enterprise_name) == norm(row.enterprise_name or "")
            )
        ]
        if same:
            problems.row(row.row, field_name, "not_awaiting", status=same[0].status)
        else:
            problems.row(row.row, field_name, "not_found")


# --- the whole ---------------------------------------------------------------------------------


def _check_ranks(problems: Problems, rows: list[PushRow]) -> None:
    n = len(rows)
    by_rank: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        if row.rank is None:
            continue
        if not 1 <= row.rank <= n:
            problems.row(row.row, "rank", "rank_out_of_range", n=n)
            continue
        by_rank[row.rank].append(row.row)
    for rank, numbers in by_rank.items():
        if len(numbers) > 1:
            for number in numbers:
                problems.row(number, "rank", "rank_repeated", rank=rank, rows=numbers)
    missing = sorted(set(range(1, n + 1)) - set(by_rank))
    readable = all(row.rank is not None for row in rows)
    if missing and readable:
        problems.list("ranks_missing", n=n, missing=missing)


async def _quota(
    rules: RulesClient,
    lst: RecommendationList,
    ranked: list[tuple[PushRow, ReviewCase]],
    problems: Problems,
) -> dict[uuid.UUID, tuple[bool, str | None]]:
    """declaration id → (uses a slot, the exemption keeping it off), by the rules service's
    usage check of the ranked cases; a list problem when those using a slot exceed the
    limit kept with the list (as `service._cap` names it: limit, clause, source, unit)."""
    if lst.quota_limit is None or not ranked:
        return {c.declaration_id: (False, None) for _, c in ranked}
    usage = await rules.usage(
        lst.campaign_year,
        lst.tier,
        lst.unit,
        [Candidate(id=str(c.declaration_id), enterprise_uscc=c.enterprise_uscc) for _, c in ranked],
    )
    uses = {}
    counting = []
    for row, case in ranked:
        mine = usage.of(str(case.declaration_id))
        uses[case.declaration_id] = (mine.counts, None if mine.counts else mine.exemption)
        if mine.counts:
            counting.append(row.row)
    if len(counting) > lst.quota_limit:
        cap = service._cap(lst, len(counting)).details
        problems.list(
            "over_quota",
            **{k: cap[k] for k in ("limit", "counted", "unit", "unit_name", "tier")},
            clause=cap["clause"],
            source=cap["source"],
            rows=counting[lst.quota_limit :],
        )
    return uses


async def push(
    session: AsyncSession,
    rules: RulesClient,
    principal: Principal,
    campaign_year: int,
    tier: ListTier,
    unit: str,
    rows: list[PushRow],
    problems: Problems,
    *,
    submit: bool,
    deadlines: DeadlineBook,
    now: datetime,
    source: Source = JSON,
) -> tuple[RecommendationList, bool]:
    """Replace the list's entries with `rows` (and submit it with `submit`), or change
    nothing and raise `list_push_invalid` naming every problem (those already in `problems`,
    a file's, included). The list, and whether it was opened by this push."""
    opened, created = await service.open_list(session, rules, principal, campaign_year, tier, unit)
    lst = await repository.find(session, campaign_year, tier, unit, for_update=True)
    assert lst is not None and lst.id == opened.id
    if lst.status == ListStatus.submitted.value:
        raise ListSubmitted(details={"status": lst.status})
    if lst.status == ListStatus.locked.value:
        raise ListLocked(details={"status": lst.status})
    if submit:
        deadline = await service.list_deadline(deadlines, lst)
        if deadline is not None and now >= deadline.closes_at:
            raise DeadlinePassed(details=deadline.details())

    found = await _resolve(session, principal, lst, rows, problems)
    first_row: dict[uuid.UUID, int] = {}
    for row in rows:
        case = found.get(row.row)
        if case is None:
            continue
        _agree(problems, row, case)
        if case.declaration_id in first_row:
            problems.row(row.row, None, "repeated", first_row=first_row[case.declaration_id])
            del found[row.row]
        else:
            first_row[case.declaration_id] = row.row
    _check_ranks(problems, rows)
    if submit and not rows:
        problems.list("list_empty")
    ordered = sorted(
        ((row, found[row.row]) for row in rows if row.row in found),
        key=lambda pair: (pair[0].rank if pair[0].rank is not None else 2**31, pair[0].row),
    )
    uses = await _quota(rules, lst, ordered, problems)
    if problems:
        raise problems.error(len(rows))

    replaced = await repository.clear_entries(session, lst.id)
    counted = sum(1 for c, _ in uses.values() if c)
    await transitions.move(
        session,
        lst,
        "edit",
        actor=principal.sub,
        action="pushed",
        reason=f"{len(ordered)} entries pushed as {source.describe()}, replacing {replaced}: "
        f"{counted} use the quota, {len(ordered) - counted} do not; "
        + ("locked and submitted in the same request" if submit else "left open as a draft"),
    )
    await repository.insert_entries(
        session,
        [
            {
                "list_id": lst.id,
                "declaration_id": case.declaration_id,
                "rank": rank,
                "counts": uses[case.declaration_id][0],
                "exemption": uses[case.declaration_id][1],
                "added_by": principal.sub,
            }
            for rank, (_, case) in enumerate(ordered, 1)
        ],
    )
    await session.flush()
    if submit:
        await transitions.move(session, lst, "lock", actor=principal.sub, action="locked")
        await session.flush()
        await service.submit_locked(session, principal, lst, deadlines=deadlines, now=now)
    return lst, created
