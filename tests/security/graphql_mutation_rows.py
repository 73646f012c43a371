"""The GraphQL mutations in the permission matrix (issue 17): each is one REST route called as
the caller, so its cells are that route's row in `matrix.py`. Each is sent as that row sends
the route — the same object, the same stale If-Match, a fresh Idempotency-Key — and each kind
of caller must get the typed answer of what the row says: let through (`Y`) a payload or a
domain refusal, never Unauthenticated, Forbidden, NotFound or an unreadable argument; refused
(`N`) Forbidden or NotFound; no token (`A`) Unauthenticated; an exact `(status, code)` the
typed error of that status with that code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.e2e.test_declaration_document import DEMO_YEAR
from tests.security.world import World

STALE = '"\\"matrix-stale\\""'  # a GraphQL string of the If-Match REST sends
ANSWER = "{ __typename ... on Error { code } }"
# The typed error of each refusal status (`ladder.gateway.graphql.writes.refusal`).
KIND = {
    400: "InvalidArgument",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    412: "PreconditionFailed",
    422: "ValidationFailed",
    428: "PreconditionRequired",
    429: "RateLimited",
}
REFUSED = {"Unauthenticated", "Forbidden", "NotFound", "RateLimited"}
BROKEN = {"ServiceUnavailable", "UpstreamFailed"}
UNREAD = {"validation_error", "invalid_input"}


@dataclass(frozen=True)
class MutationRow:
    name: str  # the mutation's field
    rest: tuple[str, str, str]  # the row of `matrix.py` it answers as: process, method, path
    arguments: str  # may name $id (the world's declaration) and $key (a fresh key)

    @property
    def document(self) -> str:
        declared = [d for v, d in (("$id", "$id: ID!"), ("$key", "$key: String!"))
                    if v in self.arguments]  # fmt: skip
        head = f"mutation ({', '.join(declared)})" if declared else "mutation"
        return f"{head} {{ {self.name}({self.arguments}) {ANSWER} }}"

    def variables(self, w: World, role: str) -> dict[str, Any]:
        given = {"id": w.did, "key": f"matrix-gql-{self.name}-{role}"}
        return {k: v for k, v in given.items() if f"${k}" in self.arguments}


D, R = "declaration", "review"
DECL = "/v1/declarations/{declaration_id}"
LIST = "/v1/recommendation-lists/{campaign}/{tier}/{unit}"
ON_LIST = f'campaign: {DEMO_YEAR}, tier: "pilot", unit: "350000"'
OBJECTIONS = "/public/v1/publicity/{campaign}/{tier}/objections"
PUB = f'campaign: {DEMO_YEAR}, tier: "pilot"'

# fmt: off
MUTATION_ROWS: list[MutationRow] = [
    MutationRow("saveDeclarationDraft", (D, "PATCH", DECL), f"id: $id, ifMatch: {STALE}"),
    MutationRow("precheckDeclaration", (D, "POST", DECL + "/precheck"), "id: $id"),
    MutationRow("submitDeclaration", (D, "POST", DECL + "/submit"),
                "id: $id, idempotencyKey: $key"),
    MutationRow("withdrawDeclaration", (D, "POST", DECL + "/withdraw"),
                f'id: $id, ifMatch: {STALE}, reason: "矩阵测试"'),
    MutationRow("giveOpinion", (R, "POST", "/v1/cases/{declaration_id}/opinions"),
                f'declarationId: $id, opinion: {{decision: "forward"}}, ifMatch: {STALE}, '
                "idempotencyKey: $key"),
    MutationRow("openRecommendationList", (R, "PUT", LIST), ON_LIST),
    MutationRow("addRecommendationEntry", (R, "POST", LIST + "/entries"),
                f"{ON_LIST}, declarationId: $id, idempotencyKey: $key"),
    MutationRow("reorderRecommendationList", (R, "PUT", LIST + "/order"),
                f"{ON_LIST}, declarationIds: [$id], ifMatch: {STALE}"),
    MutationRow("lockRecommendationList", (R, "POST", LIST + "/lock"),
                f"{ON_LIST}, ifMatch: {STALE}"),
    MutationRow("submitRecommendationList", (R, "POST", LIST + "/submit"),
                f"{ON_LIST}, ifMatch: {STALE}, idempotencyKey: $key"),
    MutationRow("objectToPublicity", (R, "POST", OBJECTIONS),
                f'{PUB}, idempotencyKey: $key, '
                'objection: {declarationId: $id, content: "矩阵测试：对该项目的数据有疑问"}'),
]
# fmt: on


def verdict(expected: Any, answer: dict[str, Any]) -> bool:
    """Whether the mutation's answer is what the REST row's cell says."""
    kind, code = answer["__typename"], answer.get("code")
    if kind in BROKEN:
        return False
    if expected == "Y":
        return kind not in REFUSED and code not in UNREAD
    if expected == "N":
        return kind in ("Forbidden", "NotFound")
    if expected == "A":
        return kind == "Unauthenticated"
    status, want = expected if isinstance(expected, tuple) else (expected, None)
    return kind == KIND.get(status) and (want is None or code == want)
