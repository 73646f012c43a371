"""Every table of the review service, imported so alembic sees them all."""

from ladder.review import tables
from ladder.review.campaigns.models import CampaignPeriods
from ladder.review.cases.models import CaseOpinion, CaseTransition, ReviewCase
from ladder.review.cultivation.models import (
    CultivationApplication,
    CultivationGuidance,
    CultivationRecord,
    CultivationReminder,
    CultivationReport,
    CultivationTransition,
)
from ladder.review.national.experts import models as national_experts
from ladder.review.national.onsite import models as national_onsite
from ladder.review.national.publicity import models as national_publicity
from ladder.review.national.scoring import models as national_scoring
from ladder.review.recommendations.models import (
    RecommendationEntry,
    RecommendationList,
    RecommendationListEvent,
    RecommendationSubmission,
)
from ladder.review.webhooks.models import WebhookAttempt, WebhookSubscription

__all__ = [
    "CampaignPeriods",
    "CaseOpinion",
    "CaseTransition",
    "CultivationApplication",
    "CultivationGuidance",
    "CultivationRecord",
    "CultivationReminder",
    "CultivationReport",
    "CultivationTransition",
    "RecommendationEntry",
    "RecommendationList",
    "RecommendationListEvent",
    "RecommendationSubmission",
    "ReviewCase",
    "WebhookAttempt",
    "WebhookSubscription",
    "national_experts",
    "national_onsite",
    "national_publicity",
    "national_scoring",
    "tables",
]
