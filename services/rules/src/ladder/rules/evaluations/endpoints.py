"""Routes for evaluations against 要素条件: one, a batch, and one under two editions.

The service builds plain dicts (a batch holds thousands of results); they are serialised
here in one pass instead of being re-validated into response models. The models are still
declared for OpenAPI.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic.json_schema import models_json_schema
from pydantic_core import to_json

from ladder.kit.auth import PrincipalDep
from ladder.kit.errors import PayloadTooLarge, ValidationFailed, declare
from ladder.kit.inputs import InvalidInput, parse_json
from ladder.rules.errors import BatchTooLarge, NoEditionInEffect, NotInCatalogue, UnknownEdition
from ladder.rules.evaluations import service
from ladder.rules.evaluations.intake import read_batch
from ladder.rules.evaluations.schemas import (
    MAX_BATCH,
    BatchItem,
    BatchRequest,
    BatchResult,
    CompareRequest,
    ComparisonResult,
    EvaluationRequest,
    EvaluationResult,
)

router = APIRouter(prefix="/v1/evaluations", tags=["evaluations"])


def _json(content: Any) -> Response:
    return Response(to_json(content), media_type="application/json")


@router.post(
    "",
    response_model=EvaluationResult,
    responses=declare(UnknownEdition, NoEditionInEffect, NotInCatalogue),
    summary="Evaluate a factory's facts against 要素条件 for a tier",
    description=(
        "Runs every rule of the edition for the tier, plus the local overlays of the "
        "`jurisdiction` (上海: registered in Shanghai; 福建: operating in Fujian, credit "
        "blacklist). `outcome` is `ineligible` when an error-severity rule fails, `incomplete` "
        "when none fails but one lacks its facts, else `eligible`; warnings (e.g. 卓越级 "
        "原则上 five segments) never bar. `explain=full` lists passed findings too. Names "
        "outside the edition's catalogues (segment, scene, KPI, material section) are a 422 "
        "naming the field."
    ),
)
async def evaluate(data: EvaluationRequest, _: PrincipalDep) -> Response:
    return _json(service.evaluate(data))


@router.post(
    "/batch",
    response_model=BatchResult,
    responses=declare(
        UnknownEdition,
        NoEditionInEffect,
        NotInCatalogue,
        BatchTooLarge,
        PayloadTooLarge,
        ValidationFailed,  # the body is read by hand: FastAPI sees no input to imply it
    ),
    summary=f"Evaluate up to {MAX_BATCH} factories in one call",
    description=(
        "Each item is `{ref?, edition?, tier, facts, jurisdiction?}` and is evaluated on its "
        "own: an invalid item gets an `error` (with the same codes as a single evaluation, "
        "fields named from the item) and the others still answer. `summary` counts items per "
        "outcome and `invalid`. A body that is not a batch at all is a 422; one with more "
        f"than {MAX_BATCH} items is a 413 `batch_too_large`, refused while it arrives."
    ),
    # The body is read raw and validated from JSON in one pass (see service.evaluate_batch_json);
    # its schema is declared here for the docs.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"}}
            },
        }
    },
)
async def evaluate_batch(request: Request, _: PrincipalDep) -> Response:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise HTTPException(415, "Send the batch as application/json")
    # Counted as it arrives: more than MAX_BATCH items is a 413 before any model is built.
    try:
        body = await read_batch(request.stream())
    except InvalidInput as refused:
        return JSONResponse(refused.body(), status_code=422)
    # Thousands of evaluations take a few hundred milliseconds of CPU: off the event loop, so
    # the service keeps answering health checks and small requests meanwhile.
    try:
        result = await run_in_threadpool(_checked_and_evaluated, body)
    except InvalidInput as refused:
        return JSONResponse(refused.body(), status_code=422)
    return _json(result)


def _checked_and_evaluated(body: bytes) -> dict[str, Any]:
    """The edge guard's checks (NUL, duplicate keys, …; skipped for this route so it could
    count first), then the evaluation."""
    if body.strip():
        parse_json(body)
    return service.evaluate_batch_json(body)


@router.post(
    "/compare",
    response_model=ComparisonResult,
    responses=declare(UnknownEdition, NoEditionInEffect, NotInCatalogue),
    summary="Evaluate the same facts under two editions and list what changed",
    description=(
        "`differences` lists rules added or removed by the second edition, rules whose "
        "status changed, and rules whose requirement (expected value or severity) changed. "
        "Facts one edition does not know (a 2025 scene or KPI under 2024) are left out of that "
        "edition's evaluation and listed in `set_aside`."
    ),
)
async def compare(data: CompareRequest, _: PrincipalDep) -> Response:
    return _json(service.compare(data))


def document_batch_body(app: FastAPI) -> None:
    """Add the batch request's schemas to the app's OpenAPI components (the route reads its
    body raw, so FastAPI cannot find them itself)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        _, defs = models_json_schema(
            [(BatchRequest, "validation"), (BatchItem, "validation")],
            ref_template="#/components/schemas/{model}",
        )
        schema.setdefault("components", {}).setdefault("schemas", {}).update(defs["$defs"])
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
