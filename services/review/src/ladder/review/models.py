"""Every table of the review service, imported so alembic sees them all."""

from ladder.review import tables
from ladder.review.cases.models import CaseOpinion, CaseTransition, ReviewCase

__all__ = ["CaseOpinion", "CaseTransition", "ReviewCase", "tables"]
