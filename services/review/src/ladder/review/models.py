"""Every table of the review service, imported so alembic sees them all."""

from ladder.review import tables
from ladder.review.cases.models import CaseOpinion, CaseTransition, ReviewCase
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
