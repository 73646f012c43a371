"""GraphQL types of the mutations: what they take (inputs), what they answer (payloads with the
object's new ETag), and the typed errors a write adds to the reads' (`errors.py`).

A payload carries the object as the reads show it (`Declaration`, `Case`, `Precheck` of
`types.py`) and `etag`, the object's new ETag, so a portal chains its next edit (`ifMatch`)
without reading again. Every error carries the service's `code`, both messages and `details`
exactly as its REST answer has them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Union

import strawberry
from strawberry.types import Info

from ladder.gateway.graphql import mutation_models as answers
from ladder.gateway.graphql.errors import Error
from ladder.gateway.graphql.review import RecommendationList
from ladder.gateway.graphql.types import (
    READ_ERRORS,
    Case,
    Declaration,
    DeclarationResult,
    Precheck,
    build,
    load_declaration,
)

# --- the errors a write adds ----------------------------------------------------------------


@strawberry.type(
    name="Conflict",
    description="Refused in the object's present state (REST 409), e.g. `invalid_transition`, "
    "`list_not_locked`, `quota_exhausted`",
)
class ConflictError(Error):
    pass


@strawberry.type(
    name="PreconditionFailed",
    description="`ifMatch` is not the object's ETag any more (REST 412 `stale_etag`): read it "
    "again (`currentEtag`) and redo the edit",
)
class PreconditionFailedError(Error):
    current_etag: str | None = strawberry.field(
        default=None, description="the object's ETag now, where the service tells it"
    )


@strawberry.type(
    name="PreconditionRequired",
    description="A header the route requires was not sent (REST 428)",
)
class PreconditionRequiredError(Error):
    pass


@strawberry.type(
    name="ValidationFailed",
    description="The service refused what was sent (REST 422): `validation_error` (`details."
    "fields`), `idempotency_key_reused` (the key was used for another request), a domain rule",
)
class ValidationFailedError(Error):
    pass


@strawberry.type(
    name="RateLimited", description="Too many writes from this client (REST 429 `rate_limited`)"
)
class RateLimitedError(Error):
    retry_after_seconds: int | None = None


WRITE_ERRORS = (
    *READ_ERRORS,
    ConflictError,
    PreconditionFailedError,
    PreconditionRequiredError,
    ValidationFailedError,
    RateLimitedError,
)


def write_result(name: str, payload: type) -> Any:
    """The union `name` of `payload` and every typed error of a write."""
    return Annotated[Union[(payload, *WRITE_ERRORS)], strawberry.union(name)]


# --- declarations -----------------------------------------------------------------------------


@strawberry.type(description="A declaration as the write left it, and its new ETag")
class DeclarationPayload:
    etag: str = strawberry.field(description="send it as `ifMatch` for the next edit")
    declaration: Declaration


@strawberry.type(description="The pre-check's answer (要素条件, the rules service)")
class PrecheckPayload:
    precheck: Precheck
    declaration_id: strawberry.ID

    @strawberry.field(description="The declaration after the pre-check (a fresh read)")
    async def declaration(self, info: Info) -> DeclarationResult:
        return await load_declaration(info, uuid.UUID(self.declaration_id))


# --- opinions -------------------------------------------------------------------------------


@strawberry.input(description="The result of querying both credit systems")
class CreditCheckInput:
    gsxt: str = strawberry.field(description="国家企业信用信息公示系统: clear | listed")
    zxgk: str = strawberry.field(description="中国执行信息公开网: clear | listed")
    checked_on: date


@strawberry.input(description="An initial-review opinion (初审意见)")
class OpinionInput:
    decision: str = strawberry.field(description="forward | return | not_recommended")
    reasons: str | None = strawberry.field(
        default=None, description="required for return and not_recommended"
    )
    credit_check: CreditCheckInput | None = strawberry.field(
        default=None, description="where the level checks credit (e.g. a Fujian county)"
    )


@strawberry.type(description="A credit check as recorded with an opinion")
class CreditCheck:
    gsxt: str
    zxgk: str
    checked_on: date


@strawberry.type(description="An initial-review opinion (初审意见) as stored")
class Opinion:
    version: int
    actor: str
    actor_name: str
    role: str
    level: str
    region: str
    decision: str
    reasons: str | None
    credit_check: CreditCheck | None
    at: datetime

    @classmethod
    def of(cls, o: answers.OpinionAnswer) -> Opinion:
        check = o.credit_check
        return build(cls, o, credit_check=build(CreditCheck, check) if check else None)


@strawberry.type(description="The opinion and the case after it")
class OpinionPayload:
    etag: str = strawberry.field(description="the case's new ETag")
    opinion: Opinion
    case: Case


# --- recommendation lists -------------------------------------------------------------------


@strawberry.type(description="A recommending unit's list as the write left it, and its new ETag")
class RecommendationListPayload:
    etag: str = strawberry.field(description="send it as `ifMatch` for the next change")
    list: RecommendationList = strawberry.field(
        description="the list; its `detail` (entries in rank order, quota, history) as written"
    )


# --- the 公示 --------------------------------------------------------------------------------


@strawberry.input(description="An objection (异议) to a project on the 公示")
class ObjectionInput:
    declaration_id: strawberry.ID = strawberry.field(description="a project on the 公示 list")
    content: str = strawberry.field(description="10 to 2000 characters")
    name: str | None = None
    contact: str | None = None


@strawberry.type(description="The receipt of an objection")
class ObjectionReceipt:
    id: strawberry.ID
    declaration_id: strawberry.ID
    received_at: datetime
