"""The review service process: `uvicorn ladder.review.main:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from ladder.kit.app import ServiceSpec, create_service_app
from ladder.kit.clock import install_clock
from ladder.kit.units import registry
from ladder.review import models  # noqa: F401  (registers every table)
from ladder.review.cases.endpoints import router as cases_router
from ladder.review.cultivation.data import cultivation_data
from ladder.review.cultivation.endpoints import router as cultivation_router
from ladder.review.cultivation.sweeper import cultivation_sweeper
from ladder.review.dashboards.endpoints import router as dashboards_router
from ladder.review.events import router as events_router
from ladder.review.exports.endpoints import router as exports_router
from ladder.review.national.data import national
from ladder.review.national.endpoints import router as national_router
from ladder.review.recommendations.endpoints import router as recommendations_router
from ladder.review.routing.chains import chains
from ladder.review.settings import SCHEMA, Settings
from ladder.review.tables import CREDENTIALS, IDEMPOTENCY, OUTBOX
from ladder.review.units.endpoints import router as units_router
from ladder.review.webhooks.delivery import transports as webhook_transports
from ladder.review.webhooks.endpoints import router as webhooks_router


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    registry()  # a malformed units.yaml (ladder.kit) stops the service here
    chains()  # a malformed chains.yaml stops the service here, not at the first submission
    cultivation_data()  # likewise cultivation.yaml (培育期, reminders, acceptance chains)
    national()  # likewise national.yaml (criteria, 公示 period, experts, conflicts)
    app = create_service_app(
        settings,
        ServiceSpec(
            name="review",
            schema=SCHEMA,
            title="Ladder review service",
            description=(
                "Review cases of submitted declarations (申报) in the 智能工厂梯度培育 process: "
                "routing along each jurisdiction's chain (county → city → province; central-"
                "SOE group HQs; the XPCC), the initial-review opinions (初审意见) by each "
                "level's deadline, the recommending units' lists (推荐汇总表) within the quota, "
                "the national review (formal check, experts and conflicts of interest, scores, "
                "现场核查, decision, 公示 and the published lists), the 领航级 cultivation and "
                "acceptance with its durable sweeper, and the authorities' dashboards."
            ),
            routers=[
                events_router,
                cases_router,
                recommendations_router,
                cultivation_router,
                national_router,
                dashboards_router,
                units_router,
                exports_router,
                webhooks_router,
            ],
            peers={"rules": settings.rules_url, "declaration": settings.declaration_url},
            outbox=OUTBOX,
            idempotency=IDEMPOTENCY,
            credentials=CREDENTIALS,
            background=[cultivation_sweeper],
            # Webhooks to other platforms go out through the same outbox relay.
            transports=webhook_transports,
        ),
    )
    # app.state.clock: deadlines, 公示 periods, cultivation timers (movable in dev/test only)
    install_clock(app, control=settings.clock_control)
    return app
