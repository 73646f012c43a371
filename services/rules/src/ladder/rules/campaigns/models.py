"""Which quota policy a campaign uses, as its last `campaign.changed` said."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

from ladder.rules.settings import SCHEMA


class CampaignQuotaPolicy(SQLModel, table=True):
    __tablename__ = "campaign_quota_policy"
    __table_args__ = ({"schema": SCHEMA},)

    campaign_year: int = Field(primary_key=True)
    quota_policy: str = Field(max_length=40, description="a policy id of quotas/policies/")
    row_version: int = Field(description="the campaign's version this row is from")
    changed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
