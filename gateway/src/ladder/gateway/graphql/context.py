"""The per-request GraphQL context: who is calling, the services called as them, and the
request's DataLoaders.

Built once per request by `get_context` (a FastAPI dependency). Verifying the token here never
raises: an invalid token is kept as `auth_failure` and fields answer with a typed
`Unauthenticated` (see `ladder.gateway.graphql.errors`). The loaders (`Loaders`) are made
fresh for each request, so nothing one caller was shown is cached for another.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

import httpx
from fastapi import Request
from pydantic import TypeAdapter, ValidationError
from strawberry.fastapi import BaseContext

from ladder.gateway.graphql.errors import (
    UpstreamFailure,
    bad_answer,
    from_error_response,
    from_transport_failure,
)
from ladder.gateway.graphql.loaders import Loaders
from ladder.gateway.upstreams import upstream_failure
from ladder.kit.auth import Principal, TokenVerifier, bearer_token
from ladder.kit.errors import Unauthenticated
from ladder.kit.observability import request_id_var

log = logging.getLogger("ladder.gateway.graphql")
A = TypeVar("A")


class UpstreamCaller:
    """One service as one GraphQL request calls it: the shared pooled client (`app.state.
    upstreams`), with the caller's own bearer token and the request id on every call."""

    def __init__(self, service: str, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.service = service
        self.client = client
        self._headers = headers

    @property
    def authorization(self) -> str:
        return self._headers.get("Authorization", "")

    async def read(self, path: str, params: dict[str, Any] | None, answer: TypeAdapter[A]) -> A:
        """GET `path` and parse the answer with `answer` (a model of `models.py`); every
        failure — no answer, an error status, a body that does not parse — is an
        `UpstreamFailure` carrying the typed error."""
        try:
            resp = await self.client.get(path, params=params, headers=self._headers)
        except httpx.TransportError as exc:
            raise UpstreamFailure(
                from_transport_failure(self.service, upstream_failure(self.service, exc))
            ) from exc
        if resp.status_code != 200:
            raise UpstreamFailure(from_error_response(self.service, resp))
        try:
            return answer.validate_json(resp.content)
        except ValidationError as exc:
            # Where it did not parse, never what it held (an answer may carry personal data).
            where = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})[:5]
            log.warning("unreadable answer from %s %s: %s", self.service, path, ", ".join(where))
            raise UpstreamFailure(bad_answer(self.service, resp.status_code)) from None


class GatewayContext(BaseContext):
    def __init__(
        self,
        *,
        principal: Principal | None,
        auth_failure: Unauthenticated | None,
        upstreams: dict[str, UpstreamCaller],
    ) -> None:
        super().__init__()
        self.principal = principal
        self.auth_failure = auth_failure
        self.upstreams = upstreams
        self.loaders = Loaders(upstreams, principal)


async def get_context(request: Request) -> GatewayContext:
    principal: Principal | None = None
    failure: Unauthenticated | None = None
    headers: dict[str, str] = {"X-Request-ID": request_id_var.get() or ""}
    # The services word their errors in the caller's language (`ladder.kit.negotiation`).
    if language := request.headers.get("accept-language"):
        headers["Accept-Language"] = language
    try:
        token = bearer_token(request)
        if token is not None:
            verifier: TokenVerifier = request.app.state.verifier
            principal = await verifier.verify(token)
            headers["Authorization"] = f"Bearer {token}"
    except Unauthenticated as exc:
        failure = exc
    upstreams = {
        name: UpstreamCaller(name, client, headers)
        for name, client in request.app.state.upstreams.items()
    }
    return GatewayContext(principal=principal, auth_failure=failure, upstreams=upstreams)
