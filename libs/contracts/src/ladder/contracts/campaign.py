"""Events the declaration service publishes about campaigns (申报批次): what the other services
take from a campaign instead of per-year files of their own.

Its own module (the declaration service's second producer module) so the campaign's contract
reads apart from the declaration's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ladder.contracts.registry import EventContract, register
from ladder.contracts.types import Tier

CAMPAIGN_CHANGED = "campaign.changed"

_NAME = r"^[0-9A-Za-z._-]{1,40}$"


class CampaignChanged(BaseModel):
    """A campaign as it stands after a create or an edit (the whole parameters each time, so a
    consumer keeps the latest `row_version` and ignores an older one arriving late)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    year: int = Field(ge=2024, le=2100)
    row_version: int = Field(ge=1)
    title: str = Field(max_length=200)
    open_tiers: list[Tier] = Field(min_length=1, max_length=4)
    rules_edition: str = Field(max_length=20)
    quota_policy: str = Field(pattern=_NAME, description="the rules service's quota policy id")
    publicity_period: str = Field(
        pattern=_NAME, description="the review service's named 公示 period (national.yaml)"
    )
    cultivation_period: str = Field(
        pattern=_NAME, description="the review service's named cultivation period"
    )
    changed_at: AwareDatetime


CHANGED = register(
    EventContract(
        topic=CAMPAIGN_CHANGED,
        model=CampaignChanged,
        producer="declaration",
        consumers=("review", "rules"),
        summary=(
            "A campaign was created or edited (ministry): the rules service learns which quota "
            "policy it uses, the review service its 公示 and cultivation periods."
        ),
        example=CampaignChanged(
            year=2025,
            row_version=1,
            title="2025年度智能工厂梯度培育（卓越级、领航级）",
            open_tiers=["basic", "advanced", "excellence", "pilot"],
            rules_edition="2025",
            quota_policy="2025",
            publicity_period="ladder-default",
            cultivation_period="251-2025",
            changed_at=datetime(2025, 6, 20, 2, 0, tzinfo=UTC),
        ),
    )
)
