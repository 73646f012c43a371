"""Routes for evaluations against 要素条件."""

from __future__ import annotations

from fastapi import APIRouter

from ladder.kit.auth import PrincipalDep
from ladder.kit.errors import responses
from ladder.rules.evaluations import service
from ladder.rules.evaluations.schemas import EvaluationRequest, EvaluationResult

router = APIRouter(prefix="/v1/evaluations", tags=["evaluations"])


@router.post(
    "",
    response_model=EvaluationResult,
    responses=responses(401, 422),
    summary="Evaluate a factory's facts against 要素条件 for a tier",
    description=(
        "Runs every rule of the edition for the tier. `eligible` is false when an "
        "error-severity rule fails; warnings (e.g. 卓越级 原则上 five segments) do not bar. "
        "`explain=full` lists passed findings too; `failures` (default) only the failed ones."
    ),
)
async def evaluate(data: EvaluationRequest, _: PrincipalDep) -> EvaluationResult:
    return service.evaluate(data)
