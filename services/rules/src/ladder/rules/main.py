"""The rules service process: `uvicorn ladder.rules.main:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from ladder.kit.app import ServiceSpec, create_service_app
from ladder.rules import models  # noqa: F401  (registers every table)
from ladder.rules.editions.catalogue import catalogue
from ladder.rules.editions.endpoints import router as editions_router
from ladder.rules.evaluations.endpoints import document_batch_body
from ladder.rules.evaluations.endpoints import router as evaluations_router
from ladder.rules.events import router as events_router
from ladder.rules.jiebang.endpoints import router as jiebang_router
from ladder.rules.overlays.catalogue import overlays
from ladder.rules.overlays.endpoints import router as overlays_router
from ladder.rules.quotas.endpoints import router as quotas_router
from ladder.rules.reference.endpoints import router as reference_router
from ladder.rules.settings import SCHEMA, Settings
from ladder.rules.tables import CREDENTIALS, IDEMPOTENCY


async def _load_editions(_: FastAPI) -> None:
    """Read and validate every edition and overlay now, so bad data stops the start, not a
    request."""
    catalogue()
    overlays()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(
        settings,
        ServiceSpec(
            name="rules",
            schema=SCHEMA,
            title="Ladder rules service",
            description=(
                "Editions of 要素条件 as data and code, evaluations against them (one, a "
                "batch, or under two editions), local overlays, and recommendation quotas."
            ),
            routers=[
                events_router,
                editions_router,
                evaluations_router,
                jiebang_router,
                overlays_router,
                quotas_router,
                reference_router,
            ],
            # No outbox relay yet: the service publishes no events. The outbox table exists
            # (tables.py) so that turning it on is passing `outbox=OUTBOX` here.
            idempotency=IDEMPOTENCY,
            credentials=CREDENTIALS,
            on_startup=[_load_editions],
            # The batch route counts its items while the body arrives, then checks it.
            self_checked_bodies=("/v1/evaluations/batch",),
        ),
    )
    document_batch_body(app)
    return app
