"""The one way a Ladder service process is assembled.

`create_service_app()` wires what every service has — logging, request ids, body cap, the error
model, health/readiness, token verification, the database, service-to-service HTTP clients,
and (if the service publishes events) the outbox relay — so a service only adds its routers.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from fastapi import APIRouter, FastAPI
from sqlalchemy import Table

from ladder.kit.auth import TokenVerifier
from ladder.kit.credentials import CredentialStore, StoredJwks, StoredServiceToken
from ladder.kit.db import Database, install_database_errors
from ladder.kit.docs import docs_kwargs, install_openapi, install_production_schema
from ladder.kit.errors import install_error_handlers
from ladder.kit.health import health_router
from ladder.kit.http import ServiceTokenProvider, make_client
from ladder.kit.idempotency import sweep_forever
from ladder.kit.inputs import InputGuardMiddleware
from ladder.kit.observability import RequestContextMiddleware, configure_logging
from ladder.kit.outbox import OutboxRelay, Transport
from ladder.kit.outbox_ops import outbox_router, stats_detail
from ladder.kit.settings import KitSettings

log = logging.getLogger("ladder.app")


@dataclass
class ServiceSpec:
    """What distinguishes one service: its name, schema, routes and peers."""

    name: str
    schema: str
    title: str
    description: str
    routers: Sequence[APIRouter]
    peers: dict[str, str] = field(default_factory=dict)  # peer name → base URL
    outbox: Table | None = None
    # The service's Idempotency-Key table: its expired keys are swept in the background.
    idempotency: Table | None = None
    # The service's credential cache: the issuer's JWKS and its service token survive a
    # restart during an issuer outage (`ladder.kit.credentials`).
    credentials: Table | None = None
    on_startup: Sequence[Callable[[FastAPI], Awaitable[None]]] = ()
    # Long-running loops (sweepers): each runs as a task from startup, cancelled at shutdown.
    background: Sequence[Callable[[FastAPI], Awaitable[None]]] = ()
    # Paths whose JSON body the route bounds and checks itself (`ladder.kit.inputs.parse_json`
    # after counting): the edge guard would otherwise parse a 14 MB batch whole first.
    self_checked_bodies: tuple[str, ...] = ()
    version: str = "0.1.0"
    # Exact path → request body cap, for upload routes that need more than `max_body_bytes`.
    body_limits: dict[str, int] = field(default_factory=dict)
    # Outbox transports beyond the Ladder services, by destination prefix (`webhook:` → the
    # signed deliveries to other platforms), built at startup from the app.
    transports: Callable[[FastAPI], dict[str, Transport]] | None = None


def create_service_app(settings: KitSettings, spec: ServiceSpec) -> FastAPI:
    configure_logging(
        spec.name,
        settings.log_level,
        settings.log_json,
        secrets=[settings.service_client_secret],
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.service_name = spec.name  # the scope prefix machine clients need
        app.state.idempotency_table = spec.idempotency
        app.state.db = Database(
            settings.database_url,
            schema=spec.schema,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            statement_timeout_ms=settings.db_statement_timeout_ms,
            application_name=f"ladder-{spec.name}",
        )
        jwks_cache, token_cache = None, None
        if spec.credentials is not None:
            store = CredentialStore(
                app.state.db, spec.credentials, secret=settings.service_client_secret
            )
            jwks_cache = StoredJwks(store, settings.jwks_url)
            token_cache = StoredServiceToken(store, settings.token_url, spec.name)
        app.state.verifier = TokenVerifier(
            jwks_url=settings.jwks_url,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            algorithms=settings.jwt_algorithms,
            max_token_bytes=settings.jwt_max_token_bytes,
            leeway_seconds=settings.jwt_leeway_seconds,
            cache_seconds=settings.jwks_cache_seconds,
            cache=jwks_cache,
            claim_map=settings.jwt_claim_map,
        )
        app.state.service_tokens = ServiceTokenProvider(
            token_url=settings.token_url,
            client_id=spec.name,
            client_secret=settings.service_client_secret,
            cache=token_cache,
        )
        app.state.peers = {
            name: make_client(
                url,
                token_provider=app.state.service_tokens,
                connect_timeout=settings.http_connect_timeout,
                read_timeout=settings.http_read_timeout,
            )
            for name, url in spec.peers.items()
        }
        tasks: list[asyncio.Task] = []
        relay: OutboxRelay | None = None
        if spec.outbox is not None:
            relay = OutboxRelay(
                app.state.db,
                spec.outbox,
                source=spec.name,
                client_for=lambda dest: app.state.peers[dest],
                poll_seconds=settings.outbox_poll_seconds,
                batch_size=settings.outbox_batch_size,
                max_backoff_seconds=settings.outbox_max_backoff_seconds,
                max_batch_bytes=settings.outbox_max_batch_bytes,
                max_permanent_attempts=settings.outbox_max_permanent_attempts,
                max_transient_attempts=settings.outbox_max_transient_attempts,
                transports=spec.transports(app) if spec.transports is not None else None,
            )
            app.state.relay = relay
            app.state.readiness_details = {"outbox": stats_detail(app.state.db, spec.outbox)}
            tasks.append(asyncio.create_task(relay.run_forever(), name=f"{spec.name}-outbox"))
        if spec.idempotency is not None:
            sweeper = sweep_forever(
                app.state.db, spec.idempotency, settings.idempotency_sweep_seconds
            )
            tasks.append(asyncio.create_task(sweeper, name=f"{spec.name}-idempotency-sweep"))
        for hook in spec.on_startup:
            await hook(app)
        for loop in spec.background:
            tasks.append(asyncio.create_task(loop(app), name=f"{spec.name}-{loop.__name__}"))
        # What startup built (modules, routes, models, data files) lives as long as the
        # process: out of the collector's sight (`KitSettings.freeze_startup_heap`).
        if settings.freeze_startup_heap:
            gc.collect()
            gc.freeze()
        log.info("%s started", spec.name)
        try:
            yield
        finally:
            if relay is not None:
                await relay.stop()
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if relay is not None:
                for transport in relay.transports.values():
                    await transport.aclose()
            for client in app.state.peers.values():
                await client.aclose()
            await app.state.service_tokens.aclose()
            await app.state.verifier.aclose()
            await app.state.db.dispose()

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version=spec.version,
        lifespan=lifespan,
        # No redirects: a slash redirect names the service's own address (or echoes Host).
        redirect_slashes=False,
        **docs_kwargs(settings.is_dev),
    )
    if not settings.is_dev:
        install_production_schema(app)
    install_openapi(app)
    install_error_handlers(app)
    install_database_errors(app)
    # Inner to the request context: the body cap applies first, and refusals carry the id.
    app.add_middleware(InputGuardMiddleware, skip_body_prefixes=spec.self_checked_bodies)
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        route_limits=spec.body_limits,
    )
    app.include_router(health_router())
    for router in spec.routers:
        app.include_router(router)
    if spec.outbox is not None:
        # The outbox's read API and replays (ministry and service callers only).
        app.include_router(outbox_router(spec.outbox))
    return app


def peer(app: FastAPI, name: str) -> httpx.AsyncClient:
    return app.state.peers[name]
