"""The declaration service process: `uvicorn ladder.declaration.main:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from ladder.declaration import models  # noqa: F401  (registers every table)
from ladder.declaration.attachments.endpoints import (
    UPLOAD_MAX_BYTES,
    UPLOAD_PATH_PATTERN,
)
from ladder.declaration.attachments.endpoints import router as attachments_router
from ladder.declaration.campaigns.endpoints import router as campaigns_router
from ladder.declaration.declarations.endpoints import router as declarations_router
from ladder.declaration.enterprises.endpoints import router as enterprises_router
from ladder.declaration.events import router as events_router
from ladder.declaration.printing.endpoints import router as printing_router
from ladder.declaration.recognitions.endpoints import public_router as public_recognitions_router
from ladder.declaration.recognitions.endpoints import router as recognitions_router
from ladder.declaration.selfassessments.endpoints import IMPORT_PATH
from ladder.declaration.selfassessments.endpoints import router as self_assessments_router
from ladder.declaration.settings import SCHEMA, Settings
from ladder.declaration.tables import CREDENTIALS, IDEMPOTENCY, OUTBOX
from ladder.kit.app import ServiceSpec, create_service_app
from ladder.kit.clock import install_clock
from ladder.kit.units import registry


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    registry()  # a malformed units.yaml (ladder.kit) stops the service here
    app = create_service_app(
        settings,
        ServiceSpec(
            name="declaration",
            schema=SCHEMA,
            title="Ladder declaration service",
            description=(
                "Enterprises, factories and declarations (申报) of the 智能工厂梯度培育 process."
            ),
            routers=[
                events_router,
                enterprises_router,
                declarations_router,
                attachments_router,
                campaigns_router,
                printing_router,
                self_assessments_router,
                recognitions_router,
                public_recognitions_router,
            ],
            peers={"rules": settings.rules_url, "review": settings.review_url},
            outbox=OUTBOX,
            idempotency=IDEMPOTENCY,
            credentials=CREDENTIALS,
            # A province's spreadsheet of self-assessments is the one large body; every other
            # route keeps the kit's 2 MiB.
            body_limits={
                IMPORT_PATH: settings.import_max_body_bytes,
                UPLOAD_PATH_PATTERN: UPLOAD_MAX_BYTES,
            },
        ),
    )
    # app.state.clock: what time it is for deadlines (tests move it; dev/test may control it)
    install_clock(app, control=settings.clock_control)
    return app
