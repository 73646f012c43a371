"""The gateway process: `uvicorn ladder.gateway.main:create_app --factory`.

The only public door of Ladder: the token issuer (JWKS, service client credentials, dev tokens
for the demo users), the REST reverse proxy to the services under `/api/<service>/`, GraphQL at
`/graphql`, and health. It has no database.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ladder.gateway import health, openapi, proxy
from ladder.gateway.auth.endpoints import dev_router, issuer_router
from ladder.gateway.clients import TrustedProxies
from ladder.gateway.cors import install_cors
from ladder.gateway.graphql.schema import graphql_router
from ladder.gateway.keys import load_signing_key, make_verifier
from ladder.gateway.me.endpoints import router as me_router
from ladder.gateway.ratelimit import TokenBucketLimiter
from ladder.gateway.settings import GatewaySettings
from ladder.gateway.upstreams import close_upstreams, open_upstreams
from ladder.kit.docs import install_openapi
from ladder.kit.errors import install_error_handlers
from ladder.kit.inputs import InputGuardMiddleware
from ladder.kit.observability import RequestContextMiddleware, configure_logging

log = logging.getLogger("ladder.gateway")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: GatewaySettings = app.state.settings
    app.state.signing_key = load_signing_key(settings)
    app.state.verifier, app.state.jwks_http = make_verifier(settings, app.state.signing_key)
    app.state.upstreams = open_upstreams(settings)
    log.info("gateway started (%s)", settings.environment)
    try:
        yield
    finally:
        await close_upstreams(app)
        await app.state.verifier.aclose()  # closes jwks_http too


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()  # type: ignore[call-arg]  # from the environment
    configure_logging("gateway", settings.log_level, settings.log_json)
    app = FastAPI(
        title="Ladder gateway",
        description=(
            "The public door of Ladder (智能工厂梯度培育): tokens, the REST proxy to the "
            "services under `/api/<service>/` and GraphQL at `/graphql`."
        ),
        version="0.1.0",
        lifespan=lifespan,
        # No redirects: `/graphql/` → `/graphql` would be built from the client's Host header.
        redirect_slashes=False,
        # The gateway serves the whole API's documents itself (`ladder.gateway.openapi`).
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.trusted_proxies = TrustedProxies(settings.trusted_proxies)
    app.state.auth_limiter = TokenBucketLimiter(settings.auth_rate_per_minute)
    app.state.public_write_limiter = TokenBucketLimiter(settings.public_write_rate_per_minute)
    install_openapi(app)
    install_error_handlers(app)
    # Proxied bodies are checked by the service that reads them; the gateway checks its own.
    app.add_middleware(InputGuardMiddleware, skip_body_prefixes=("/api/",))
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    app.include_router(health.router)
    app.include_router(openapi.router)
    app.include_router(me_router)
    if settings.issues_tokens:
        app.include_router(issuer_router)
        if settings.is_dev:
            app.include_router(dev_router)
    proxy.install(app)  # ahead of the router, inside every middleware
    app.include_router(graphql_router(dev=settings.is_dev), prefix="/graphql")
    # Last: the outermost middleware, so preflights never reach auth and every answer (errors
    # of the middleware inside it too) carries the CORS headers.
    install_cors(app, settings)
    return app
