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
from ladder.review.national.experts import models as national_experts  # noqa: F401
from ladder.review.national.onsite import models as national_onsite  # noqa: F401
from ladder.review.national.publicity import models as national_publicity  # noqa: F401
from ladder.review.national.scoring import models as national_scoring  # noqa: F401
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
