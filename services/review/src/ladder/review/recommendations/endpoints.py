"""Routes of the recommending units' lists (推荐汇总表): provinces, the XPCC (a province token
whose region is `xpcc`) and central-SOE group HQs (their group's USCC as `soe:<USCC>`), and the
ranked tables of the levels below that rank their own (a Shanghai district's county token, its
code as the unit: `ranking_levels.yaml`)."""

from __future__ import annotations

import hashlib
import re
import uuid
from email.message import Message
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import AfterValidator, StringConstraints
from starlette.concurrency import run_in_threadpool

from ladder.kit.auth import Principal, Role, require_roles
from ladder.kit.clock import ClockDep
from ladder.kit.concurrency import IfMatchDep
from ladder.kit.db import SessionDep
from ladder.kit.errors import PayloadTooLarge, ServiceUnavailable, UpstreamError, declare
from ladder.kit.pagination import Page, PageDep
from ladder.kit.params import (
    FIRST_CAMPAIGN_YEAR,
    LAST_CAMPAIGN_YEAR,
    CampaignYearPath,
    OptionalCampaignYearQuery,
)
from ladder.kit.writes import KeyedWriteDep, answer_json
from ladder.review.deadlines import DeadlinesDep
from ladder.review.errors import (
    AlreadyListed,
    CaseNotAwaitingRecommendation,
    CaseNotForThisList,
    CaseNotFound,
    DeadlinePassed,
    EntriesNoLongerAwaiting,
    EntryNotFound,
    ListEmpty,
    ListLocked,
    ListNotLocked,
    ListPushInvalid,
    ListSubmitted,
    OrderMismatch,
    QuotaExhausted,
    QuotaUnavailable,
    RecommendationListNotFound,
    SheetTypeUnsupported,
)
from ladder.review.peers import PeersDep
from ladder.review.recommendations import push as pushing
from ladder.review.recommendations import service, sheet_import
from ladder.review.recommendations.models import RecommendationList
from ladder.review.recommendations.schemas import (
    UNIT_PATTERN,
    EntryCreate,
    EntryOrder,
    ListPush,
    ListRead,
    ListStatus,
    ListSummary,
    ListTier,
    UnitCode,
)

router = APIRouter(prefix="/v1/recommendation-lists", tags=["recommendations"])

ProvinceDep = Annotated[Principal, require_roles(Role.province, Role.central_soe_hq, Role.county)]
"""A list's unit's authority: a recommending unit, or a district whose level ranks (403
`forbidden` for anyone else; 404 for another unit or a level that does not rank)."""
ReaderDep = Annotated[
    Principal, require_roles(Role.province, Role.central_soe_hq, Role.county, Role.ministry)
]
"""The unit (its own lists), the province (the lower tables submitted to it) or the ministry
(the lists submitted to it)."""
Campaign = CampaignYearPath
Unit = Annotated[UnitCode, Path()]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST = "/{campaign}/{tier}/{unit}"


async def _read(session: SessionDep, lst: RecommendationList, status_code: int = 200) -> Response:
    return answer_json(await service.to_read(session, lst), status_code)


NOT_FOUND = RecommendationListNotFound
PEER_DOWN = (ServiceUnavailable, UpstreamError)
"""A peer unreachable (503) or failing (502)."""


@router.get(
    "",
    response_model=Page[ListSummary],
    responses=declare(),
    summary="The lists the caller may read: a unit its own, the ministry every submitted one",
)
async def list_lists(
    session: SessionDep,
    principal: ReaderDep,
    page: PageDep,
    campaign: OptionalCampaignYearQuery = None,
    tier: ListTier | None = None,
    status_filter: Annotated[ListStatus | None, Query(alias="status")] = None,
) -> Page[ListSummary]:
    """Newest change first. The ministry's index is its inbox of 推荐汇总表 received."""
    rows, total = await service.listing(
        session,
        principal,
        campaign_year=campaign,
        tier=tier,
        status=status_filter,
        offset=page.offset,
        limit=page.page_size,
    )
    return Page(
        items=[service.summary(lst, sub) for lst, sub in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


MAX_LISTS = 100
"""The most lists one batch read names."""
_UNIT = re.compile(UNIT_PATTERN)
_LIST_KEY = re.compile(r"(?P<year>[0-9]{4}):(?P<tier>[a-z]+):(?P<unit>.+)")


def _list_key(value: str) -> tuple[int, ListTier, str]:
    found = _LIST_KEY.fullmatch(value)
    tiers = {t.value for t in ListTier}
    if (
        found is None
        or not FIRST_CAMPAIGN_YEAR <= int(found["year"]) <= LAST_CAMPAIGN_YEAR
        or found["tier"] not in tiers
        or _UNIT.fullmatch(found["unit"]) is None
    ):
        raise ValueError("a list is named <campaign>:<tier>:<unit>, e.g. 2025:pilot:350000")
    return int(found["year"]), ListTier(found["tier"]), found["unit"]


ListKey = Annotated[str, StringConstraints(max_length=40), AfterValidator(_list_key)]


@router.get(
    "/batch",
    response_model=list[ListRead],
    responses=declare(),
    summary="Several lists at once, each whole (a batch read, by the rule of one read)",
)
async def read_lists(
    session: SessionDep,
    principal: ReaderDep,
    lists: Annotated[
        list[ListKey],
        Query(
            alias="list",
            min_length=1,
            max_length=MAX_LISTS,
            description=f"each list as campaign:tier:unit, e.g. 2025:pilot:350000 (1 to "
            f"{MAX_LISTS}; repeat the parameter)",
        ),
    ],
) -> list[ListRead]:
    """Each list the caller may read as `GET …/{campaign}/{tier}/{unit}` answers it (entries,
    quota, history), in the order named; one it may not read is not in the answer."""
    found = await service.read_many(session, principal, lists)  # type: ignore[arg-type]
    return [await service.to_read(session, lst) for lst in found]


@router.put(
    LIST,
    response_model=ListRead,
    responses={201: {"model": ListRead}, **declare(NOT_FOUND, QuotaUnavailable, *PEER_DOWN)},
    summary="Open the province's list for a tier (201), or read it if it exists (200)",
)
async def open_list(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    session: SessionDep,
    principal: ProvinceDep,
    peers: PeersDep,
) -> Response:
    """The quota (`limit`, 不超过) and its derivation are read once from the rules service and
    kept with the list. 404 for another province's unit; 409 `quota_unavailable` when the rules
    service has no quota for it."""
    lst, created = await service.open_list(session, peers.rules, principal, campaign, tier, unit)
    return await _read(session, lst, 201 if created else 200)


@router.get(
    LIST,
    response_model=ListRead,
    responses=declare(NOT_FOUND),
    summary="The list: entries in rank order, quota used (counted/exempt/remaining), ETag",
)
async def read_list(
    campaign: Campaign, tier: ListTier, unit: Unit, session: SessionDep, principal: ReaderDep
) -> Response:
    """The unit reads its own lists; the ministry reads each list once it is submitted (404
    before: a draft is the unit's business)."""
    return await _read(session, await service.read_list(session, principal, campaign, tier, unit))


@router.post(
    LIST + "/entries",
    status_code=status.HTTP_201_CREATED,
    response_model=ListRead,
    responses=declare(
        NOT_FOUND,
        CaseNotFound,
        QuotaExhausted,
        ListLocked,
        CaseNotAwaitingRecommendation,
        CaseNotForThisList,
        AlreadyListed,
        QuotaUnavailable,
        *PEER_DOWN,
    ),
    summary="Add a case awaiting recommendation at the end of the list (Idempotency-Key)",
)
async def add_entry(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    data: EntryCreate,
    principal: ProvinceDep,
    write: KeyedWriteDep,
    peers: PeersDep,
) -> Response:
    """Race-safe: the list row is locked while the entries using the quota are counted, so
    concurrent additions never exceed the limit. Whether the entry uses the quota is the rules
    service's usage check (e.g. an enterprise in the rules' 揭榜单位 registry is exempt where
    the answer lists that exemption, `exemption: jiebang_accepted`). On a district's table
    (a ranking level) the case is one the district holds at its level; 409 `quota_exhausted`
    names the cap (`limit`, `clause`, `source`, `unit`, `unit_name`)."""
    if (replayed := await write.begin(data)) is not None:
        return replayed
    session = write.session
    lst = await service.add_entry(
        session,
        peers.rules,
        principal,
        campaign,
        tier,
        unit,
        data.declaration_id,
    )
    return await write.answer(await service.to_read(session, lst), 201)


@router.post(
    LIST + "/entries/forwarded",
    response_model=ListRead,
    responses=declare(NOT_FOUND, ListLocked, QuotaUnavailable, *PEER_DOWN),
    summary="Take in what the lower tables forwarded, in their rank order (Idempotency-Key)",
)
async def take_in_forwarded(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    principal: ProvinceDep,
    write: KeyedWriteDep,
    peers: PeersDep,
) -> Response:
    """Appends every case awaiting this unit's recommendation that a submitted lower table
    (a Shanghai district's) forwarded and the list lacks: every table's rank 1 first (the
    table submitted earliest first, then by unit code), then every rank 2, and so on; as far
    as the quota goes (the rest stay off, named in the history row). Reorder after at will."""
    if (replayed := await write.begin()) is not None:
        return replayed
    session = write.session
    lst = await service.take_in_forwarded(session, peers.rules, principal, campaign, tier, unit)
    return await write.answer(await service.to_read(session, lst))


@router.delete(
    LIST + "/entries/{declaration_id}",
    response_model=ListRead,
    responses=declare(NOT_FOUND, EntryNotFound, ListLocked),
    summary="Remove a case from the list; those below move up (If-Match on the list)",
)
async def remove_entry(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    declaration_id: uuid.UUID,
    session: SessionDep,
    principal: ProvinceDep,
    if_match: IfMatchDep,
) -> Response:
    lst = await service.remove_entry(
        session, principal, campaign, tier, unit, declaration_id, if_match
    )
    return await _read(session, lst)


@router.post(
    LIST + "/lock",
    response_model=ListRead,
    responses=declare(NOT_FOUND, ListSubmitted),
    summary="Lock the list: no more changes until unlocked (If-Match)",
)
async def lock_list(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    session: SessionDep,
    principal: ProvinceDep,
    if_match: IfMatchDep,
) -> Response:
    lst = await service.set_locked(
        session, principal, campaign, tier, unit, locked=True, if_match=if_match
    )
    return await _read(session, lst)


@router.post(
    LIST + "/unlock",
    response_model=ListRead,
    responses=declare(NOT_FOUND, ListSubmitted),
    summary="Reopen a locked list (If-Match)",
)
async def unlock_list(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    session: SessionDep,
    principal: ProvinceDep,
    if_match: IfMatchDep,
) -> Response:
    lst = await service.set_locked(
        session, principal, campaign, tier, unit, locked=False, if_match=if_match
    )
    return await _read(session, lst)


@router.put(
    LIST + "/order",
    response_model=ListRead,
    responses=declare(NOT_FOUND, ListLocked, OrderMismatch),
    summary="Set the priority order (推荐顺序) of the whole list (If-Match)",
)
async def reorder(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    data: EntryOrder,
    session: SessionDep,
    principal: ProvinceDep,
    if_match: IfMatchDep,
) -> Response:
    """`declaration_ids` lists every case on the list exactly once, first = rank 1 (422
    `order_mismatch` names the missing, unknown and repeated)."""
    lst = await service.reorder(
        session, principal, campaign, tier, unit, data.declaration_ids, if_match
    )
    return await _read(session, lst)


@router.post(
    LIST + "/submit",
    response_model=ListRead,
    responses=declare(
        NOT_FOUND,
        ListNotLocked,
        ListSubmitted,
        ListEmpty,
        DeadlinePassed,
        EntriesNoLongerAwaiting,
        *PEER_DOWN,
    ),
    summary="Submit the locked list: to the ministry, or a district's up the chain (If-Match, "
    "Idempotency-Key)",
)
async def submit_list(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    principal: ProvinceDep,
    write: KeyedWriteDep,
    deadlines: DeadlinesDep,
    clock: ClockDep,
    if_match: IfMatchDep,
) -> Response:
    """By the unit's deadline (the campaign's `national` deadline, else `province`; the
    declaration service keeps them). Every case on the list becomes `recommended` (卓越级,
    领航级) or `recognised` (先进级) in one transaction with the frozen 推荐汇总表 (GET
    `…/summary-table.xlsx`). A district's table (a ranking level) goes up instead, by the
    district's own deadline: each case on it is forwarded one level up in rank order, with a
    forward opinion naming its rank; its province takes them in with `…/entries/forwarded`."""
    if (replayed := await write.begin()) is not None:
        return replayed
    session = write.session
    lst = await service.submit(
        session,
        principal,
        campaign,
        tier,
        unit,
        if_match,
        deadlines=deadlines,
        now=clock.now(),
    )
    return await write.answer(await service.to_read(session, lst))


@router.get(
    LIST + "/summary-table.xlsx",
    response_class=Response,
    responses={
        200: {"content": {XLSX: {}}, "description": "the 推荐汇总表 workbook"},
        **declare(NOT_FOUND),
    },
    summary="The 推荐汇总表 (附件3 / 附件5; 先进级 名单) as XLSX: frozen once submitted",
)
async def summary_table(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    session: SessionDep,
    principal: ReaderDep,
    clock: ClockDep,
) -> Response:
    """Before submission a draft (its title says 草稿) of the list as it stands; after, the
    workbook exactly as submitted (its SHA-256 is in the list's `submission`; a district's
    as it went up to its province)."""
    book, draft = await service.summary_workbook(
        session, principal, campaign, tier, unit, clock.now()
    )
    name = f"{campaign}-{tier.value}-{unit.replace(':', '-')}-summary{'-draft' if draft else ''}"
    return Response(
        book,
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.xlsx"',
            "Cache-Control": "no-store" if draft else "private, max-age=3600",
        },
    )


PUSH_ERRORS = (
    NOT_FOUND,
    ListPushInvalid,
    ListLocked,
    ListSubmitted,
    DeadlinePassed,
    QuotaUnavailable,
    *PEER_DOWN,
)
_PUSH_RULES = (
    "Validated as a whole before anything is written: each row names one case (by "
    "`declaration_id`, else USCC and 项目名称, else 申报单位名称 and 项目名称) that awaits this "
    "unit's recommendation (or, on a district's table, its ranking), of this campaign and tier, "
    "once; the ranks run 1..n without gaps or repeats; the columns given agree with the "
    "declaration (a column left out is filled from it; given, it must agree: a mismatch names "
    "the field and what was declared); the entries using the quota fit it (the rules service's "
    "usage check, exemptions included). Any problem: 422 `list_push_invalid`, nothing changed, "
    "`details.row_problems` naming every row's problems (`row` 1-based as in the file or the "
    "`entries` array, `field`, a file's `column` header, `code`, messages, `expected`) and "
    "`details.list_problems` the list's (`ranks_missing`, `over_quota` with limit, clause, "
    "source; `list_empty`; a file's own). A list absent is opened with its quota (201); an open "
    "one is replaced (200); a locked one is being signed off (409 `list_locked`: unlock it "
    "first); a submitted one is final (409 `list_submitted`). With `submit` (the default) the "
    "list is then locked and submitted in the same transaction, as `…/submit` does (the cases "
    "recommended — 先进级 recognised — the 推荐汇总表 frozen), and refused after the unit's "
    "deadline (409 `deadline_passed` naming level, closes_at, clause); without, it stays an "
    "open draft with exactly these entries. One history row `pushed` names the counts, the "
    "source and who. Idempotency-Key: a retry (even concurrent) answers the first answer; "
    "another body under the same key is 422 `idempotency_key_reused`."
)


@router.put(
    LIST + "/ranked",
    response_model=ListRead,
    responses={201: {"model": ListRead}, **declare(*PUSH_ERRORS)},
    summary="Push the whole ranked 推荐汇总表 in one call: replace the entries, and submit "
    "(Idempotency-Key)",
    description="For the unit's own authority (a province, the XPCC, a central-SOE group HQ; a "
    "ranking district) and its machine clients (scope `review:write`). " + _PUSH_RULES,
)
async def push_list(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    data: ListPush,
    principal: ProvinceDep,
    write: KeyedWriteDep,
    peers: PeersDep,
    deadlines: DeadlinesDep,
    clock: ClockDep,
) -> Response:
    if (replayed := await write.begin(data)) is not None:
        return replayed
    lst, created = await pushing.push(
        write.session,
        peers.rules,
        principal,
        campaign,
        tier,
        unit,
        pushing.rows_of_json(data.entries),
        pushing.Problems(),
        submit=data.submit,
        deadlines=deadlines,
        now=clock.now(),
    )
    return await write.answer(await service.to_read(write.session, lst), 201 if created else 200)


def _sheet_type(request: Request) -> tuple[str, str | None]:
    """The upload's media type (CSV or XLSX, else 415) and its `charset` parameter."""
    media, _, params = request.headers.get("content-type", "").partition(";")
    media = media.strip().lower()
    if media not in sheet_import.MEDIA_TYPES:
        raise SheetTypeUnsupported(details={"content_type": media[:100] or None})
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')[:40]
    return media, charset


def _file_name(request: Request) -> str | None:
    header = request.headers.get("content-disposition")
    if not header:
        return None
    message = Message()
    message["content-disposition"] = header
    name = message.get_filename()
    return name[:255] if name else None


@router.put(
    LIST + "/summary-table",
    response_model=ListRead,
    responses={
        201: {"model": ListRead},
        **declare(*PUSH_ERRORS, SheetTypeUnsupported, PayloadTooLarge),
    },
    summary="Upload the 推荐汇总表 (附件3 / 附件5; 先进级 名单) as XLSX or CSV: the same as a push "
    "(Idempotency-Key)",
    description="The body is the file: XLSX in the layout `…/summary-table.xlsx` exports (title "
    "row, 推荐单位 row, header row, one row per project; scene instances one per line, "
    "numbered, 环节—场景—实例; future modes one per line, numbered), or `text/csv` in UTF-8 "
    "(with or without BOM) or GB18030 (`charset=` wins). The header row is found by its "
    "headers (序号, 申报单位名称 and 项目名称 required; an added 统一社会信用代码 column is "
    "understood); rows are numbered as the spreadsheet shows them. `submit` as in the JSON "
    "push. A file that cannot be read, a header missing, a cell that is not what its column "
    "takes: problems of the same 422 `list_push_invalid` (row and column header named). Up to "
    "the service's body cap (413 beyond) and 500 rows. " + _PUSH_RULES,
    openapi_extra=sheet_import.FILE_BODY,
)
async def import_summary_table(
    campaign: Campaign,
    tier: ListTier,
    unit: Unit,
    request: Request,
    principal: ProvinceDep,
    write: KeyedWriteDep,
    peers: PeersDep,
    deadlines: DeadlinesDep,
    clock: ClockDep,
    submit: Annotated[
        bool, Query(description="lock and submit in the same transaction (false: a draft)")
    ] = True,
) -> Response:
    media, charset = _sheet_type(request)
    content = await request.body()
    sha256 = hashlib.sha256(content).hexdigest()
    sent = {"submit": submit, "file_sha256": sha256, "content_type": media, "charset": charset}
    if (replayed := await write.begin(sent)) is not None:
        return replayed
    problems = pushing.Problems()
    rows = await run_in_threadpool(
        sheet_import.read_rows, content, media, charset, tier.value, problems
    )
    source = pushing.Source(
        "xlsx" if media == sheet_import.XLSX else "csv", _file_name(request), sha256
    )
    lst, created = await pushing.push(
        write.session,
        peers.rules,
        principal,
        campaign,
        tier,
        unit,
        rows,
        problems,
        submit=submit,
        deadlines=deadlines,
        now=clock.now(),
        source=source,
    )
    return await write.answer(await service.to_read(write.session, lst), 201 if created else 200)
