"""Every table of the declaration service, imported so alembic sees them all."""

from ladder.declaration import tables
from ladder.declaration.attachments.models import Attachment
from ladder.declaration.campaigns.models import (
    Campaign,
    Deadline,
    DeadlineChain,
    DeadlineChainRevision,
)
from ladder.declaration.declarations.models import (
    Declaration,
    DeclarationTransition,
    DeclarationVersion,
    ExpertGrant,
)
from ladder.declaration.enterprises.models import Enterprise, Factory
from ladder.declaration.recognitions.models import Recognition, RecognitionImport
from ladder.declaration.selfassessments.models import SelfAssessment, SelfAssessmentImport

__all__ = [
    "Attachment",
    "Campaign",
    "Deadline",
    "DeadlineChain",
    "DeadlineChainRevision",
    "Declaration",
    "DeclarationTransition",
    "DeclarationVersion",
    "Enterprise",
    "ExpertGrant",
    "Factory",
    "Recognition",
    "RecognitionImport",
    "SelfAssessment",
    "SelfAssessmentImport",
    "tables",
]
