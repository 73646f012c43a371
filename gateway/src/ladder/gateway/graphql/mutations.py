"""The GraphQL mutations: the portal's main actions, each one write to a service's REST route as
the caller (`writes.send`), with the rules of that route.

`ifMatch` and `idempotencyKey` are required where the route requires them, and sent as its
`If-Match` and `Idempotency-Key`; a retry with the same key and the same arguments answers the
first answer, with other arguments `ValidationFailed` `idempotency_key_reused`. Each answer
carries the object's new `etag`. Refusals are typed results with REST's code, messages and
details (`mutation_types`).

| mutation | REST |
| --- | --- |
| saveDeclarationDraft | declaration `PATCH /v1/declarations/{id}` (facts: JSON Merge Patch) |
| precheckDeclaration | declaration `POST /v1/declarations/{id}/precheck` |
| submitDeclaration | declaration `POST /v1/declarations/{id}/submit` |
| withdrawDeclaration | declaration `POST /v1/declarations/{id}/withdraw` |
| giveOpinion | review `POST /v1/cases/{declaration_id}/opinions` |
| openRecommendationList | review `PUT /v1/recommendation-lists/{campaign}/{tier}/{unit}` |
| addRecommendationEntry | review `POST …/{unit}/entries` |
| reorderRecommendationList | review `PUT …/{unit}/order` |
| lockRecommendationList | review `POST …/{unit}/lock` |
| submitRecommendationList | review `POST …/{unit}/submit` |
| objectToPublicity | review `POST /public/v1/publicity/{campaign}/{tier}/objections` (no token) |
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from ladder.gateway.errors import RateLimited
from ladder.gateway.graphql import models
from ladder.gateway.graphql import mutation_models as answers
from ladder.gateway.graphql.context import GatewayContext
from ladder.gateway.graphql.errors import InvalidArgumentError, invalid_argument, unauthenticated
from ladder.gateway.graphql.mutation_types import (
    DeclarationPayload,
    ObjectionInput,
    ObjectionReceipt,
    Opinion,
    OpinionInput,
    OpinionPayload,
    PrecheckPayload,
    RecommendationListPayload,
    write_result,
)
from ladder.gateway.graphql.review import RecommendationList
from ladder.gateway.graphql.types import Case, Declaration, Precheck, build
from ladder.gateway.graphql.writes import Written, rate_limited, segment, send
from ladder.gateway.ratelimit import limit_rate

GatewayInfo = Info[GatewayContext, None]

DeclarationWriteResult = write_result("DeclarationWriteResult", DeclarationPayload)
PrecheckWriteResult = write_result("PrecheckWriteResult", PrecheckPayload)
OpinionWriteResult = write_result("OpinionWriteResult", OpinionPayload)
RecommendationListWriteResult = write_result(
    "RecommendationListWriteResult", RecommendationListPayload
)
ObjectionWriteResult = write_result("ObjectionWriteResult", ObjectionReceipt)

DECLARATIONS = "/v1/declarations"
LISTS = "/v1/recommendation-lists"

IF_MATCH = "the object's ETag as last read (or as the last write answered it)"
KEY = "8–128 characters [A-Za-z0-9._:-]; the same key and arguments answer the first answer"
CAMPAIGN = "campaign year"
TIER = "advanced | excellence | pilot"
UNIT = "the recommending unit: a province's code, xpcc, soe:<USCC>, a ranking district's code"

IfMatch = Annotated[str, strawberry.argument(description=IF_MATCH)]
IdempotencyKey = Annotated[str, strawberry.argument(description=KEY)]
Campaign = Annotated[int, strawberry.argument(description=CAMPAIGN)]
Tier = Annotated[str, strawberry.argument(description=TIER)]
Unit = Annotated[str, strawberry.argument(description=UNIT)]


def _uuid(value: str, field: str) -> uuid.UUID | InvalidArgumentError:
    try:
        return uuid.UUID(value)
    except ValueError:
        return invalid_argument(field, f"{field} 不是有效的标识", f"{field} is not a valid id")


def _refused(info: GatewayInfo, *checked: Any) -> Any:
    """The first reason not to send the write: no verified caller, or an argument refused."""
    ctx = info.context
    if ctx.principal is None:
        return unauthenticated(ctx.auth_failure)
    return next((c for c in checked if isinstance(c, InvalidArgumentError)), None)


async def _declaration_write(
    info: GatewayInfo, id: str, method: str, action: str = "", **sent: Any
) -> Any:
    """One write of a declaration (`sent`: `send`'s json, if_match, idempotency_key), answered
    as the declaration and its new ETag."""
    did = _uuid(id, "id")
    if (refused := _refused(info, did)) is not None:
        return refused
    written = await send(
        info.context.request,
        "declaration",
        method,
        f"{DECLARATIONS}/{did}{action}",
        models.DeclarationAnswer,
        **sent,
    )
    if not isinstance(written, Written):
        return written
    answer: models.DeclarationAnswer = written.answer
    info.context.loaders.declaration.prime(did, answer, force=True)
    return DeclarationPayload(etag=written.etag, declaration=Declaration.of(answer))


def _list_path(campaign: int, tier: str, unit: str, action: str = "") -> Any:
    for value, field in ((tier, "tier"), (unit, "unit")):
        if isinstance(checked := segment(value, field), InvalidArgumentError):
            return checked
    return f"{LISTS}/{campaign}/{tier}/{unit}{action}"


async def _list_write(
    info: GatewayInfo,
    method: str,
    path: Any,
    *,
    json: dict[str, Any] | None = None,
    if_match: str | None = None,
    idempotency_key: str | None = None,
    checked: tuple[Any, ...] = (),
) -> Any:
    if (refused := _refused(info, path, *checked)) is not None:
        return refused
    written = await send(
        info.context.request,
        "review",
        method,
        path,
        answers.ListWriteAnswer,
        json=json,
        if_match=if_match,
        idempotency_key=idempotency_key,
    )
    if not isinstance(written, Written):
        return written
    lst: answers.ListWriteAnswer = written.answer
    key = (lst.campaign_year, lst.tier, lst.unit)
    info.context.loaders.recommendation_list.prime(key, lst, force=True)  # its `detail`
    return RecommendationListPayload(etag=written.etag, list=RecommendationList.of(lst))


@strawberry.type(description="The portal's actions, each one write of a service, as the caller")
class Mutation:
    # --- declarations (申报书) ------------------------------------------------------------

    @strawberry.mutation(
        description="Save a draft: `facts` is a JSON Merge Patch (RFC 7396) of the stored facts "
        "(an object merges key by key, null removes a key, an array replaces), `tier` replaces "
        "the tier (declaration PATCH /v1/declarations/{id})"
    )
    async def save_declaration_draft(
        self,
        info: GatewayInfo,
        id: strawberry.ID,
        if_match: IfMatch,
        facts: JSON | None = None,
        tier: str | None = None,
    ) -> DeclarationWriteResult:
        body = {k: v for k, v in (("facts", facts), ("tier", tier)) if v is not None}
        return await _declaration_write(info, id, "PATCH", json=body, if_match=if_match)

    @strawberry.mutation(
        description="Pre-check a draft against 要素条件 (the rules service); its findings say "
        "where to fix what (declaration POST /v1/declarations/{id}/precheck)"
    )
    async def precheck_declaration(
        self, info: GatewayInfo, id: strawberry.ID
    ) -> PrecheckWriteResult:
        did = _uuid(id, "id")
        if (refused := _refused(info, did)) is not None:
            return refused
        written = await send(
            info.context.request,
            "declaration",
            "POST",
            f"{DECLARATIONS}/{did}/precheck",
            models.PrecheckAnswer,
        )
        if not isinstance(written, Written):
            return written
        with contextlib.suppress(KeyError):  # strawberry's `clear` of a key not cached raises
            info.context.loaders.declaration.clear(did)  # its latest pre-check changed
        return PrecheckPayload(precheck=Precheck.of(written.answer), declaration_id=str(did))

    @strawberry.mutation(
        description="Submit: freezes a fingerprinted version and sends it up the chain "
        "(declaration POST /v1/declarations/{id}/submit)"
    )
    async def submit_declaration(
        self, info: GatewayInfo, id: strawberry.ID, idempotency_key: IdempotencyKey
    ) -> DeclarationWriteResult:
        return await _declaration_write(
            info, id, "POST", "/submit", idempotency_key=idempotency_key
        )

    @strawberry.mutation(
        description="Withdraw a declaration, with the reason (declaration POST "
        "/v1/declarations/{id}/withdraw)"
    )
    async def withdraw_declaration(
        self, info: GatewayInfo, id: strawberry.ID, if_match: IfMatch, reason: str
    ) -> DeclarationWriteResult:
        return await _declaration_write(
            info, id, "POST", "/withdraw", json={"reason": reason}, if_match=if_match
        )

    # --- review cases ----------------------------------------------------------------------

    @strawberry.mutation(
        description="Give the initial-review opinion (初审意见) as the case's holder: forward, "
        "return, not_recommended; `ifMatch` is the case's ETag (review POST "
        "/v1/cases/{declarationId}/opinions)"
    )
    async def give_opinion(
        self,
        info: GatewayInfo,
        declaration_id: strawberry.ID,
        opinion: OpinionInput,
        if_match: IfMatch,
        idempotency_key: IdempotencyKey,
    ) -> OpinionWriteResult:
        did = _uuid(declaration_id, "declarationId")
        if (refused := _refused(info, did)) is not None:
            return refused
        body: dict[str, Any] = {"decision": opinion.decision}
        if opinion.reasons is not None:
            body["reasons"] = opinion.reasons
        if (check := opinion.credit_check) is not None:
            body["credit_check"] = {
                "gsxt": check.gsxt,
                "zxgk": check.zxgk,
                "checked_on": check.checked_on.isoformat(),
            }
        written = await send(
            info.context.request,
            "review",
            "POST",
            f"/v1/cases/{did}/opinions",
            answers.OpinionOutcomeAnswer,
            json=body,
            if_match=if_match,
            idempotency_key=idempotency_key,
        )
        if not isinstance(written, Written):
            return written
        outcome: answers.OpinionOutcomeAnswer = written.answer
        info.context.loaders.case.prime(did, outcome.case, force=True)
        return OpinionPayload(
            etag=written.etag, opinion=Opinion.of(outcome.opinion), case=Case.of(outcome.case)
        )

    # --- recommendation lists (推荐汇总表) -------------------------------------------------

    @strawberry.mutation(
        description="Open the unit's list for a campaign and tier with its quota from the rules "
        "service, or read it if it is open (review PUT /v1/recommendation-lists/{campaign}/"
        "{tier}/{unit})"
    )
    async def open_recommendation_list(
        self, info: GatewayInfo, campaign: Campaign, tier: Tier, unit: Unit
    ) -> RecommendationListWriteResult:
        return await _list_write(info, "PUT", _list_path(campaign, tier, unit))

    @strawberry.mutation(
        description="Add a case awaiting the unit's recommendation at the end of its list "
        "(review POST …/{unit}/entries)"
    )
    async def add_recommendation_entry(
        self,
        info: GatewayInfo,
        campaign: Campaign,
        tier: Tier,
        unit: Unit,
        declaration_id: strawberry.ID,
        idempotency_key: IdempotencyKey,
    ) -> RecommendationListWriteResult:
        did = _uuid(declaration_id, "declarationId")
        return await _list_write(
            info,
            "POST",
            _list_path(campaign, tier, unit, "/entries"),
            json={"declaration_id": str(did)},
            idempotency_key=idempotency_key,
            checked=(did,),
        )

    @strawberry.mutation(
        description="Set the priority order (推荐顺序): every case on the list once, first = "
        "rank 1 (review PUT …/{unit}/order)"
    )
    async def reorder_recommendation_list(
        self,
        info: GatewayInfo,
        campaign: Campaign,
        tier: Tier,
        unit: Unit,
        declaration_ids: list[strawberry.ID],
        if_match: IfMatch,
    ) -> RecommendationListWriteResult:
        ids = [_uuid(d, "declarationIds") for d in declaration_ids]
        return await _list_write(
            info,
            "PUT",
            _list_path(campaign, tier, unit, "/order"),
            json={"declaration_ids": [str(d) for d in ids]},
            if_match=if_match,
            checked=tuple(ids),
        )

    @strawberry.mutation(
        description="Lock the list for sign-off: no more changes until unlocked (review POST "
        "…/{unit}/lock)"
    )
    async def lock_recommendation_list(
        self, info: GatewayInfo, campaign: Campaign, tier: Tier, unit: Unit, if_match: IfMatch
    ) -> RecommendationListWriteResult:
        path = _list_path(campaign, tier, unit, "/lock")
        return await _list_write(info, "POST", path, if_match=if_match)

    @strawberry.mutation(
        description="Submit the locked list by the unit's deadline: its cases are recommended "
        "(先进级 recognised) and the 推荐汇总表 frozen (review POST …/{unit}/submit)"
    )
    async def submit_recommendation_list(
        self,
        info: GatewayInfo,
        campaign: Campaign,
        tier: Tier,
        unit: Unit,
        if_match: IfMatch,
        idempotency_key: IdempotencyKey,
    ) -> RecommendationListWriteResult:
        path = _list_path(campaign, tier, unit, "/submit")
        return await _list_write(
            info, "POST", path, if_match=if_match, idempotency_key=idempotency_key
        )

    # --- the 公示 ----------------------------------------------------------------------------

    @strawberry.mutation(
        description="Object to a project on the 公示 while it accepts objections: no token "
        "needed; rate limited per client address as the REST route (review POST "
        "/public/v1/publicity/{campaign}/{tier}/objections)"
    )
    async def object_to_publicity(
        self,
        info: GatewayInfo,
        campaign: Campaign,
        tier: Annotated[str, strawberry.argument(description="excellence | pilot")],
        objection: ObjectionInput,
        idempotency_key: Annotated[
            str | None, strawberry.argument(description=f"optional; {KEY}")
        ] = None,
    ) -> ObjectionWriteResult:
        ctx = info.context
        if ctx.auth_failure is not None:  # a token sent must be valid, as on REST
            return unauthenticated(ctx.auth_failure)
        did = _uuid(objection.declaration_id, "declarationId")
        tier_segment = segment(tier, "tier")
        for checked in (did, tier_segment):
            if isinstance(checked, InvalidArgumentError):
                return checked
        request = ctx.request
        try:
            limit_rate(
                request.app.state.public_write_limiter,
                request,
                ctx.principal.sub if ctx.principal is not None else None,
            )
        except RateLimited as refused:
            return rate_limited(refused)
        body: dict[str, Any] = {"declaration_id": str(did), "content": objection.content}
        body |= {
            k: v
            for k, v in (("name", objection.name), ("contact", objection.contact))
            if v is not None
        }
        written = await send(
            request,
            "review",
            "POST",
            f"/public/v1/publicity/{campaign}/{tier_segment}/objections",
            answers.ObjectionReceiptAnswer,
            json=body,
            idempotency_key=idempotency_key,
        )
        if not isinstance(written, Written):
            return written
        return build(ObjectionReceipt, written.answer)
