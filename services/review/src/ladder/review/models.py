"""Every table of the review service, imported so alembic sees them all."""

from ladder.review import tables
from ladder.review.cases.models import CaseOpinion, CaseTransition, ReviewCase
from ladder.review.cultivation.models import (  # noqa: F401  (registers the tables)
    CultivationApplication,
    CultivationGuidance,
    CultivationRecord,
    CultivationReminder,
    CultivationReport,
    CultivationTransition,
)
from ladder.review.national import models as national  # noqa: F401  (the national_* tables)
from ladder.review.recommendations.models import (
    RecommendationEntry,
    RecommendationList,
    RecommendationListEvent,
    RecommendationSubmission,
)

__all__ = [
    "CaseOpinion",
    "CaseTransition",
    "RecommendationEntry",
    "RecommendationList",
    "RecommendationListEvent",
    "RecommendationSubmission",
    "ReviewCase",
    "tables",
]
