"""The GraphQL schema: queries over the services, with the caller's own token.

Expected failures are typed results (see `ladder.gateway.graphql.errors`). Documents are
limited in depth, aliases and tokens before they run; introspection is allowed only in dev.
A request that is not a GraphQL request is refused in the error model (`LadderGraphQLRouter`).
"""

import re
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

import strawberry
from fastapi import APIRouter
from fastapi.routing import APIRoute
from graphql import GraphQLError
from graphql.language.parser import MAX_NESTING_DEPTH
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.fastapi import GraphQLRouter
from strawberry.http.async_base_view import HTTPException as ViewRefusal
from strawberry.http.parse_content_type import parse_content_type
from strawberry.types.unset import UNSET

from ladder.gateway.graphql.context import get_context
from ladder.gateway.graphql.cost import CostLimit
from ladder.gateway.graphql.errors import (
    BadGraphQLRequest,
    MethodNotAllowed,
    RefusedInput,
    UnauthenticatedError,
    bad_request,
    from_view_refusal,
    unauthenticated,
)
from ladder.gateway.graphql.mutations import Mutation
from ladder.gateway.graphql.reads import (
    DeclarationQueries,
    GatewayInfo,
    PublicQueries,
    ReviewQueries,
)
from ladder.gateway.graphql.types import Viewer
from ladder.kit.errors import NotFound, declare
from ladder.kit.inputs import InvalidInput, is_json, parse_json

MAX_DEPTH = 8
MAX_ALIASES = 15
MAX_TOKENS = 2000

MeResult = Annotated[Viewer | UnauthenticatedError, strawberry.union("MeResult")]


@strawberry.type
class Query(DeclarationQueries, ReviewQueries, PublicQueries):
    @strawberry.field(description="The caller, as the gateway verified their token")
    def me(self, info: GatewayInfo) -> MeResult:
        ctx = info.context
        if ctx.principal is None:
            return unauthenticated(ctx.auth_failure)
        return Viewer.from_principal(ctx.principal)


def _is_bug(error: GraphQLError) -> bool:
    """Mask resolver exceptions (bugs); keep validation messages (they help the caller)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


_SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)
# The document limits, by the messages of strawberry's limiters: each refusal gets a stable
# `extensions.code` and its limit, as the cost rule's has (`cost.too_costly`).
_LIMITS = (
    (re.compile(r"exceeds maximum operation depth of (\d+)"), "query_too_deep"),
    (re.compile(r"aliases found\. Allowed: (\d+)"), "too_many_aliases"),
    (re.compile(r"more than (\d+) tokens"), "too_many_tokens"),
)
_NESTED = "Document is nested too deeply"  # graphql-core's parser, past MAX_NESTING_DEPTH


class LadderSchema(strawberry.Schema):
    """A schema that, without introspection, gives no suggestions either: "Did you mean
    'inbox'?" names fields, arguments, types and enum values the caller did not ask for, which
    is introspection by guessing. (Strawberry's own switch covers unknown fields only.)"""

    def __init__(self, *args: Any, suggestions: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions

    def _process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        for error in errors:
            if not self.suggestions:
                error.message = _SUGGESTION.sub("", error.message)
            for pattern, code in _LIMITS:
                if found := pattern.search(error.message):
                    error.extensions = {
                        **(error.extensions or {}),
                        "code": code,
                        "limit": int(found[1]),
                    }
            if _NESTED in error.message:
                error.extensions = {"code": "query_too_deep", "limit": MAX_NESTING_DEPTH}
        super()._process_errors(errors, execution_context)


def build_schema(*, introspection: bool) -> strawberry.Schema:
    # Factories, not instances: strawberry builds fresh extensions for each request.
    extensions: list[Callable[[], SchemaExtension]] = [
        partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
        partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        CostLimit,
        partial(MaskErrors, should_mask_error=_is_bug),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return LadderSchema(
        query=Query, mutation=Mutation, extensions=extensions, suggestions=introspection
    )


class LadderGraphQLRouter(GraphQLRouter):
    """Strawberry's router, answering what is not a GraphQL request in Ladder's error model
    instead of a text/plain 400 (or, for a JSON body that is not an object, a 500): the wrong
    content type, an empty body, a body that is not JSON or not an object. The body is read
    by the kit's strict JSON reader, the same checks as the edge guard (UTF-8, NUL, depth),
    whatever content type let it through."""

    ERRORS = (BadGraphQLRequest, RefusedInput, NotFound, MethodNotAllowed)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Strawberry's GET route names its own 404 (no codes); the declared codes win.
        for route in self.routes:
            if not isinstance(route, APIRoute):  # its websocket route (subscriptions: none)
                continue
            for status, entry in declare(*self.ERRORS).items():
                route.responses[status] = {**route.responses.get(status, {}), **entry}

    async def run(self, request, context=UNSET, root_value=UNSET):  # type: ignore[override]
        try:
            return await super().run(request, context=context, root_value=root_value)
        except ViewRefusal as refused:
            raise from_view_refusal(refused.status_code, refused.reason) from None

    async def parse_http_body(self, request):  # type: ignore[override]
        if request.method == "POST" and not is_json(
            parse_content_type(request.content_type or "")[0]
        ):
            raise bad_request("unsupported_content_type")
        return await super().parse_http_body(request)

    def decode_json(self, data: str | bytes) -> object:
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        if not raw.strip():
            raise bad_request("empty_body")
        try:
            value = parse_json(raw)
        except InvalidInput as refused:
            raise RefusedInput.of(refused) from None
        if isinstance(value, dict):
            return value
        json_value = value is None or isinstance(value, list | str | int | float)
        raise bad_request("not_an_object" if json_value else "not_json")


def graphql_router(*, dev: bool) -> APIRouter:
    return LadderGraphQLRouter(
        build_schema(introspection=dev),
        context_getter=get_context,
        graphql_ide="graphiql" if dev else None,
        allow_queries_via_get=False,  # documents stay out of URLs, access logs and caches
        subscription_protocols=(),  # no subscriptions: refuse websocket upgrades
        tags=["graphql"],
    )
